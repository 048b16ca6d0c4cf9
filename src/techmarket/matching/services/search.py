"""Search over the catalogue: keyword (BM25), semantic (embeddings) and their fusion, with filters,
facets, highlighted snippets, an explanation per hit, and an honest verdict when nothing fits."""

import html
import re
import threading
from collections import OrderedDict
from dataclasses import asdict, astuple, dataclass, field

import numpy as np

from techmarket.matching.services import relevance
from techmarket.matching.services.embeddings import embed_query
from techmarket.matching.services.engine import EngineFilters, Snapshot, get_engine
from techmarket.matching.services.text import description, display_terms, normalise, query_terms, segment, vocabulary

MODES = ("fused", "keyword", "semantic")
# Tuned on the judged queries of bench/eval (`make eval`; figures and reasons in docs/search-evaluation.md).
FUSION = "score"  # "score": weighted mix of scaled BM25 and similarity; "rrf": reciprocal rank fusion
KEYWORD_SHARE = 0.5  # weight of the scaled BM25 score in the "score" fusion
RRF_K = 60  # for FUSION = "rrf"
SEMANTIC_CANDIDATES = 200
KEYWORD_CANDIDATES = 1000  # the best BM25 hits fused with the semantic candidates
# Keyword mode (the API's and the CLI's, no embedding) ranks by BM25 alone: it takes the best this many (or as many as
# the page asked needs), and its facets count them, as the other modes' count their candidates; the total counts
# every match. Taking 1,000 cost half a millisecond more a search at 100k listings for counts no page shows.
KEYWORD_MODE_CANDIDATES = 200
SEMANTIC_FLOOR = 0.84  # query-to-passage cosine below which a document is not a semantic candidate
EXPANSION_WEIGHT = 0.3  # of a word found inside an indexed word, or through a character
BACKOFF_EXPANSIONS = 6  # indexed words taken for each character of an unknown word (the most frequent)
# How many of the best-ranked candidates are judged (relevance.py): those at or above the relevance floor
# are shown first, the rest (and every candidate further down) make the weak tail.
JUDGED = 50
QUERY_CHARS = 200  # a search's text; a text to match may be longer (match.TEXT_CHARS)
SNIPPET_CHARS = 90
_CHAR = re.compile(r"[\u4e00-\u9fff]")  # a Chinese character means something alone; a Latin letter or a digit does not


@dataclass
class SearchHit:
    listing_id: int
    reference: str
    kind: str
    title: str
    score: float
    keyword_score: float
    similarity: float
    coverage: float
    matched_terms: list[str]
    snippet: str
    explanation: str
    relevance: float = 0.0  # the probability that a person calls it relevant (relevance.py)
    band: str = "weak"  # strong / medium / weak
    band_label: str = "弱"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResult:
    query: str
    mode: str
    terms: list[str]
    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    verdict: str = "match"  # or "no-good-match"
    verdict_reason: str = ""
    relevant: int = 0  # how many of the `total` reach the relevance floor (they come first)
    # What callers derive from this answer and keep with it (the search page's rendered answer): it lives as
    # long as the cached answer, which is the same object for a repeated query on the same snapshot.
    rendered: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def weak(self) -> int:
        return self.total - self.relevant

    def as_dict(self) -> dict:
        return {"query": self.query, "mode": self.mode, "terms": self.terms, "total": self.total,
                "relevant": self.relevant, "weak": self.weak,
                "verdict": self.verdict, "verdict_reason": self.verdict_reason, "facets": self.facets,
                "results": [h.as_dict() for h in self.hits]}


@dataclass
class _QueryTerm:
    term: str
    weight: float
    shown: str  # the word the user typed that this term stands for
    backoff: bool = False  # found through a character of an unknown word: ranks, but covers nothing


