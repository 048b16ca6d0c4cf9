"""Matching: for a listing (or a text), the offers, demands and organisations that fit it, each with a
score, a confidence band and reasons a person can read, and an honest verdict when nothing in the catalogue
is relevant.

A text is ranked and judged exactly as the search page ranks and judges it (search.rank_text): one text,
one verdict. For a listing, every candidate that shares meaning or words with it gets the probability that a
person calls it a partner (relevance.py's listing model, fitted cross-validated on judged pairs): from the
cosine of the two passages' embeddings, the candidate's BM25 score for a "more like this" query of the
listing's most telling terms (as a share of the best candidate's), whether they are in the same field, and
whether the candidate is of the kind that answers the listing. Candidates are ranked by it, plus a small bonus
for the partnership ties of Qinghai (对口援青 province–prefecture pairings, supporting universities).
Listings of the subject's own organisations are never its partners. The reasons shown (shared key phrases,
field, cooperation mode, TRL, ties) explain the result in words."""

import bisect
import math
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np

from techmarket.catalogue.models import Field, Listing
from techmarket.directory.models import Organisation, Region
from techmarket.matching.models import InstitutionProfile, SearchDocument
from techmarket.matching.services import relevance as judgement
from techmarket.matching.services.embeddings import embed_passages, from_bytes
from techmarket.matching.services.engine import EngineFilters, Snapshot, get_engine
from techmarket.matching.services.reference_data import partnerships, university_pairs
from techmarket.matching.services.search import rank_text
from techmarket.matching.services.text import analyse, concepts_in, whole_words

KEY_TERMS = 25  # a listing's key terms (the first of its more-like-this terms): words a reason may name
MORE_LIKE_THIS_TERMS = 50  # the terms (most telling by tf·idf) of a listing's "more like this" keyword query
KEYWORD_CANDIDATES = 5000  # the best keyword hits of that query that are scored (the others count as none)
ORG_RELEVANCE = 0.30  # where an organisation's relevance for a related listing starts (it rises with the probability)
# A listing of a candidate counts for its organisation's track record from this probability of being a partner
# (related work: the organisations panel and targeted publishing suggest institutions that do it, below the
# relevance floor that the verdict and the bands use).
ORG_PROBABILITY = 0.05
TEXT_CHARS = 2000
TEXT_DEPTH = 100  # a text's ranked results from which its sections are made
INSTITUTION_FIELD_SCORE = 0.35
TIE_BONUS = {"aid": 0.05, "university": 0.05}  # added to a candidate's probability when ranking
CLOSE_MEANING = 0.88  # passage-to-passage cosine from which "内容相近" is a reason (the seed's median: 0.876)
SECTIONS = {  # per subject kind: each section and the kinds it holds (none: every kind)
    Listing.Kind.DEMAND: {"offers": (Listing.Kind.OFFER, Listing.Kind.PLATFORM),
                          "related": (Listing.Kind.DEMAND, Listing.Kind.TALENT)},
    Listing.Kind.OFFER: {"demands": (Listing.Kind.DEMAND,), "related": (Listing.Kind.OFFER,)},
    Listing.Kind.TALENT: {"related": ()},
    Listing.Kind.PLATFORM: {"demands": (Listing.Kind.DEMAND,), "related": (Listing.Kind.OFFER, Listing.Kind.PLATFORM)},
    "": {"offers": (Listing.Kind.OFFER, Listing.Kind.PLATFORM), "demands": (Listing.Kind.DEMAND,),
         "related": (Listing.Kind.TALENT,)},
}
# The kinds that answer a subject of each kind (the `answers` feature of relevance.py's listing model).
ANSWERS = {Listing.Kind.DEMAND: (Listing.Kind.OFFER, Listing.Kind.PLATFORM), Listing.Kind.OFFER: (Listing.Kind.DEMAND,),
           Listing.Kind.PLATFORM: (Listing.Kind.DEMAND,), Listing.Kind.TALENT: ()}
ORG_COLUMNS = ("id", "name", "kind", "region_id")  # all that matching reads of an organisation
INSTITUTION_KINDS = (Organisation.Kind.UNIVERSITY, Organisation.Kind.INSTITUTE,
                     Organisation.Kind.TRANSFER_INSTITUTION, Organisation.Kind.HOSPITAL)


@dataclass
class Reason:
    code: str
    label: str
    weight: float


