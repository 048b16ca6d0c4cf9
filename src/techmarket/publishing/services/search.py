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

import threading
from dataclasses import dataclass

import tantivy
from django.db.models import Count, Max, Q
from django.utils import timezone

from techmarket.matching.services import text as analysis
from techmarket.publishing.models import Article
from techmarket.publishing.services.sanitise import plain_text

TITLE_WEIGHT = 3  # a title's words count three times, the summary's twice, the body's once

_schema_builder = tantivy.SchemaBuilder()
_schema_builder.add_unsigned_field("pk", stored=True, indexed=True)
_schema_builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
SCHEMA = _schema_builder.build()


@dataclass(frozen=True)
class Hit:
    pk: int
    score: float
    words: tuple[str, ...]


def article_text(article: Article) -> str:
    category = article.category.name if article.category_id else ""
    return "\n".join([*[article.title] * TITLE_WEIGHT, *[article.summary] * 2, category, plain_text(article.body)])


class ArticleIndex:
    """An in-memory tantivy index of analysed article texts."""

    def __init__(self, fingerprint: tuple, texts: dict[int, list[str]]):
        self.fingerprint = fingerprint
        self.vocabulary = {pk: frozenset(terms) for pk, terms in texts.items()}
        self.index = tantivy.Index(SCHEMA)
        writer = self.index.writer(15_000_000, 1)
        for pk, terms in texts.items():
            document = tantivy.Document()
            document.add_unsigned("pk", pk)
            document.add_text("terms", " ".join(terms))
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def search(self, terms: list[str], limit: int) -> list[Hit]:
        wanted = [t for t in dict.fromkeys(terms) if t and " " not in t]
        if not wanted or not self.vocabulary:
            return []
        clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "terms", t, index_option="freq"))
                   for t in wanted]
        searcher = self.index.searcher()
        found = []
        for score, address in searcher.search(tantivy.Query.boolean_query(clauses), limit).hits:
            pk = searcher.doc(address)["pk"][0]
            found.append(Hit(pk, score, tuple(t for t in wanted if t in self.vocabulary.get(pk, ()))))
        return found


_lock = threading.Lock()
_current: ArticleIndex | None = None


def _public_q(now) -> Q:
    return Q(status=Article.Status.SCHEDULED, publish_at__lte=now)


def _fingerprint(now) -> tuple:
    row = Article.objects.aggregate(public=Count("pk", filter=_public_q(now)), changed=Max("updated_at"))
    return row["public"], row["changed"]


def index() -> ArticleIndex:
    """The process's index of public articles, rebuilt when what is public changed."""
    global _current
    now = timezone.now()
    fingerprint = _fingerprint(now)
    current = _current
    if current is not None and current.fingerprint == fingerprint:
        return current
    with _lock:
        if _current is None or _current.fingerprint != fingerprint:
            articles = Article.objects.filter(_public_q(now)).select_related("category")
            _current = ArticleIndex(fingerprint, {a.pk: analysis.analyse(article_text(a)) for a in articles})
        return _current


def search(query: str, limit: int = 200) -> list[Hit]:
    """Public articles holding words of `query`, best first."""
    return index().search(analysis.query_terms(query), limit)