def _expand(engine: Snapshot, query: str) -> list[_QueryTerm]:
    """Query terms, plus indexed words containing a single character or an unknown word.

    A synonym's canonical form stands for the word typed. An unknown word that neither occurs inside an
    indexed word nor is made of other query words (the segmenter gives compounds and their parts) falls
    back to the words containing those of its characters no known query word holds, for ranking only: 养鸡
    then ranks 蛋鸡 and 海东鸡 first, but does not count as found."""
    out = []
    words = query_terms(query)
    typed = set(segment(query))
    canonical = vocabulary().canonical
    for term in words:
        shown = term
        if term not in typed:  # a canonical form added by the analysis: it stands for its synonym
            shown = next((w for w in words if w in typed and canonical.get(w) == term), term)
        out.append(_QueryTerm(term, 1.0, shown))
        if len(term) > 1 and engine.doc_freq(term):
            continue
        expansions = engine.expansions(term)
        out += [_QueryTerm(t, EXPANSION_WEIGHT, shown) for t in expansions]
        if len(term) == 1 or expansions or _parts(term, words):
            continue
        inside = "".join(w for w in words if w != term and w in term and engine.doc_freq(w))
        for char in dict.fromkeys(term):
            if _CHAR.match(char) and char not in inside:  # 高原病: 高原 is a query word already; 病 falls back
                chars = ([char] if engine.doc_freq(char) else []) + engine.expansions(char, BACKOFF_EXPANSIONS)
                out += [_QueryTerm(t, EXPANSION_WEIGHT, shown, backoff=True) for t in chars]
    return out


def _parts(word: str, words) -> list[str]:
    """The longest other `words` inside `word`, when together they cover each of its characters."""
    inside = [w for w in words if w != word and w in word]
    parts = [w for w in inside if not any(w != o and w in o for o in inside)]
    covered = set()
    for part in parts:
        start = word.find(part)
        while start >= 0:
            covered.update(range(start, start + len(part)))
            start = word.find(part, start + 1)
    return parts if parts and len(covered) == len(word) else []


class _Coverage:
    """The idf-weighted share of the query's words a document covers (Snapshot.shares computes it from nodes()).

    Coverage counts the words typed, longest first: the segmenter also yields the parts of a compound
    (盐湖提锂: 盐湖, 提锂), which count only through it. A document covers a word when it contains the word,
    a synonym or (for an unknown word) an indexed word containing it, or else every part of it. A word
    weighs the highest idf of what stands for it, or the idf of a word no document has when nothing does:
    a query about something the catalogue lacks must not look covered. Words found only through the
    characters of an unknown word cover nothing."""

    def __init__(self, engine: Snapshot, terms: list[_QueryTerm]):
        idf_of: dict[str, float] = {}
        stands: dict[str, set[str]] = {}  # word → the indexed terms that stand for it
        for qt in terms:
            idf_of.setdefault(qt.shown, 0.0)
            df = engine.doc_freq(qt.term)
            if not df or qt.backoff:
                continue
            idf_of[qt.shown] = max(idf_of[qt.shown], engine.idf(df))
            stands.setdefault(qt.shown, set()).add(qt.term)
        canonical = vocabulary().canonical
        for word in list(idf_of):  # a word typed is found by its synonyms too, even when one of them was typed
            synonym = canonical.get(word, word)
            if synonym != word and synonym in stands:
                stands[word] = stands[synonym] | stands.get(word, set())
                idf_of[word] = max(idf_of[word], idf_of[synonym])
        self.words = list(idf_of)
        self.known = [w for w in self.words if w in stands]
        self.idf_of, self.stands = idf_of, stands
        self.unknown = engine.idf(0)
        self.counted = [w for w in self.words if not any(w != other and w in other for other in self.words)]
        # Each counted word's weight when covered: what stands for it, or an unknown word's.
        self.weights = [self._covered(w, frozenset(), {})[1] or self.unknown for w in self.counted]
        self.total = sum(self.weights) or 1.0

    def _covered(self, word: str, document: frozenset, memo: dict) -> tuple[bool | None, float]:
        if word not in memo:
            found = self.stands.get(word)
            hit = None if found is None else not found.isdisjoint(document)
            weight = self.idf_of[word]
            parts = [self._covered(p, document, memo) for p in _parts(word, self.known)]
            if parts and all(h is not None for h, _ in parts):
                whole = all(h for h, _ in parts)
                hit = whole if hit is None else hit or whole
                weight = weight or max(w for _, w in parts)
            memo[word] = hit, weight
        return memo[word]

    def nodes(self) -> list[tuple[tuple, float]]:
        """Each counted word as Snapshot.shares reads it: ((the terms standing for it, the nodes of its parts),
        its share of the query); words nothing stands for are left out (they are never covered)."""
        return [(self._node(word), weight / self.total)
                for word, weight in zip(self.counted, self.weights, strict=True)]

    def _node(self, word: str) -> tuple:
        parts = _parts(word, self.known)
        return tuple(sorted(self.stands.get(word, ()))), tuple(self._node(p) for p in parts)



