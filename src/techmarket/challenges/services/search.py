"""Searching challenges with the platform's search engine: the text analysis of matching.services.text and tantivy
scoring the analysed terms with BM25, in a small in-memory index of the public challenges (as the expert pool does,
docs/experts.md "Search"), rebuilt when a public challenge changed (one query for the fingerprint per search)."""

from __future__ import annotations

from django.db.models import Count, Max

from techmarket.challenges.models import Challenge
from techmarket.matching.services import text as analysis
from techmarket.matching.services.term_index import CachedIndex, Hit

HIDDEN = ("draft", "pending", "rejected")


def document_text(challenge: Challenge) -> str:
    indicators = " ".join(f"{i.get('name', '')} {i.get('target', '')}" for i in challenge.indicators)
    return "\n".join([challenge.title, challenge.title, challenge.field.name, challenge.problem, indicators])


def _public():
    return Challenge.objects.exclude(status__in=HIDDEN)


_index = CachedIndex(
    lambda: tuple(_public().aggregate(n=Count("pk"), changed=Max("updated_at")).values()),
    lambda _: {c.pk: analysis.analyse(document_text(c)) for c in _public().select_related("field")})
index, reset = _index.get, _index.reset


def search(query: str, limit: int = 200) -> list[Hit]:
    """Public challenges holding words of `query`, best first (hits by `pk`)."""
    return _index.search(query, limit)