@dataclass
class Match:
    listing_id: int
    reference: str
    kind: str
    title: str
    score: float
    relevance: float  # the probability that a person calls it relevant (relevance.py)
    reasons: list[Reason]
    band: str = "weak"

    @property
    def band_label(self) -> str:
        return judgement.band_label(self.band)

    @property
    def explanation(self) -> str:
        return "；".join(r.label for r in self.reasons)

    def as_dict(self) -> dict:
        return {**asdict(self), "band_label": self.band_label, "explanation": self.explanation}


@dataclass
class OrganisationFit:
    organisation_id: int
    name: str
    kind: str
    region: str
    score: float
    reasons: list[Reason]
    listings: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return "；".join(r.label for r in self.reasons)

    def as_dict(self) -> dict:
        return {**asdict(self), "explanation": self.explanation}


@dataclass
class MatchResult:
    subject: dict
    sections: dict[str, list[Match]]
    organisations: list[OrganisationFit]
    verdict: str
    verdict_reason: str
    ranked: list[Match] = field(default_factory=list)  # every section's results in one list, best first

    def as_dict(self) -> dict:
        return {"subject": self.subject, "verdict": self.verdict, "verdict_reason": self.verdict_reason,
                "results": {name: [m.as_dict() for m in matches] for name, matches in self.sections.items()},
                "ranked": [m.as_dict() for m in self.ranked],
                "organisations": [o.as_dict() for o in self.organisations]}


@dataclass
class _Subject:
    listing_id: int | None
    kind: str
    meta: dict
    vector: np.ndarray | None
    org_ids: list[int]
    text: str = ""  # what its terms were read from
    more_like_this: list[tuple[str, float]] = field(default_factory=list)  # its most telling terms, with boosts
    concepts: list[str] = field(default_factory=list)  # what it is about (text.concepts_in)


def _more_like_this(engine: Snapshot, text: str) -> list[tuple[str, float]]:
    """The keyword query that finds texts like `text`: its MORE_LIKE_THIS_TERMS most telling indexed words (by
    tf·idf), each boosted by 1 + log of how often the text uses it."""
    scored = []
    for term, tf in Counter(analyse(text)).items():
        df = engine.doc_freq(term) if len(term) > 1 else 0
        if df:
            scored.append((tf * engine.idf(df), term, 1.0 + math.log(tf)))
    scored.sort(reverse=True)
    return [(term, boost) for _, term, boost in scored[:MORE_LIKE_THIS_TERMS]]


def _subject_for_listing(engine: Snapshot, listing: Listing) -> _Subject:
    document = SearchDocument.objects.filter(listing=listing).first()
    if document is not None and document.vector is not None:
        vector = from_bytes(document.vector)
    else:
        vector = embed_passages([f"{listing.title}。{listing.description[:240]}"])[0]
    meta = document.meta if document else {"field": listing.field.code if listing.field_id else "",
                                           "top": listing.field.top.code if listing.field_id else "",
                                           "modes": list(listing.modes.values_list("code", flat=True)),
                                           "trl": listing.trl}
    text = f"{listing.title} {listing.title} {listing.description}"
    return _Subject(listing.pk, listing.kind, {**meta, "reference": listing.reference, "title": listing.title},
                    vector, list(listing.organisation_links.values_list("organisation_id", flat=True)), text,
                    _more_like_this(engine, text), meta.get("concepts") or concepts_in(text))


def _subject_for_text(text: str) -> _Subject:
    return _Subject(None, "", {"reference": "", "title": text[:60], "field": "", "top": "", "modes": []},
                    None, [], text)


class _Shared:
    """The subject's key terms each document holds, as words a person reads (text.whole_words), looked up
    when asked (only shown candidates need them)."""

    def __init__(self, engine: Snapshot, terms: list[str], mask: np.ndarray, text: str):
        self.engine, self.mask = engine, mask
        self.terms = whole_words(terms, text)

    def get(self, pos: int, default=None) -> list[str]:
        if not self.mask[pos]:
            return default
        held = self.engine.documents([pos])[pos]["terms"]
        return [term for term in self.terms if term in held] or default


@dataclass
class _Measures:
    """What matching measured of every slot for one listing (arrays over the snapshot's slots)."""
    mask: np.ndarray  # the slots that may be its partners
    candidates: np.ndarray  # those sharing meaning or words with it: the slots ranked (ascending)
    probability: np.ndarray  # that a person calls the slot a partner (0 outside the candidates)
    similarity: np.ndarray
    shared: _Shared


