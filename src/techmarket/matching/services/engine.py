"""What search and matching read: a consistent snapshot of the node's index (nodeindex.py).

A snapshot pairs a tantivy searcher (keywords: BM25 over the analysed terms, filters, facets, stored text) with
the columns and vectors of the slots that existed at its sequence number (filters, facets, meaning). It is
immutable for its user: the writer only appends slots beyond its size and kills slots from a later sequence
number, so any number of threads may search one snapshot while the index moves on.
"""

import json
import os
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numkong
import numpy as np
import tantivy
from django.conf import settings
from tantivy import Occur, Query

from techmarket.matching.services.nodeindex import SCHEMA, NodeIndex, to_int8

EXACT_LIMIT = 50_000  # up to this many slots, similarity is one float32 product over all of them; above, an int8
# scan picks candidates rescored in float32 (at 100k on one core: 2 against 7.6 ms, reading a quarter of the bytes)
QUANTISED_CANDIDATES = 1000  # above it: the best of an int8 scan, then rescored in float32
EXACT_SUBSET = 50_000  # a filter leaving at most this many: float32 over just those
ONE_THREAD_SCAN = 400_000  # up to this many slots the int8 scan runs on the searching thread alone (a serving process
# per core keeps the others busy); above, it is split over every core (1M slots: 28 ms on one, 14 on two)
SCAN_THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
EXPANSION_SCAN = 512  # expansions are the most frequent of the first this many indexed words holding a character
# (in first-seen order: a corpus's frequent words come early; 97 % of the exact top 12 at 100k listings, where a
# digit is held by 7,000 words and counting each one's documents took 30 ms)
SAMPLE_STEP = 64  # _best() reads every 64th score to find a threshold the best k are above
_SCAN_POOL: ThreadPoolExecutor | None = None
_SCAN_POOL_LOCK = threading.Lock()


