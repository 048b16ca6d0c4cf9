"""The in-memory search engine: BM25 over analysed terms and cosine similarity over embeddings.

One engine per process, built from the SearchDocument rows and kept current by sequence number: each
search first asks the database for the index state (one small query); new or changed rows since the last
look are applied incrementally, and a new generation (a rebuild, a deletion, a rolled-back test) reloads
everything. Documents are append-only positions: a changed document is killed at its old position and
added at a new one, so posting arrays stay sorted.
"""

import threading
from dataclasses import dataclass, field

import numpy as np

from techmarket.matching.services.embeddings import DIMENSIONS, from_bytes

K1 = 1.2
B = 0.75
COMPACT_AFTER = 20_000  # delta postings merged into the base arrays beyond this many


@dataclass
class EngineFilters:
    kind: str = ""
    field: str = ""  # a top field or an area code
    mode: str = ""
    region: str = ""
    status: str = ""
    exclude_ids: tuple[int, ...] = ()
    organisations: tuple[int, ...] = ()  # documents of any of these organisations


@dataclass
class Postings:
    positions: np.ndarray
    tf: np.ndarray


class _Codes:
    """Small integer (or bit) codes for metadata values, assigned on first sight."""

    def __init__(self):
        self.codes: dict[str, int] = {}
        self.values: list[str] = [""]  # value of each code (code 0 unused)

    def code(self, value: str) -> int:
        if value not in self.codes:
            self.codes[value] = len(self.codes) + 1
            self.values.append(value)
        return self.codes[value]

    def get(self, value: str) -> int:
        return self.codes.get(value, -1)

    def bits(self, values) -> int:
        mask = 0
        for value in values:
            code = self.code(value)
            if code < 63:
                mask |= 1 << code
        return mask