def _measure(engine: Snapshot, subject: _Subject, filters: EngineFilters) -> _Measures:
    """Every candidate's features for relevance.py's listing model (candidate_columns) and its judgement."""
    mask = engine.filter_mask(filters)
    candidates, similarity, columns = candidate_columns(engine, subject, filters, mask)
    probability = np.zeros(engine.size, dtype=np.float64)
    if len(candidates):
        probability[candidates] = judgement.judge_all("listing", columns)[0]
    # The words a reason may name as shared: the most telling KEY_TERMS of the query.
    shared = _Shared(engine, [term for term, _ in subject.more_like_this[:KEY_TERMS]], mask, subject.text)
    return _Measures(mask, candidates, probability, similarity, shared)


def candidate_columns(engine: Snapshot, subject: _Subject, filters: EngineFilters,
                      mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The candidates of a listing (the slots of `mask` that have a similarity from the scan or a keyword score
    for its "more like this" query), the similarity of every slot, and the candidates' features as
    relevance.listing_columns gives them (bench/eval.py fits the model on exactly these)."""
    n = engine.size
    keywords, hits = _keyword_shares(engine, subject.more_like_this, filters, mask)
    concepts, _ = _keyword_shares(engine, [(c, 1.0) for c in subject.concepts], filters, mask, "concepts")
    similarity = np.zeros(n, dtype=np.float32)
    if subject.vector is not None and n:
        usable = mask & (engine.has_vector != 0)
        similarity = engine.similarity(subject.vector, usable)
        engine.complete_similarity(similarity, subject.vector, hits, usable)
    candidates = np.flatnonzero(mask & ((similarity != 0) | (keywords > 0)))
    codes = engine.codes
    field_code, top_code = codes["field"].get(subject.meta.get("field") or ""), codes["field"].get(
        subject.meta.get("top") or "")
    same_area = engine.area[candidates] == field_code if subject.meta.get("field") else np.zeros(len(candidates), bool)
    same_top = engine.top[candidates] == top_code if subject.meta.get("top") else np.zeros(len(candidates), bool)
    answer_codes = [codes["kind"].get(kind) for kind in ANSWERS.get(subject.kind, ())]
    columns = judgement.listing_columns(similarity[candidates], keywords[candidates],
                                        np.where(same_area, 1.0, np.where(same_top, 0.5, 0.0)),
                                        np.isin(engine.kind[candidates], answer_codes), concepts[candidates])
    return candidates, similarity, columns


def _keyword_shares(engine: Snapshot, terms: list[tuple[str, float]], filters: EngineFilters,
                    mask: np.ndarray, field: str = "terms") -> tuple[np.ndarray, np.ndarray]:
    """Every slot's BM25 for `terms` in `field` as a share of the best slot's (0 … 1; 0 beyond the
    KEYWORD_CANDIDATES best), and the slots of `mask` that hold any of them."""
    shares = np.zeros(engine.size, dtype=np.float64)
    hits, scores, _ = engine.keyword(terms, filters, KEYWORD_CANDIDATES, field)
    keep = mask[hits] if len(hits) else np.zeros(0, dtype=bool)
    hits, scores = hits[keep], scores[keep]
    if len(hits) and scores.max() > 0:
        shares[hits] = scores / scores.max()
    return shares, hits


class _Context:
    """Lookups shared by one matching call: regions, aid pairings, organisations, field names."""

    def __init__(self, org_ids: set[int]):
        self.regions = {r.pk: r for r in Region.objects.select_related("aid_partner", "parent")}
        self.orgs = Organisation.objects.only(*ORG_COLUMNS).in_bulk(org_ids)
        self.fields = {f.code: f for f in Field.objects.select_related("parent")}
        self.compat = partnerships()["mode_compatibility"]
        self.pairs = university_pairs()
        self._ties: dict[tuple, list[Reason]] = {}

    def org(self, org_id: int) -> Organisation | None:
        if org_id not in self.orgs:
            found = Organisation.objects.only(*ORG_COLUMNS).filter(pk=org_id).first()
            if found:
                self.orgs[org_id] = found
        return self.orgs.get(org_id)

    def ties(self, a_ids: list[int], b_ids: list[int]) -> list[Reason]:
        key = (tuple(a_ids), tuple(b_ids))
        if key not in self._ties:
            self._ties[key] = self._find_ties(a_ids, b_ids)
        return list(self._ties[key])

    def _find_ties(self, a_ids: list[int], b_ids: list[int]) -> list[Reason]:
        reasons = []
        for a_id in a_ids:
            for b_id in b_ids:
                a, b = self.org(a_id), self.org(b_id)
                if not a or not b:
                    continue
                if frozenset((a.name, b.name)) in self.pairs:
                    reasons.append(Reason("university", f"对口支援高校：{a.name}—{b.name}", TIE_BONUS["university"]))
                aid = self._aid(a, b) or self._aid(b, a)
                if aid:
                    reasons.append(Reason("aid", f"对口援青：{aid}", TIE_BONUS["aid"]))
        unique = {r.label: r for r in reasons}
        return list(unique.values())[:2]

    def _aid(self, prefecture_org: Organisation, province_org: Organisation) -> str:
        region = self.regions.get(prefecture_org.region_id)
        other = self.regions.get(province_org.region_id)
        if region and other and region.aid_partner_id and region.aid_partner_id == other.pk:
            return f"{other.name}—{region.name}"
        return ""


def _reasons(ctx: _Context, subject: _Subject, meta: dict, similarity: float) -> list[Reason]:
    """Why a candidate fits, in words; only the partnership ties carry a weight (TIE_BONUS), the rest is in
    its probability already or explains it."""
    reasons = []
    shared = [concept for concept in subject.concepts if concept in meta.get("concepts", ())]
    if shared:
        reasons.append(Reason("concepts", "共同主题：" + "、".join(shared[:4]), 0.0))
    if similarity >= CLOSE_MEANING:
        reasons.append(Reason("semantic", "内容相近", 0.0))
    if subject.meta.get("field") and meta.get("field") == subject.meta.get("field"):
        area = ctx.fields.get(meta["field"])
        reasons.append(Reason("area", f"同属领域：{area}", 0.0))
    elif subject.meta.get("top") and meta.get("top") == subject.meta.get("top"):
        top = ctx.fields.get(meta["top"])
        reasons.append(Reason("field", f"同属{top}领域", 0.0))
    if subject.kind == Listing.Kind.DEMAND and meta.get("kind") == Listing.Kind.OFFER:
        answers = {offer for mode in subject.meta.get("modes", []) for offer in ctx.compat.get(mode, [])}
        fitting = [m for m in meta.get("modes", []) if m in answers]
        if fitting:
            reasons.append(Reason("modes", "合作方式相容", 0.0))
    elif subject.kind == Listing.Kind.OFFER and meta.get("kind") == Listing.Kind.DEMAND:
        answers = {offer for mode in meta.get("modes", []) for offer in ctx.compat.get(mode, [])}
        if any(m in answers for m in subject.meta.get("modes", [])):
            reasons.append(Reason("modes", "合作方式相容", 0.0))
    need, have = subject.meta.get("trl"), meta.get("trl")
    if subject.kind == Listing.Kind.DEMAND and need and have and have >= need:
        reasons.append(Reason("trl", f"技术成熟度满足需求（TRL {have} ≥ {need}）", 0.0))
    reasons += ctx.ties(subject.org_ids, meta.get("orgs", []))
    return reasons


def _matches(engine, ctx, subject, measures: _Measures, mask, limit) -> list[Match]:
    """The `limit` best candidates of `mask` by score (probability plus the ties' bonuses), ties in position
    order.

    Candidates are scored in the order of an upper bound of their score (the partnership ties at most); scoring
    stops once the bound cannot reach the current limit-th score, so the result is that of scoring every
    candidate."""
    candidates = measures.candidates[mask[measures.candidates]]
    if not len(candidates) or limit <= 0:
        return []
    probability = measures.probability
    model = judgement.calibration().listing
    bounds = _score_bounds(engine, ctx, subject, probability, candidates)
    top: list[tuple[float, int, Match]] = []  # (score, position, match), best first
    for i in np.lexsort((candidates, -bounds)):
        pos, bound = int(candidates[i]), float(bounds[i])
        if len(top) >= limit:
            kth_score, kth_pos = top[-1][0], top[-1][1]
            if bound < kth_score - 5e-5:  # rounded to 4 places, its score stays below the limit-th
                break
            if bound < kth_score + 5e-5 and pos > kth_pos:  # at best a tie, placed after the limit-th
                continue
        meta = engine.meta[pos]
        reasons = _reasons(ctx, subject, meta, float(measures.similarity[pos]))
        score = round(min(1.0, float(probability[pos]) + sum(r.weight for r in reasons)), 4)
        bisect.insort(top, (score, pos, Match(int(engine.listing_ids[pos]), meta["reference"], meta["kind"],
                                              meta["title"], score, round(float(probability[pos]), 3), reasons,
                                              model.band(float(probability[pos])))),
                      key=lambda item: (-item[0], item[1]))
        del top[limit:]
    matches = []
    for _, pos, match in top:
        terms = measures.shared.get(pos, [])
        if terms:
            match.reasons.insert(0, Reason("terms", "共同关键词：" + "、".join(terms[:6]), 0.0))
        matches.append(match)
    return matches


def _score_bounds(engine, ctx, subject, probability, candidates) -> np.ndarray:
    """For each candidate, at least the score _matches would give it: its probability and every tie bonus its
    organisations could bring."""
    bonus = np.zeros(len(candidates), dtype=np.float64)
    if subject.org_ids:
        index = np.full(len(probability), -1, dtype=np.int64)
        index[candidates] = np.arange(len(candidates))
        ties = np.zeros(len(candidates), dtype=np.float64)
        for org_id in list(ctx.orgs):
            weight = sum(r.weight for r in ctx.ties(subject.org_ids, [org_id]))
            if weight:
                positions = engine.organisation_positions(org_id)
                rows = index[positions[positions < len(index)]]
                np.add.at(ties, rows[rows >= 0], weight)
        bonus += np.minimum(ties, 2 * max(TIE_BONUS.values()))
    return np.minimum(1.0, probability[candidates] + bonus) + 1e-9


def _organisation_context(engine: Snapshot, subject: _Subject, measures: _Measures) -> tuple[np.ndarray, _Context]:
    """Each slot's relevance for the organisations panel (from ORG_PROBABILITY, ORG_RELEVANCE and above in
    proportion to its probability; 0 below), and the lookups for the organisations it makes relevant."""
    probability = measures.probability
    related = measures.mask & (probability >= ORG_PROBABILITY)
    relevance = np.where(related, ORG_RELEVANCE + (1 - ORG_RELEVANCE) * probability, 0.0)
    return relevance, _Context(_relevant_organisations(engine, relevance) | set(subject.org_ids))


def _relevant_organisations(engine: Snapshot, relevance: np.ndarray) -> set[int]:
    """The organisations of the documents relevant enough to be suggested."""
    relevant = relevance >= ORG_RELEVANCE
    found = set()
    for org_id in list(engine.org_positions):
        positions = engine.organisation_positions(org_id)
        if relevant[positions[positions < len(relevant)]].any():
            found.add(org_id)
    return found


def _organisations(engine, ctx, subject, relevance, mask, limit, institutions_only=False) -> list[OrganisationFit]:
    best: dict[int, float] = {}
    refs: dict[int, list[str]] = {}  # the first five, in catalogue order
    counts: dict[int, int] = {}
    relevant = mask & (relevance >= ORG_RELEVANCE)
    for org_id in list(engine.org_positions):
        if org_id in subject.org_ids:
            continue
        positions = engine.organisation_positions(org_id)
        positions = positions[positions < len(relevant)]
        positions = positions[relevant[positions]]
        if len(positions):
            best[org_id] = float(relevance[positions].max())
            counts[org_id] = len(positions)
            refs[org_id] = positions[:5]
    documents = engine.documents([pos for positions in refs.values() for pos in positions])
    titles = {org_id: documents[int(positions[0])]["meta"]["title"] for org_id, positions in refs.items()}
    refs = {org_id: [documents[int(pos)]["meta"]["reference"] for pos in positions]
            for org_id, positions in refs.items()}
    top = subject.meta.get("top")
    strong = set()
    if top:
        strong = set(InstitutionProfile.objects.filter(fields__code=top).values_list("organisation_id", flat=True))
    fits = []
    for org_id in set(best) | strong:
        org = ctx.org(org_id)
        if org is None or (institutions_only and org.kind not in INSTITUTION_KINDS):
            continue
        reasons = []
        score = best.get(org_id, 0.0)
        if org_id in refs:
            count = counts[org_id]
            title = titles[org_id] if len(titles[org_id]) <= 24 else titles[org_id][:24] + "…"
            reasons.append(Reason("track-record", f"有{count}项相关条目（如“{title}”）", 0.0))
            score += 0.05 * min(count - 1, 4)
        if org_id in strong:
            field_name = ctx.fields[top].name if top in ctx.fields else top
            reasons.append(Reason("strength", f"优势领域：{field_name}", INSTITUTION_FIELD_SCORE))
            score = max(score, INSTITUTION_FIELD_SCORE) + (0.1 if org_id in refs else 0.0)
        ties = ctx.ties(subject.org_ids, [org_id])
        reasons += ties
        score += sum(r.weight for r in ties)
        region = ctx.regions.get(org.region_id)
        fits.append(OrganisationFit(org_id, org.name, org.kind, region.name if region else "",
                                    round(min(score, 1.0), 4), reasons, refs.get(org_id, [])))
    fits.sort(key=lambda f: (-f.score, f.name))
    return fits[:limit]


def _run(subject: _Subject, limit: int, engine: Snapshot) -> MatchResult:
    exclude = EngineFilters(exclude_ids=(subject.listing_id,), exclude_organisations=tuple(subject.org_ids))
    measures = _measure(engine, subject, exclude)
    relevance, ctx = _organisation_context(engine, subject, measures)
    sections = {}
    for name, kinds in SECTIONS.get(subject.kind, SECTIONS[""]).items():
        mask = measures.mask & _kinds_mask(engine, kinds) if kinds else measures.mask
        sections[name] = _matches(engine, ctx, subject, measures, mask, limit)
    ranked = sorted((m for matches in sections.values() for m in matches), key=lambda m: -m.score)[:limit]
    organisations = _organisations(engine, ctx, subject, relevance, measures.mask, limit)
    return _result(subject, sections, organisations, ranked)


def _kinds_mask(engine: Snapshot, kinds: tuple[str, ...]) -> np.ndarray:
    mask = np.zeros(engine.size, dtype=bool)
    for kind in kinds:
        mask |= engine.kind == engine.codes["kind"].get(kind)
    return mask


def _result(subject: _Subject, sections: dict, organisations: list, ranked: list[Match],
            verdict: str | None = None) -> MatchResult:
    verdict = verdict or judgement.verdict([m.band for m in ranked])
    reason = "" if verdict == "match" else ("目录中暂无真正相关的条目，以下结果仅供参考。"
                                            "建议由平台向相关领域的高校和科研院所定向发布。")
    subject_info = {"reference": subject.meta.get("reference", ""), "kind": subject.kind,
                    "title": subject.meta.get("title", "")}
    return MatchResult(subject_info, sections, organisations, verdict, reason, ranked)


def match_listing(listing: Listing, limit: int = 10, engine: Snapshot | None = None) -> MatchResult:
    engine = engine or get_engine()
    return _run(_subject_for_listing(engine, listing), limit, engine)


def match_text(text: str, limit: int = 10, engine: Snapshot | None = None) -> MatchResult:
    """What fits a text: its search ranking (search.rank_text) split into sections, with the same bands and
    the same verdict as the search page gives it, and the organisations behind the relevant results."""
    engine = engine or get_engine()
    text = text.strip()[:TEXT_CHARS]
    subject = _subject_for_text(text)
    answer = rank_text(text, max(TEXT_DEPTH, limit), engine)
    matches = [Match(h.listing_id, h.reference, h.kind, h.title, round(h.score, 4), h.relevance,
                     [Reason("terms" if i == 0 and h.matched_terms else "semantic", label, 0.0)
                      for i, label in enumerate(h.explanation.split("；")) if label], h.band)
               for h in answer.hits]
    sections = {name: [m for m in matches if not kinds or m.kind in kinds][:limit]
                for name, kinds in SECTIONS[""].items()}
    relevance = np.zeros(engine.size, dtype=np.float32)
    slots = {int(listing_id): slot for slot, listing_id in enumerate(engine.listing_ids.tolist())
             if engine.alive[slot]} if matches else {}
    for m in matches:
        if m.band != "weak" and m.listing_id in slots:
            relevance[slots[m.listing_id]] = max(m.relevance, ORG_RELEVANCE)
    ctx = _Context(_relevant_organisations(engine, relevance))
    organisations = _organisations(engine, ctx, subject, relevance, engine.filter_mask(EngineFilters()), limit)
    return _result(subject, sections, organisations, matches[:limit], answer.verdict)


def rank_institutions(listing: Listing, limit: int = 20, engine: Snapshot | None = None) -> list[OrganisationFit]:
    """Institutions (universities, institutes, transfer institutions, hospitals, in Qinghai or outside)
    ranked by their fit to a listing: for targeted publishing (定向发布)."""
    engine = engine or get_engine()
    subject = _subject_for_listing(engine, listing)
    measures = _measure(engine, subject, EngineFilters(exclude_ids=(listing.pk,)))
    relevance, ctx = _organisation_context(engine, subject, measures)
    return _organisations(engine, ctx, subject, relevance, measures.mask, limit, institutions_only=True)
