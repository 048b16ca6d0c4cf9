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

from collections import Counter

from django.db.models import Count, Max
from django.utils import timezone

from techmarket.experts.models import Expert
from techmarket.matching.services import text as analysis
from techmarket.matching.services.term_index import CachedIndex
from techmarket.matching.services.term_index import Hit as ExpertHit

TERMS_PER_TEXT = 40  # a listing's text asks with its most frequent terms
TITLE_WEIGHT = 2  # the specialities count once, a field's name and the title twice


def document_text(expert: Expert) -> str:
    """The text an expert is found by."""
    fields = " ".join(f"{f.parent.name} {f.name}" if f.parent_id else f.name for f in expert.fields.all())
    organisation = expert.organisation.name if expert.organisation_id else ""
    return "\n".join([expert.name, *[expert.title, fields] * TITLE_WEIGHT, organisation, expert.specialities])


def _fingerprint():
    return tuple(Expert.objects.filter(status=Expert.Status.VERIFIED).aggregate(
        n=Count("pk", distinct=True), changed=Max("updated_at"), links=Count("fields")).values())


def _documents(_) -> dict[int, list[str]]:
    experts = (Expert.objects.filter(status=Expert.Status.VERIFIED).select_related("organisation")
               .prefetch_related("fields__parent"))
    return {e.pk: analysis.analyse(document_text(e)) for e in experts}


# The process's index of the verified experts, rebuilt when the pool changed.
_index = CachedIndex(_fingerprint, _documents)
index, reset = _index.get, _index.reset


def search(query: str, limit: int = 200) -> list[ExpertHit]:
    """Verified experts whose profile holds words of `query`, best first (BM25 over the analysed terms)."""
    return _index.search(query, limit)


def experts_for_text(text: str, limit: int = 5) -> list[tuple[Expert, ExpertHit]]:
    """Experts to offer as partners for a listing's text: ranked by the engine for its most frequent terms (those
    of a long description that occur most), each with the shared words; only available experts."""
    counts = Counter(analysis.analyse(text))
    terms = [t for t, _ in counts.most_common(TERMS_PER_TEXT)]
    hits = index().search(terms, limit * 3)
    experts = Expert.objects.in_bulk([h.pk for h in hits])

    today = timezone.localdate()
    out = []
    for hit in hits:
        expert = experts.get(hit.pk)
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
    rank = {hit.pk: i for i, hit in enumerate(hits)}
    words = tuple(sorted({w for hit in hits for w in hit.words}))
    return sorted(experts.filter(pk__in=list(rank)), key=lambda e: rank[e.pk]), words