def _dots(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """The dot product of every row of `matrix` (float32 or int8) with `vector` of the same type, as float32: NumKong's
    SIMD kernels on the calling thread (int8 with integer arithmetic, exact), no copy of the rows."""
    return np.asarray(numkong.cdist(vector[None, :], matrix, metric="dot", out_dtype="float32"))[0]


def _scan(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """_dots over a large matrix, in one slice of rows per core above ONE_THREAD_SCAN rows (NumKong releases the
    GIL, so the slices run at once)."""
    n = len(matrix)
    if n <= ONE_THREAD_SCAN or SCAN_THREADS < 2:
        return _dots(matrix, vector)
    global _SCAN_POOL
    with _SCAN_POOL_LOCK:
        if _SCAN_POOL is None:
            _SCAN_POOL = ThreadPoolExecutor(SCAN_THREADS, thread_name_prefix="similarity-scan")
    bounds = np.linspace(0, n, SCAN_THREADS + 1).astype(int)
    parts = [_SCAN_POOL.submit(_dots, matrix[a:b], vector) for a, b in zip(bounds, bounds[1:], strict=False)]
    return np.concatenate([part.result() for part in parts])


def _best(scores: np.ndarray, k: int) -> np.ndarray:
    """The positions of the k largest scores (in no order), exactly: a threshold read off every SAMPLE_STEP-th
    score leaves a few thousand candidates, and the k best of those are the k best of all whenever at least k
    reach it (else the whole array is partitioned). At 1M scores: 0.5 against 11 ms for np.argpartition."""
    n = len(scores)
    sample = scores[::SAMPLE_STEP]
    m = 2 * k // SAMPLE_STEP + 1
    if k < n and m < len(sample):
        threshold = np.partition(sample, len(sample) - m)[len(sample) - m]
        candidates = np.flatnonzero(scores >= threshold)
        if len(candidates) >= k:
            return candidates[np.argpartition(scores[candidates], len(candidates) - k)[len(candidates) - k:]]
    return np.argpartition(scores, n - k)[n - k:] if k < n else np.arange(n)


@dataclass
class EngineFilters:
    kind: str = ""
    field: str = ""  # a top field or an area code
    mode: str = ""
    region: str = ""
    status: str = ""
    exclude_ids: tuple[int, ...] = ()
    organisations: tuple[int, ...] = ()  # documents of any of these organisations
    exclude_organisations: tuple[int, ...] = ()  # no document of any of these organisations


class Codes:
    """The small integer code of each metadata value (code 0 unused; -1 for a value never seen)."""

    def __init__(self, values: list[str]):
        self.values = ["", *values]
        self.codes = {value: i + 1 for i, value in enumerate(values)}

    def get(self, value: str) -> int:
        return self.codes.get(value, -1)


def _term(term: str, field: str = "terms") -> Query:
    return Query.term_query(SCHEMA, field, term, index_option="freq")


def _const(query: Query) -> Query:
    return Query.const_score_query(query, 0.0)


SLOT_TERMS_LIMIT = 2000  # up to this many slots are looked up one by one, more through a term set


def _slots(slots: list[int]) -> Query:
    """The documents of these slots. A term set streams the whole slot dictionary (0.75 ms at 100k documents,
    whatever the number of slots); a few hundred term lookups cost a fraction of that."""
    if len(slots) > SLOT_TERMS_LIMIT:
        return Query.term_set_query(SCHEMA, "slot", slots)
    return Query.boolean_query([(Occur.Should, Query.term_query(SCHEMA, "slot", int(s))) for s in slots])


def _spaced(node: tuple) -> tuple:
    """A (terms, parts) node with each term as the bytes Words looks for."""
    terms, parts = node
    return tuple(f" {t} ".encode() for t in terms), tuple(_spaced(part) for part in parts)


def _covers(node: tuple, held: bytes) -> bool:
    """Whether a document whose spaced terms are `held` covers a _spaced node: any of its terms, or every part."""
    terms, parts = node
    for term in terms:
        if term in held:
            return True
    return bool(parts) and all(_covers(part, held) for part in parts)


class Words:
    """The indexed terms of a stored document, as stored (UTF-8, each between spaces): `term in words` without
    decoding them or building a set (a search asks about a few terms of ten documents, each holding dozens)."""

    __slots__ = ("spaced",)

    def __init__(self, spaced: bytes):
        self.spaced = spaced

    def __contains__(self, term: str) -> bool:
        return f" {term} ".encode() in self.spaced


class _Meta:
    """meta[slot]: a document's stored metadata, read from tantivy when first asked."""

    def __init__(self, snapshot: "Snapshot"):
        self.snapshot = snapshot

    def __getitem__(self, slot) -> dict:
        return self.snapshot.documents([int(slot)])[int(slot)]["meta"]


class Snapshot:
    def __init__(self, build, manifest: dict, columns, searcher, ahead: bool = True):
        n = manifest["size"]
        self.build, self.manifest, self.searcher = build, manifest, searcher
        self.key = (build.token if build is not None else "", manifest.get("commit", 0))  # what it answers from
        self.seq = manifest["seq"]
        self.size = n
        self.n_alive = manifest["alive"]
        # (A name an empty snapshot never saw has no values: every lookup gives -1.)
        self.codes = defaultdict(lambda: Codes([]), {name: Codes(values) for name, values in manifest["codes"].items()})
        # Plain ndarray views of the mapped columns (np.asarray copies nothing): indexing a np.memmap goes through
        # its Python-level __getitem__ (7.6 against 1.6 µs a lookup, a search makes a dozen or more).
        self.listing_ids = np.asarray(columns["listing_id"][:n]) if n else np.zeros(0, dtype=np.int64)
        if n:
            self.alive = columns["killed"][:n] > self.seq
            for name in ("kind", "top", "area", "status", "trl", "mode_bits", "region_bits",
                         "has_vector", "vectors", "vectors_i8", "stored_at"):
                setattr(self, name, np.asarray(columns[name][:n]))
            entries = manifest["entries"]
            self._entries = (np.asarray(columns["org_slot"][:entries]), np.asarray(columns["org_id"][:entries]))
        else:  # nothing indexed yet: empty columns, so that every reader works unchanged
            self.alive = np.zeros(0, dtype=bool)
            for name in ("kind", "top", "area", "status", "trl", "mode_bits", "region_bits", "has_vector"):
                setattr(self, name, np.zeros(0, dtype=np.int64))
            self.vectors, self.vectors_i8 = np.zeros((0, 0), dtype=np.float32), np.zeros((0, 0), dtype=np.int8)
            self.stored_at = np.zeros((0, 3), dtype=np.int64)
            self._entries = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        self.meta = _Meta(self)
        self._lock = threading.Lock()
        # Stored documents and expansions, kept for the build across its snapshots (an empty snapshot has none).
        self._documents = build.kept_documents if build is not None else {}
        self._expansions = build.kept_expansions if build is not None else {}
        self._kept_lock = build.kept_lock if build is not None else threading.Lock()
        self._store = build.store if build is not None else None
        self._vocabulary_size = len(build.vocabulary.terms) if build is not None else 0  # read to the manifest's
        self._org_positions: dict[int, np.ndarray] | None = None
        if searcher is not None:
            # What this snapshot may see of the searcher: at the manifest's own commit, every document but those
            # of slots killed in it (their deletion waits for the next commit); a searcher one commit ahead also
            # holds that commit's new slots, which a range on the slot hides (a scan of the slot column: only
            # then). Hits are checked against the slots and `alive` as well (_run).
            self._visible = []
            if ahead:
                self._visible.append((Occur.Must, _const(Query.range_query(
                    SCHEMA, "slot", tantivy.FieldType.Unsigned, 0, max(n - 1, 0)))))
            if manifest["unpurged"]:
                self._visible.append((Occur.MustNot, _slots(manifest["unpurged"])))

    @classmethod
    def empty(cls) -> "Snapshot":
        return cls(None, {"size": 0, "seq": 0, "alive": 0, "codes": {}, "entries": 0, "unpurged": []}, None, None)

    # -- terms ----------------------------------------------------------------------------------------------
    def doc_freq(self, term: str) -> int:
        return self.searcher.doc_freq("terms", term) if self.searcher is not None else 0

    def idf(self, df: int) -> float:
        n = max(self.n_alive, 1)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def expansions(self, term: str, limit: int = 12) -> list[str]:
        """Indexed terms containing `term`, most frequent first: for a single character or an unknown word."""
        # Kept for the build while its vocabulary does not grow (a new word may contain `term`); the order by
        # document frequency may lag behind edits until then, which only shifts which expansions are tried.
        key = (term, limit, self._vocabulary_size)
        with self._kept_lock:
            found = self._expansions.get(key)
        if found is None:
            candidates = self.build.vocabulary.containing(term, EXPANSION_SCAN) if self.build else []
            counted = [(t, self.doc_freq(t)) for t in candidates]
            counted.sort(key=lambda item: -item[1])
            found = [t for t, df in counted if df > 0][:limit]
            with self._kept_lock:
                self._expansions[key] = found
        return list(found)

    # -- keywords (tantivy) ---------------------------------------------------------------------------
    def _filters(self, filters: EngineFilters | None) -> list:
        clauses = list(self._visible)
        if filters is None:
            return clauses
        for name, value in (("kind", filters.kind), ("status", filters.status), ("modes", filters.mode),
                            ("regions", filters.region)):
            if value:
                clauses.append((Occur.Must, _const(Query.term_query(SCHEMA, name, value))))
        if filters.field:
            clauses.append((Occur.Must, _const(Query.boolean_query([
                (Occur.Should, Query.term_query(SCHEMA, "top", filters.field)),
                (Occur.Should, Query.term_query(SCHEMA, "area", filters.field))]))))
        if filters.organisations:
            clauses.append((Occur.Must, _const(Query.term_set_query(SCHEMA, "orgs", list(filters.organisations)))))
        if filters.exclude_ids:
            clauses.append((Occur.MustNot, Query.term_set_query(SCHEMA, "listing_id", list(filters.exclude_ids))))
        if filters.exclude_organisations:
            clauses.append((Occur.MustNot, Query.term_set_query(SCHEMA, "orgs", list(filters.exclude_organisations))))
        return clauses

    @staticmethod
    def _terms_query(terms: list[tuple[str, float]], field: str = "terms") -> Query:
        return Query.boolean_query([(Occur.Should, Query.boost_query(_term(t, field), w)) for t, w in terms])

    def _run(self, query: Query, limit: int, count: bool = False):
        result = self.searcher.search(query, max(limit, 1), count=count)
        hits = result.hits
        slots = np.asarray(self.searcher.fast_field_values("slot", [a for _, a in hits]) if hits else [],
                           dtype=np.int64)
        scores = np.asarray([s for s, _ in hits], dtype=np.float32)
        keep = slots < self.size
        keep[keep] = self.alive[slots[keep]]
        slots, scores = slots[keep], scores[keep]
        order = np.lexsort((slots, -scores))  # best first, ties in slot order
        return slots[order], scores[order], (result.count if count else len(slots))

    def keyword(self, terms: list[tuple[str, float]], filters: EngineFilters | None, limit: int,
                field: str = "terms"):
        """The best `limit` slots by BM25 (with each term's weight) in `field` (index terms, or the concepts of
        text.concepts_in), their scores, and how many match."""
        if self.searcher is None or not terms:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), 0
        clauses = self._filters(filters)
        query = self._terms_query(terms, field)
        if clauses:  # (a boolean query around the terms alone costs a tenth more)
            query = Query.boolean_query([(Occur.Must, query), *clauses])
        return self._run(query, limit, count=True)

    def keyword_scores(self, terms: list[tuple[str, float]], slots: np.ndarray) -> dict[int, float]:
        """BM25 scores of those of `slots` that hold any of the terms."""
        if self.searcher is None or not terms or not len(slots):
            return {}
        query = Query.boolean_query([(Occur.Must, self._terms_query(terms)),
                                     (Occur.Must, _const(_slots(slots.tolist()))),
                                     *self._visible])
        found, scores, _ = self._run(query, len(slots))
        return dict(zip(found.tolist(), scores.tolist(), strict=True))

    def shares(self, words: list[tuple[tuple, float]], slots: np.ndarray) -> np.ndarray:
        """For each of `slots`, the sum of the shares of the `words` it covers: ((terms, parts) nodes, each with
        its share). A document covers a node when it holds any of its terms, or covers every one of its parts.
        Read off the slots' stored terms (a pread each, no query)."""
        slots = np.asarray(slots, dtype=np.int64)
        out = np.zeros(len(slots), dtype=np.float64)
        words = [(_spaced(node), share) for node, share in words if node[0] or node[1]]
        if not words or not len(slots):
            return out
        for i, held in enumerate(self.terms(slots)):
            out[i] = sum(share for node, share in words if _covers(node, held.spaced))
        return out

    def terms(self, slots) -> list[Words]:
        """The indexed terms of each of these slots."""
        read, where = self._store.read, self.stored_at[np.asarray(slots, dtype=np.int64), 1:].tolist()
        return [Words(read(start, end)) for start, end in where]

    def documents(self, slots) -> dict[int, dict]:
        """Stored metadata, text, folded description and terms (Words) of these slots (kept for the build)."""
        slots = [int(s) for s in slots]
        with self._kept_lock:
            out = {s: self._documents.get(s) for s in slots}
        read = {}
        wanted = [slot for slot in dict.fromkeys(slots) if out[slot] is None]
        for slot, (start, middle, end) in zip(wanted, self.stored_at[wanted].tolist(), strict=True):
            data = self._store.read(start, end)
            document = json.loads(data[: middle - start])
            document["terms"] = Words(data[middle - start:])
            read[slot] = document
        if read:
            with self._kept_lock:
                self._documents.update(read)
            out.update(read)
        return out

    # -- columns (filters, facets, organisations) ----------------------------------------------------
    def filter_mask(self, filters: EngineFilters) -> np.ndarray:
        n = self.size
        if not n:
            return np.zeros(0, dtype=bool)
        mask = self.alive.copy()
        codes = self.codes
        if filters.kind:
            mask &= self.kind == codes["kind"].get(filters.kind)
        if filters.field:
            code = codes["field"].get(filters.field)
            mask &= (self.top == code) | (self.area == code)
        if filters.status:
            mask &= self.status == codes["status"].get(filters.status)
        for name, value in (("mode", filters.mode), ("region", filters.region)):
            if value:
                code = codes[name].get(value)
                column = self.mode_bits if name == "mode" else self.region_bits
                mask &= (column & (1 << code)) != 0 if 0 < code < 63 else False
        if filters.exclude_ids:
            mask &= ~np.isin(self.listing_ids, list(filters.exclude_ids))
        if filters.organisations or filters.exclude_organisations:
            slots, orgs = self._entries
        if filters.organisations:
            allowed = np.zeros(n, dtype=bool)
            allowed[slots[np.isin(orgs, list(filters.organisations))]] = True
            mask &= allowed
        if filters.exclude_organisations:
            mask[slots[np.isin(orgs, list(filters.exclude_organisations))]] = False
        return mask

    def facet_counts(self, slots: np.ndarray) -> dict[str, dict[str, int]]:
        """How many of these slots have each kind, field, mode, region and status (empty values left out),
        most frequent first."""
        slots = np.asarray(slots, dtype=np.int64)
        facets = {}
        for name, codes, column in (("kind", "kind", self.kind), ("field", "field", self.top)):
            facets[name] = self._count(self.codes[codes], column[slots])
        for name, column in (("mode", self.mode_bits), ("region", self.region_bits)):
            values = self.codes[name].values
            codes = np.arange(min(len(values), 63), dtype=np.int64)
            counts = np.zeros(len(values), dtype=np.int64)
            counts[:len(codes)] = ((column[slots][:, None] >> codes) & 1).sum(axis=0)
            facets[name] = self._ordered(values, counts)
        facets["status"] = self._count(self.codes["status"], self.status[slots])
        return facets

    @classmethod
    def _count(cls, codes: Codes, column: np.ndarray) -> dict[str, int]:
        return cls._ordered(codes.values, np.bincount(column.astype(np.int64), minlength=len(codes.values)))

    @staticmethod
    def _ordered(values: list[str], counts: np.ndarray) -> dict[str, int]:
        order = np.argsort(-counts, kind="stable")
        return {values[c]: int(counts[c]) for c in order if counts[c] and values[c]}

    @property
    def org_positions(self) -> dict[int, np.ndarray]:
        """Each organisation's slots, ascending (killed ones included: callers mask them)."""
        if self._org_positions is None:
            slots, orgs = self._entries if self.size else (np.zeros(0, np.int64), np.zeros(0, np.int64))
            order = np.lexsort((slots, orgs))
            slots, orgs = slots[order], orgs[order]
            bounds = np.flatnonzero(np.diff(orgs)) + 1
            self._org_positions = {int(group_orgs[0]): group_slots for group_slots, group_orgs in
                                   zip(np.split(slots, bounds), np.split(orgs, bounds), strict=True) if len(group_orgs)}
        return self._org_positions

    def organisation_positions(self, org_id: int) -> np.ndarray:
        return self.org_positions.get(org_id, np.zeros(0, dtype=np.int64))

    # -- meaning -----------------------------------------------------------------------------------------
    def similarity(self, vector: np.ndarray, usable: np.ndarray) -> np.ndarray:
        """Cosine of `vector` with every usable slot (0 elsewhere). Exact in float32 up to EXACT_LIMIT slots;
        above, the best QUANTISED_CANDIDATES usable slots of an int8 scan are rescored in float32 (recall in
        docs/search.md)."""
        n = self.size
        if not n or not usable.any():
            return np.zeros(n, dtype=np.float32)
        vector = np.asarray(vector, dtype=np.float32)
        if n <= EXACT_LIMIT:
            # One product over the whole matrix (no copy of the rows); unusable rows are then zeroed.
            return np.where(usable, _dots(self.vectors, vector), np.float32(0))
        similarity = np.zeros(n, dtype=np.float32)
        count = int(usable.sum())
        if count <= EXACT_SUBSET:
            rows = np.flatnonzero(usable)
        else:
            scores = np.where(usable, _scan(self.vectors_i8, to_int8(vector)), np.float32(-np.inf))
            rows = np.sort(_best(scores, min(QUANTISED_CANDIDATES, count)))
        similarity[rows] = self.vectors[rows] @ vector
        return similarity

    def complete_similarity(self, similarity: np.ndarray, vector: np.ndarray, slots: np.ndarray,
                            usable: np.ndarray) -> None:
        """Fill in, exactly, the similarity of those usable `slots` the int8 scan did not pick (a keyword hit far
        from the query in meaning, a result being judged), so that every ranked candidate is scored alike."""
        if self.size <= EXACT_LIMIT or not len(slots):
            return
        slots = np.asarray(slots, dtype=np.int64)
        missing = slots[(similarity[slots] == 0) & usable[slots]]
        if len(missing):
            missing = np.unique(missing)
            similarity[missing] = self.vectors[missing] @ np.asarray(vector, dtype=np.float32)


# --- the process's handle -------------------------------------------------------------------------------

_NODE: NodeIndex | None = None
_NODE_LOCK = threading.Lock()


def node_index() -> NodeIndex:
    """This process's handle on the node's index (a new one after a fork)."""
    global _NODE
    node = _NODE
    if node is None or node.pid != os.getpid():
        with _NODE_LOCK:
            node = _NODE
            if node is None or node.pid != os.getpid():
                root = getattr(settings, "TECHMARKET_SEARCH_DIR", "")
                from pathlib import Path

                node = _NODE = NodeIndex(Path(root) if root else None)
    return node


def get_engine() -> Snapshot:
    """The snapshot to search now. With TECHMARKET_SEARCH_FOLLOW the node's writer keeps the index current
    from a thread of its own and this never writes; without, this process brings the index up to date first
    (when it can be the writer)."""
    node = node_index()
    if getattr(settings, "TECHMARKET_SEARCH_FOLLOW", False) and node.directory is not None:
        node.follow()
    else:
        node.sync()
    return node.current()


def reset_engine() -> None:
    """Forget this process's handle, as a restart would (the node's files stay)."""
    global _NODE
    with _NODE_LOCK:
        node, _NODE = _NODE, None
    if node is not None and node.pid == os.getpid():
        node.close()