_RESULTS: OrderedDict = OrderedDict()
_RESULTS_LOCK = threading.Lock()
RESULT_CACHE_SIZE = 256  # answers kept per process (~25 KB each): popular queries are asked again and again


def search(query: str, filters: EngineFilters | None = None, limit: int = 10, offset: int = 0,
           mode: str = "fused", engine: Snapshot | None = None) -> SearchResult:
    """The answer to a query. Answers are kept per process for the snapshot they came from (any change to the
    index makes a new snapshot), so a repeated query costs a lookup; callers must not modify them."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    engine = engine or get_engine()
    key = (engine.key, query, astuple(filters or EngineFilters()), limit, offset, mode)
    with _RESULTS_LOCK:
        result = _RESULTS.get(key)
        if result is not None:
            _RESULTS.move_to_end(key)
            return result
    result = _search(engine, (query or "").strip()[:QUERY_CHARS], filters, limit, offset, mode)
    with _RESULTS_LOCK:
        _RESULTS[key] = result
        while len(_RESULTS) > RESULT_CACHE_SIZE:
            _RESULTS.popitem(last=False)
    return result


def forget_answers() -> None:
    """Forget the answers this process keeps (the next searches are made anew, as in a process just started)."""
    with _RESULTS_LOCK:
        _RESULTS.clear()


def _search(engine: Snapshot, query: str, filters: EngineFilters | None, limit: int, offset: int,
            mode: str) -> SearchResult:
    filters = filters or EngineFilters()
    query = (query or "").strip()
    if not query or not engine.size:
        reason = "请输入检索词。" if not query else "目录为空。"
        return SearchResult(query, mode, [], [], 0, {}, "no-good-match", reason)
    terms = _expand(engine, query)
    weights = [(qt.term, qt.weight) for qt in terms]
    needed = max(offset + limit, 10)
    similarity = None  # keyword mode: no meaning measured (0 wherever read)
    if mode == "keyword":
        # Facets count the best-ranked candidates, as in the other modes (a query of common words matches most
        # of a large catalogue, and counting it all would cost more than the search); the total counts all.
        ranked, scores, total = engine.keyword(weights, filters, max(needed, KEYWORD_MODE_CANDIDATES))
        kw = dict(zip(ranked.tolist(), scores.tolist(), strict=True))
        facets = engine.facet_counts(ranked)
    else:
        usable = engine.filter_mask(filters) & (engine.has_vector != 0)
        vector = embed_query(normalise(query))
        similarity = engine.similarity(vector, usable)
        ranked, scores, pool, kw = _rank(engine, mode, weights, filters, similarity, usable, vector)
        total, facets = len(pool), engine.facet_counts(pool)
    shown = display_terms(query)
    coverage = _Coverage(engine, terms)
    judged = ranked[:max(JUDGED, offset + limit)]
    shares = engine.shares(coverage.nodes(), judged)
    covered = dict(zip(judged.tolist(), shares.tolist(), strict=True))
    subject = "words" if mode == "keyword" else "text"
    probabilities, bands = relevance.judge_all(subject, relevance.text_columns(
        shares, np.zeros(len(judged)) if similarity is None else similarity[judged], query, np.arange(len(judged))))
    judgements = {slot: (float(p), band) for slot, p, band in zip(judged.tolist(), probabilities, bands, strict=True)}
    # The relevant first (in rank order), then the weak tail.
    order = np.argsort(bands == "weak", kind="stable")
    ranked = np.concatenate([judged[order], ranked[len(judged):]])
    scores = np.concatenate([scores[:len(judged)][order], scores[len(judged):]])
    relevant = int((bands != "weak").sum())
    page = ranked[offset: offset + limit]
    documents = engine.documents(page)
    hits = [_hit(engine, int(slot), documents[int(slot)], kw, similarity, covered.get(int(slot), 0.0), terms, shown,
                 mode, float(score), judgements.get(int(slot), (0.0, "weak")))
            for slot, score in zip(page, scores[offset: offset + limit], strict=True)]
    verdict = relevance.verdict(bands.tolist())
    return SearchResult(query, mode, [t.term for t in terms if t.weight == 1.0], hits, total, facets, verdict,
                        _verdict_reason(verdict), relevant)


def rank_text(text: str, limit: int, engine: Snapshot | None = None) -> SearchResult:
    """A text judged and ranked as the search page does (fused), uncached and up to any length: what
    matching a text rests on, so that both give the same verdict."""
    return _search(engine or get_engine(), (text or "").strip(), None, limit, 0, "fused")


def _rank(engine: Snapshot, mode: str, weights, filters, similarity: np.ndarray, usable: np.ndarray,
          vector: np.ndarray):
    """Semantic or fused ranking: the ranked slots with their scores, all candidates (for the total and the
    facets), and the BM25 score of each candidate that has one."""
    semantic_pool = np.flatnonzero(usable & (similarity >= SEMANTIC_FLOOR))
    if len(semantic_pool) > SEMANTIC_CANDIDATES:
        top = np.argpartition(-similarity[semantic_pool], SEMANTIC_CANDIDATES)[:SEMANTIC_CANDIDATES]
        semantic_pool = np.sort(semantic_pool[top])
    semantic_ranked = semantic_pool[np.argsort(-similarity[semantic_pool], kind="stable")]
    if mode == "semantic":
        return semantic_ranked, similarity[semantic_ranked], semantic_ranked, {}
    keyword_ranked, keyword_scores, _ = engine.keyword(weights, filters, KEYWORD_CANDIDATES)
    kw = dict(zip(keyword_ranked.tolist(), keyword_scores.tolist(), strict=True))
    others = np.asarray([s for s in semantic_ranked.tolist() if s not in kw], dtype=np.int64)
    kw.update(engine.keyword_scores(weights, others))  # a semantic candidate's own BM25, if it has one
    if FUSION == "rrf":
        fused: dict[int, float] = {}
        for ranked in (keyword_ranked, semantic_ranked):
            for rank, pos in enumerate(ranked, start=1):
                fused[int(pos)] = fused.get(int(pos), 0.0) + 1.0 / (RRF_K + rank)
        items = sorted(fused.items(), key=lambda item: -item[1])
        ranked = np.array([p for p, _ in items], dtype=np.int64)
        return ranked, np.array([v for _, v in items], dtype=np.float64), ranked, kw
    # Weighted score fusion: each side scaled to [0, 1] within this query (BM25 by its best score,
    # similarity between the semantic floor and the best similarity), then mixed.
    pool = np.union1d(keyword_ranked, semantic_ranked)
    if not len(pool):
        return pool, np.zeros(0), pool, kw
    engine.complete_similarity(similarity, vector, keyword_ranked, usable)  # in place: judged from it too
    pool_kw = np.asarray([kw.get(s, 0.0) for s in pool.tolist()], dtype=np.float32)
    best_kw = float(pool_kw.max()) or 1.0
    best_sim = float(similarity[pool].max())
    semantic = np.clip((similarity[pool] - SEMANTIC_FLOOR) / max(best_sim - SEMANTIC_FLOOR, 1e-6), 0, 1)
    fused_scores = KEYWORD_SHARE * pool_kw / best_kw + (1 - KEYWORD_SHARE) * semantic
    order = np.argsort(-fused_scores, kind="stable")
    return pool[order], fused_scores[order], pool, kw


def _verdict_reason(verdict: str) -> str:
    if verdict == "match":
        return ""
    return ("目录中没有与检索内容真正相关的条目，以下结果仅供参考；"
            "可尝试换用其他说法，或提交需求由平台定向发布。")


def _hit(engine, slot, document, kw, similarity, coverage, terms, shown, mode, rank_score, judgement) -> SearchHit:
    meta = document["meta"]
    # Whole query words, their synonyms and the indexed words holding a one-character word: never the words
    # reached through the characters of an unknown word (高原病 does not make 提高 a hit).
    words = []
    for qt in terms:
        if not qt.backoff and qt.term in document["terms"] and qt.term not in words and (len(qt.term) > 1
                                                                                         or qt.term in shown):
            words.append(qt.term)
    probability, band = judgement
    similarity = 0.0 if similarity is None else float(similarity[slot])
    return SearchHit(
        listing_id=int(engine.listing_ids[slot]), reference=meta["reference"], kind=meta["kind"],
        title=meta["title"], score=round(float(rank_score), 6), keyword_score=round(float(kw.get(slot, 0.0)), 4),
        similarity=round(similarity, 4), coverage=round(float(coverage), 3),
        matched_terms=words, snippet=snippet(document["text"], words or [w for w in shown if len(w) > 1],
                                             folded=document["folded"]),
        explanation=explain(words, similarity > 0 and mode != "keyword"),
        relevance=round(probability, 3), band=band, band_label=relevance.band_label(band),
    )


def explain(words: list[str], semantic: bool) -> str:
    """Why a result is shown, in words: the query words it shares, and that its content is close."""
    reasons = []
    if words:
        reasons.append("共同关键词：" + "、".join(words[:8]))
    if semantic:
        reasons.append("内容相近")
    return "；".join(reasons) or "内容相近"


def snippet(text: str, words: list[str], width: int = SNIPPET_CHARS, folded: str | None = None) -> str:
    """A window of the description around the first matched word, HTML-escaped, words in <mark>. `folded` is
    the body as normalise() folds it, when the caller has it already."""
    body = description(text)
    folded = normalise(body) if folded is None else folded
    words = sorted({w for w in words if w}, key=len, reverse=True)
    first = min((i for i in (folded.find(w) for w in words) if i >= 0), default=0)
    start = max(0, first - width // 3)
    window = body[start: start + width]
    folded_window = folded[start: start + width]
    if not words:
        return html.escape(window) + ("…" if len(body) > start + width else "")
    out, last = [], 0
    for begin, end in _occurrences(folded_window, words):
        out.append(html.escape(window[last: begin]))
        out.append(f"<mark>{html.escape(window[begin: end])}</mark>")
        last = end
    out.append(html.escape(window[last:]))
    return ("…" if start else "") + "".join(out) + ("…" if len(body) > start + width else "")


def _occurrences(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where `words` (longest first) occur in `text`, leftmost first, the longer word where two start at the
    same place, without overlaps: what a regular expression alternating them would find, without compiling
    one per document."""
    found = []
    for rank, word in enumerate(words):
        i = text.find(word)
        while i >= 0:
            found.append((i, rank, i + len(word)))
            i = text.find(word, i + 1)
    spans, end = [], 0
    for begin, _, stop in sorted(found):
        if begin >= end:
            spans.append((begin, stop))
            end = stop
    return spans
