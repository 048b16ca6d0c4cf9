"""A small in-memory index of analysed texts, for the record types that are searched with the platform's engine
but number in the hundreds (experts, challenges, articles): the text analysis of matching.services.text decides
the terms, tantivy scores them with BM25 (pre-tokenised text, whitespace tokenizer), as the listings' index does.

`CachedIndex(fingerprint, documents)` keeps one index per process and rebuilds it when `fingerprint()` (one cheap
query of the caller's) changed; `documents(fingerprint)` returns {pk: analysed terms} of what may be found."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import tantivy

from techmarket.matching.services import text as analysis


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("pk", stored=True, indexed=True)
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
    return builder.build()


SCHEMA = _schema()


@dataclass(frozen=True)
class Hit:
    pk: int
    score: float
    words: tuple[str, ...]  # the query's words the document holds


class TermIndex:
    def __init__(self, fingerprint, documents: dict[int, list[str]]):
        self.fingerprint = fingerprint
        self.terms = {pk: frozenset(terms) for pk, terms in documents.items()}
        self.index = tantivy.Index(SCHEMA)
        writer = self.index.writer(15_000_000, 1)
        for pk, terms in documents.items():
            document = tantivy.Document()
            document.add_unsigned("pk", pk)
            document.add_text("terms", " ".join(terms))
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, terms: list[str], limit: int) -> list[Hit]:
        terms = [t for t in dict.fromkeys(terms) if t and " " not in t]
        if not terms or not self.terms:
            return []
        query = tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "terms", t, index_option="freq")) for t in terms])
        hits = []
        for score, address in self.searcher.search(query, limit).hits:
            pk = self.searcher.doc(address)["pk"][0]
            hits.append(Hit(pk, score, tuple(t for t in terms if t in self.terms.get(pk, ()))))
        return hits


class CachedIndex:
    def __init__(self, fingerprint: Callable[[], tuple], documents: Callable[[tuple], dict[int, list[str]]]):
        self._fingerprint, self._documents = fingerprint, documents
        self._lock = threading.Lock()
        self._current: TermIndex | None = None

    def get(self) -> TermIndex:
        fingerprint = self._fingerprint()
        current = self._current
        if current is not None and current.fingerprint == fingerprint:
            return current
        with self._lock:
            if self._current is None or self._current.fingerprint != fingerprint:
                self._current = TermIndex(fingerprint, self._documents(fingerprint))
            return self._current

    def reset(self) -> None:
        with self._lock:
            self._current = None

    def search(self, query: str, limit: int = 200) -> list[Hit]:
        return self.get().search(analysis.query_terms(query), limit)
