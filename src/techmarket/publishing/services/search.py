"""Finding public articles with the platform's search engine (docs/publishing.md, "Search").

Like the expert pool (experts/services/search.py), the articles have their own small index rather than a document
type in the listings' index; what decides what a search finds is shared: the text analysis of
matching.services.text (normalisation, rjieba with the domain dictionary, stopwords, synonyms) and tantivy scoring
the analysed terms with BM25. The index holds the public articles only and lives in memory, one per process; it is
rebuilt when what is public changed: before each search one query reads a fingerprint (how many articles are
public now, the latest change to any article), which a publication time passing, an approval or a withdrawal
moves. So a withdrawn notice is not found from the next search on.
"""

from __future__ import annotations

from django.db.models import Count, Max, Q
from django.utils import timezone

from techmarket.matching.services import text as analysis
from techmarket.matching.services.term_index import CachedIndex, Hit
from techmarket.publishing.models import Article
from techmarket.publishing.services.sanitise import plain_text

TITLE_WEIGHT = 3  # a title's words count three times, the summary's twice, the body's once


def article_text(article: Article) -> str:
    category = article.category.name if article.category_id else ""
    return "\n".join([*[article.title] * TITLE_WEIGHT, *[article.summary] * 2, category, plain_text(article.body)])


def _public_q(now) -> Q:
    return Q(status=Article.Status.SCHEDULED, publish_at__lte=now)


def _fingerprint() -> tuple:
    now = timezone.now()
    row = Article.objects.aggregate(public=Count("pk", filter=_public_q(now)), changed=Max("updated_at"))
    return row["public"], row["changed"]


def _documents(_) -> dict[int, list[str]]:
    articles = Article.objects.filter(_public_q(timezone.now())).select_related("category")
    return {a.pk: analysis.analyse(article_text(a)) for a in articles}


_index = CachedIndex(_fingerprint, _documents)
index = _index.get


def search(query: str, limit: int = 200) -> list[Hit]:
    """Public articles holding words of `query`, best first."""
    return _index.search(query, limit)
