"""Searching challenges with the platform's search engine: the text analysis of matching.services.text and tantivy
scoring the analysed terms with BM25, in a small in-memory index of the public challenges (as the expert pool does,
docs/experts.md "Search"), rebuilt when a public challenge changed (one query for the fingerprint per search)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import tantivy
from django.db.models import Count, Max

from techmarket.challenges.models import Challenge
from techmarket.matching.services import text as analysis

HIDDEN = ("draft", "pending", "rejected")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("challenge_id", stored=True, indexed=True)
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
    return builder.build()


SCHEMA = _schema()


@dataclass(frozen=True)
class Hit:
    challenge_id: int
    score: float
    words: tuple[str, ...]


def document_text(challenge: Challenge) -> str:
    indicators = " ".join(f"{i.get('name', '')} {i.get('target', '')}" for i in challenge.indicators)
    return "\n".join([challenge.title, challenge.title, challenge.field.name, challenge.problem, indicators])


class _Index:
    def __init__(self, fingerprint, documents: dict[int, list[str]]):
        self.fingerprint = fingerprint
        self.terms = {pk: set(terms) for pk, terms in documents.items()}
        self.index = tantivy.Index(SCHEMA)
        writer = self.index.writer(15_000_000, 1)
        for pk, terms in documents.items():
            document = tantivy.Document()
            document.add_unsigned("challenge_id", pk)
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
        out = []
        for score, address in self.searcher.search(query, limit).hits:
            pk = self.searcher.doc(address)["challenge_id"][0]
            out.append(Hit(pk, score, tuple(t for t in terms if t in self.terms.get(pk, ()))))
        return out


_lock = threading.Lock()
_current: _Index | None = None


def _public():
    return Challenge.objects.exclude(status__in=HIDDEN)


def index() -> _Index:
    global _current
    fingerprint = tuple(_public().aggregate(n=Count("pk"), changed=Max("updated_at")).values())
    if _current is not None and _current.fingerprint == fingerprint:
        return _current
    with _lock:
        if _current is None or _current.fingerprint != fingerprint:
            documents = {c.pk: analysis.analyse(document_text(c)) for c in _public().select_related("field")}
            _current = _Index(fingerprint, documents)
        return _current


def reset() -> None:
    global _current
    with _lock:
        _current = None


def search(query: str, limit: int = 200) -> list[Hit]:
    return index().search(analysis.query_terms(query), limit)