@dataclass
class Engine:
    generation: str = ""
    seq: int = -1
    size: int = 0
    listing_ids: list = field(default_factory=list)
    meta: list = field(default_factory=list)
    texts: list = field(default_factory=list)
    pos_of: dict = field(default_factory=dict)
    total_length: float = 0.0
    n_alive: int = 0

    def __post_init__(self):
        self.lock = threading.RLock()
        self.capacity = 0
        self.alive = np.zeros(0, dtype=bool)
        self.lengths = np.zeros(0, dtype=np.float32)
        self.kind = np.zeros(0, dtype=np.int16)
        self.top = np.zeros(0, dtype=np.int16)
        self.area = np.zeros(0, dtype=np.int16)
        self.status = np.zeros(0, dtype=np.int16)
        self.mode_bits = np.zeros(0, dtype=np.int64)
        self.region_bits = np.zeros(0, dtype=np.int64)
        self.has_vector = np.zeros(0, dtype=bool)
        self.vectors = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.base: dict[str, Postings] = {}
        self.delta: dict[str, tuple[list, list]] = {}
        self.delta_count = 0
        self.codes = {name: _Codes() for name in ("kind", "field", "status", "mode", "region")}
        self.org_positions: dict[int, list[int]] = {}
        self._vocabulary: tuple[str, ...] | None = None
        # Lookup structures derived from the above, rebuilt on demand after a change (see _changed).
        self._char_index: dict[str, list[int]] | None = None  # character → vocabulary indices
        self._expansions: dict[tuple[str, int], list[str]] = {}
        self._multi_lists = {"mode": ([], []), "region": ([], [])}  # (positions, codes) of multi-valued meta
        self._multi: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._org_arrays: dict[int, np.ndarray] = {}

    # -- building -------------------------------------------------------------------------------------
    def _grow(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        capacity = max(needed, self.capacity * 2, 1024)
        for name in ("alive", "lengths", "kind", "top", "area", "status", "mode_bits", "region_bits",
                     "has_vector"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        vectors = np.zeros((capacity, DIMENSIONS), dtype=np.float32)
        vectors[: len(self.vectors)] = self.vectors
        self.vectors = vectors
        self.capacity = capacity

    def kill(self, listing_id: int) -> None:
        pos = self.pos_of.pop(listing_id, None)
        if pos is not None and self.alive[pos]:
            self.alive[pos] = False
            self.total_length -= float(self.lengths[pos])
            self.n_alive -= 1

    def add(self, listing_id: int, terms: str, text: str, meta: dict, vector) -> None:
        """Add (or replace) one public document."""
        self.kill(listing_id)
        pos = self.size
        self._grow(pos + 1)
        self.size += 1
        counts: dict[str, int] = {}
        for term in terms.split():
            counts[term] = counts.get(term, 0) + 1
        for term, tf in counts.items():
            lists = self.delta.setdefault(term, ([], []))
            lists[0].append(pos)
            lists[1].append(tf)
        self.delta_count += len(counts)
        length = float(sum(counts.values()))
        self.alive[pos] = True
        self.lengths[pos] = length
        self.total_length += length
        self.n_alive += 1
        codes = self.codes
        self.kind[pos] = codes["kind"].code(meta.get("kind", ""))
        self.top[pos] = codes["field"].code(meta.get("top", ""))
        self.area[pos] = codes["field"].code(meta.get("field", ""))
        self.status[pos] = codes["status"].code(meta.get("status", ""))
        self.mode_bits[pos] = codes["mode"].bits(meta.get("modes", []))
        self.region_bits[pos] = codes["region"].bits(meta.get("regions", []))
        for name, values in (("mode", meta.get("modes", [])), ("region", meta.get("regions", []))):
            positions, value_codes = self._multi_lists[name]
            for value in values:
                positions.append(pos)
                value_codes.append(codes[name].code(value))
        for org in meta.get("orgs", []):
            self.org_positions.setdefault(org, []).append(pos)
        if vector is not None:
            self.vectors[pos] = from_bytes(vector)
            self.has_vector[pos] = True
        self.listing_ids.append(listing_id)
        self.meta.append(meta)
        self.texts.append(text)
        self.pos_of[listing_id] = pos
        self._changed()

    def _changed(self) -> None:
        self._expansions = {}
        self._multi = {}
        self._org_arrays = {}

    def compact(self) -> None:
        for term, (positions, tfs) in self.delta.items():
            new = Postings(np.asarray(positions, dtype=np.int32), np.asarray(tfs, dtype=np.float32))
            old = self.base.get(term)
            if old is not None:
                new = Postings(np.concatenate([old.positions, new.positions]), np.concatenate([old.tf, new.tf]))
            self.base[term] = new
        self.delta = {}
        self.delta_count = 0
        self._vocabulary = None
        self._char_index = None
        self._changed()

    # -- reading --------------------------------------------------------------------------------------
    def postings(self, term: str) -> Postings | None:
        base = self.base.get(term)
        delta = self.delta.get(term)
        if delta is None:
            return base
        extra = Postings(np.asarray(delta[0], dtype=np.int32), np.asarray(delta[1], dtype=np.float32))
        if base is None:
            return extra
        return Postings(np.concatenate([base.positions, extra.positions]), np.concatenate([base.tf, extra.tf]))

    def vocabulary(self) -> tuple[str, ...]:
        if self._vocabulary is None:
            self._vocabulary = tuple(self.base)
        return self._vocabulary

    def expansions(self, term: str, limit: int = 12) -> list[str]:
        """Indexed terms containing `term`, most frequent first: for a single character or an unknown word."""
        key = (term, limit)
        found = self._expansions.get(key)
        if found is None:
            found = self._expansions[key] = self._find_expansions(term, limit)
        return list(found)

    def _find_expansions(self, term: str, limit: int) -> list[str]:
        vocabulary = self.vocabulary()
        if self._char_index is None:
            index: dict[str, list[int]] = {}
            for i, word in enumerate(vocabulary):
                for char in set(word):
                    index.setdefault(char, []).append(i)
            self._char_index = index
        # Only words holding the term's rarest character can contain it; vocabulary order is kept.
        rarest = min((self._char_index.get(char, []) for char in set(term)), key=len, default=[])
        candidates = [vocabulary[i] for i in rarest if term in vocabulary[i] and vocabulary[i] != term]
        candidates += [t for t in self.delta if term in t and t != term and t not in self.base]
        candidates.sort(key=lambda t: -len(self.base[t].positions) if t in self.base else 0)
        return candidates[:limit]

    def idf(self, df: int) -> float:
        n = max(self.n_alive, 1)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def positions(self, term: str) -> np.ndarray:
        """Positions of the alive documents holding `term`, ascending."""
        postings = self.postings(term)
        if postings is None:
            return np.zeros(0, dtype=np.int32)
        if self.n_alive == self.size:
            return postings.positions
        return postings.positions[self.alive[postings.positions]]

    def organisation_positions(self, org_id: int) -> np.ndarray:
        """Positions of the documents of an organisation, ascending (dead ones included)."""
        found = self._org_arrays.get(org_id)
        if found is None:
            found = self._org_arrays[org_id] = np.asarray(self.org_positions.get(org_id, []), dtype=np.int64)
        return found

    def term_scores(self, term: str) -> tuple[np.ndarray, np.ndarray, float]:
        """Positions, BM25 contributions and idf of one term over alive documents."""
        postings = self.postings(term)
        if postings is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), 0.0
        mask = self.alive[postings.positions]
        positions, tf = postings.positions[mask], postings.tf[mask]
        if not len(positions):
            return positions, tf, 0.0
        idf = self.idf(len(positions))
        avgdl = self.total_length / max(self.n_alive, 1)
        norm = K1 * (1 - B + B * self.lengths[positions] / max(avgdl, 1e-6))
        return positions, (idf * tf * (K1 + 1) / (tf + norm)).astype(np.float32), idf

    def facet_counts(self, positions: np.ndarray) -> dict[str, dict[str, int]]:
        """How many of these documents have each kind, field, mode, region and status (empty values left
        out), most frequent first."""
        positions = np.asarray(positions, dtype=np.int64)
        facets: dict[str, dict[str, int]] = {}
        for name, codes, column in (("kind", self.codes["kind"], self.kind), ("field", self.codes["field"], self.top)):
            facets[name] = self._count(codes, column[positions])
        for name in ("mode", "region"):
            if name not in self._multi:
                positions_list, codes_list = self._multi_lists[name]
                count = min(len(positions_list), len(codes_list))  # a document may be being added
                self._multi[name] = (np.asarray(positions_list[:count], dtype=np.int64),
                                     np.asarray(codes_list[:count], dtype=np.int64))
            entry_positions, entry_codes = self._multi[name]
            selected = np.zeros(max(self.size, int(entry_positions.max(initial=-1)) + 1), dtype=bool)
            selected[positions] = True
            facets[name] = self._count(self.codes[name], entry_codes[selected[entry_positions]])
        facets["status"] = self._count(self.codes["status"], self.status[positions])
        return facets

    @staticmethod
    def _count(codes: _Codes, column: np.ndarray) -> dict[str, int]:
        counts = np.bincount(column.astype(np.int64), minlength=len(codes.values))
        order = np.argsort(-counts, kind="stable")
        return {codes.values[c]: int(counts[c]) for c in order if counts[c] and codes.values[c]}

    def filter_mask(self, filters: EngineFilters) -> np.ndarray:
        n = self.size
        mask = self.alive[:n].copy()
        codes = self.codes
        if filters.kind:
            mask &= self.kind[:n] == codes["kind"].get(filters.kind)
        if filters.field:
            code = codes["field"].get(filters.field)
            mask &= (self.top[:n] == code) | (self.area[:n] == code)
        if filters.status:
            mask &= self.status[:n] == codes["status"].get(filters.status)
        if filters.mode:
            code = codes["mode"].get(filters.mode)
            mask &= (self.mode_bits[:n] & (1 << code)) != 0 if 0 < code < 63 else False
        if filters.region:
            code = codes["region"].get(filters.region)
            mask &= (self.region_bits[:n] & (1 << code)) != 0 if 0 < code < 63 else False
        for listing_id in filters.exclude_ids:
            pos = self.pos_of.get(listing_id)
            if pos is not None:
                mask[pos] = False
        if filters.organisations:
            allowed = np.zeros(n, dtype=bool)
            for org in filters.organisations:
                allowed[self.org_positions.get(org, [])] = True
            mask &= allowed
        return mask


_ENGINE = Engine()
_ENGINE_LOCK = threading.Lock()


def get_engine() -> Engine:
    """The process's engine, brought up to date with the database."""
    from techmarket.matching.models import IndexState, SearchDocument

    global _ENGINE
    state = IndexState.objects.filter(pk=1).values("seq", "generation").first() or {"seq": 0, "generation": ""}
    engine = _ENGINE
    if state["generation"] == engine.generation and state["seq"] == engine.seq:
        return engine
    with _ENGINE_LOCK:
        engine = _ENGINE
        rows = SearchDocument.objects.order_by("seq").values_list(
            "listing_id", "seq", "public", "terms", "text", "meta", "vector")
        if state["generation"] != engine.generation or state["seq"] < engine.seq:
            engine = Engine(generation=state["generation"])  # built aside, swapped in when complete
        else:
            rows = rows.filter(seq__gt=engine.seq)
        # Updated in place: searches of other threads hold engine.lock while they read.
        with engine.lock:
            for listing_id, _seq, public, terms, text, meta, vector in rows.iterator(chunk_size=2000):
                if public:
                    engine.add(listing_id, terms, text, meta, vector)
                else:
                    engine.kill(listing_id)
            if engine.delta_count > COMPACT_AFTER or not engine.base:
                engine.compact()
            engine.seq = state["seq"]
        _ENGINE = engine
    return engine


def reset_engine() -> None:
    global _ENGINE
    _ENGINE = Engine()
