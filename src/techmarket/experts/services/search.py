"""Searching the expert pool with the platform's search engine (docs/experts.md, "Search").

The experts have their own small index, not a second document type in the matching index: that index's
columns, slots and sequence numbers are built for listings (docs/search.md), and experts number in the hundreds.
What is shared is what decides what a search finds: the text analysis of matching.services.text (normalisation,
rjieba with the domain dictionary, stopwords, synonyms) and the engine, tantivy, scoring the analysed terms with
BM25 (pre-tokenised text, whitespace tokenizer), as the listings' index does.

The index holds the verified experts (name, title, organisation, fields, specialities) in memory, one per
process, and is rebuilt when the pool changed: before each search one query reads the pool's fingerprint (the
number of verified experts, the latest change, the number of field links), which any profile write moves.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

import tantivy
from django.db.models import Count, Max
from django.utils import timezone

from techmarket.experts.models import Expert
from techmarket.matching.services import text as analysis

TERMS_PER_TEXT = 40  # a listing's text asks with its most frequent terms
TITLE_WEIGHT = 2  # the specialities count once, a field's name and the title twice


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("expert_id", stored=True, indexed=True)
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
    return builder.build()


SCHEMA = _schema()


@dataclass(frozen=True)
class ExpertHit:
    expert_id: int
    score: float
    words: tuple[str, ...]  # the query's words the profile holds


class _Index:
    def __init__(self, fingerprint, documents: dict[int, list[str]]):
        self.fingerprint = fingerprint
        self.terms = {pk: set(terms) for pk, terms in documents.items()}
        self.index = tantivy.Index(SCHEMA)
        writer = self.index.writer(15_000_000, 1)
        for pk, terms in documents.items():
            document = tantivy.Document()
            document.add_unsigned("expert_id", pk)
            document.add_text("terms", " ".join(terms))
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, terms: list[str], limit: int) -> list[ExpertHit]:
        terms = [t for t in dict.fromkeys(terms) if t and " " not in t]
        if not terms or not self.terms:
            return []
        query = tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "terms", t, index_option="freq")) for t in terms])
        hits = []
        for score, address in self.searcher.search(query, limit).hits:
            pk = self.searcher.doc(address)["expert_id"][0]
            hits.append(ExpertHit(pk, score, tuple(t for t in terms if t in self.terms.get(pk, ()))))
        return hits


_lock = threading.Lock()
_current: _Index | None = None


def document_text(expert: Expert) -> str:
    """The text an expert is found by."""
    fields = " ".join(f"{f.parent.name} {f.name}" if f.parent_id else f.name for f in expert.fields.all())
    organisation = expert.organisation.name if expert.organisation_id else ""
    return "\n".join([expert.name, *[expert.title, fields] * TITLE_WEIGHT, organisation, expert.specialities])


def _fingerprint():
    return tuple(Expert.objects.filter(status=Expert.Status.VERIFIED).aggregate(
        n=Count("pk", distinct=True), changed=Max("updated_at"), links=Count("fields")).values())


def index() -> _Index:
    """The process's index of the verified experts, rebuilt when the pool changed."""
    global _current
    fingerprint = _fingerprint()
    current = _current
    if current is not None and current.fingerprint == fingerprint:
        return current
    with _lock:
        if _current is None or _current.fingerprint != fingerprint:
            experts = (Expert.objects.filter(status=Expert.Status.VERIFIED).select_related("organisation")
                       .prefetch_related("fields__parent"))
            _current = _Index(fingerprint, {e.pk: analysis.analyse(document_text(e)) for e in experts})
        return _current


def reset() -> None:
    global _current
    with _lock:
        _current = None


def search(query: str, limit: int = 200) -> list[ExpertHit]:
    """Verified experts whose profile holds words of `query`, best first (BM25 over the analysed terms)."""
    return index().search(analysis.query_terms(query), limit)


def experts_for_text(text: str, limit: int = 5) -> list[tuple[Expert, ExpertHit]]:
    """Experts to offer as partners for a listing's text: ranked by the engine for its most frequent terms (those
    of a long description that occur most), each with the shared words; only available experts."""
    counts = Counter(analysis.analyse(text))
    terms = [t for t, _ in counts.most_common(TERMS_PER_TEXT)]
    hits = index().search(terms, limit * 3)
    experts = Expert.objects.in_bulk([h.expert_id for h in hits])

    today = timezone.localdate()
    out = []
    for hit in hits:
        expert = experts.get(hit.expert_id)
        if expert is not None and expert.is_available_on(today):
            out.append((expert, hit))
        if len(out) >= limit:
            break
    return out


def find(filters, today=None) -> tuple[list[Expert] | object, tuple[str, ...]]:
    """The directory's answer (page, API, CLI): verified experts matching the filters (profiles.filter_experts)
    and, with a text query, only those the search finds, best first; with the query's words they matched."""
    from techmarket.experts.services.profiles import filter_experts

    experts = filter_experts(filters, today)
    if not filters.q:
        return experts, ()
    hits = search(filters.q)
    rank = {hit.expert_id: i for i, hit in enumerate(hits)}
    words = tuple(sorted({w for hit in hits for w in hit.words}))
    return sorted(experts.filter(pk__in=list(rank)), key=lambda e: rank[e.pk]), words
