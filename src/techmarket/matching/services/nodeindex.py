"""The node's search index: tantivy for keywords, memory-mapped columns and vectors for filters and meaning.

One index per node (machine) under ``TECHMARKET_SEARCH_DIR`` (default ``<data dir>/search``), in a directory of
its own per database, shared by every process of the node. It follows the database: every change of a
``SearchDocument`` row takes the next ``IndexState.seq``, and the index records the number it has applied.

Layout of the node directory::

    CURRENT            which build is in use (JSON, replaced atomically)
    generation         a counter (8 bytes) the writer bumps after each publication, mapped by every reader
    writer.lock        held (flock) by the node's one writer process for its lifetime
    b-<id>/            a build: tantivy/ (the keyword index), one file per column (see COLUMNS), vocab.txt
                       (every indexed term, in first-seen order), documents.bin (each slot's stored document
                       and terms, appended), manifest.json (replaced atomically)

A document occupies a *slot*: a row of every column and one tantivy document carrying the slot number. Slots
are append-only: a changed document gets a new slot and its old slot is *killed* (the column ``killed`` holds
the sequence number from which it no longer counts), so a reader that works at sequence S sees exactly the
slots below the manifest's size whose ``killed`` is above S, whatever the writer does meanwhile. Tantivy
documents of killed slots are deleted in the writer's next commit (``unpurged`` lists them until then), and each
commit carries its commit number in a stamp document, so a reader can tell that its tantivy searcher and its
manifest belong together (the searcher's commit is the manifest's or the next one).

Readers never wait: they open the build named by CURRENT, map the columns read-only and reload when the
manifest changes. A search reads the mapped ``generation`` counter (a memory read); only when it moved, or
GENERATION_TRUST seconds after the last full look, does it read CURRENT and the manifest.

The writer is the first process that takes ``writer.lock`` and finds work to do; with
``TECHMARKET_SEARCH_FOLLOW`` it keeps the lock and a thread that polls the database every
``TECHMARKET_SEARCH_POLL`` seconds, applies changes incrementally, and rebuilds in the background when the
database starts a new generation (``techmarket reindex``), swapping the new build in atomically. Without it
(tests, the CLI), the process catching up is the one searching.

An empty ``TECHMARKET_SEARCH_DIR`` keeps the whole index in the process's memory (the test suite).
"""

import fcntl
import hashlib
import itertools
import json
import logging
import mmap
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

import cachetools
import numpy as np
import tantivy
from django.conf import settings
from django.db import close_old_connections, connection

from techmarket.matching.services.embeddings import DIMENSIONS
from techmarket.matching.services.text import description, normalise

log = logging.getLogger(__name__)

FORMAT = 3  # 2: stored documents in documents.bin, not in tantivy; 3: a field of concepts
ALIVE = np.iinfo(np.int64).max
STAMP_SLOT = 1 << 62  # the stamp document's slot: above every real slot
INT8_SCALE = 400.0  # e5 components stay within ±0.32: scaled, they fill most of int8
COLUMNS = {  # name: (dtype, values per slot)
    "listing_id": (np.int64, 1),
    "killed": (np.int64, 1),
    "content": (np.int64, 1),  # hash of terms, text and metadata: a change of the vector alone is in place
    "kind": (np.int16, 1),
    "top": (np.int16, 1),
    "area": (np.int16, 1),
    "status": (np.int16, 1),
    "trl": (np.int16, 1),
    "mode_bits": (np.int64, 1),
    "region_bits": (np.int64, 1),
    "has_vector": (np.uint8, 1),
    "vectors": (np.float32, DIMENSIONS),
    "vectors_i8": (np.int8, DIMENSIONS),
    "stored_at": (np.int64, 3),  # where the slot's document starts in documents.bin, where its terms start and end
}
ENTRY_COLUMNS = {"org_slot": np.int64, "org_id": np.int64}  # (slot, organisation) pairs
CODE_NAMES = ("kind", "field", "status", "mode", "region")
TEXT_FIELDS = ("kind", "top", "area", "status")
MULTI_FIELDS = ("modes", "regions")
BUILD_INLINE_LIMIT = 20_000  # a node with no index builds this many documents before answering
COMPACT_AFTER_DEAD = 10_000  # more dead slots than this, and than COMPACT_DEAD_SHARE of the live ones:
COMPACT_DEAD_SHARE = 1.0  # the build is made anew
DOCUMENTS_KEPT = 2000  # stored documents a process keeps per build (~15 KB each: the hits shown, their snippets)
GENERATION_TRUST = 1.0  # seconds a reader trusts an unchanged generation counter before reading the files anyway
# (a writer that died between publishing and bumping the counter delays its last change by at most this)
EXPANSIONS_KEPT = 4096  # an unknown word's or character's expansions kept per build (Snapshot.expansions)
WARM_CHUNK = 1 << 20  # a reader opening a build reads its files through once in the background, this much at a time


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("slot", indexed=True, fast=True)
    builder.add_unsigned_field("listing_id", indexed=True, fast=True)
    builder.add_unsigned_field("commit", fast=True, stored=True)
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("concepts", tokenizer_name="raw", index_option="freq")  # text.concepts_in, one value each
    for name in (*TEXT_FIELDS, *MULTI_FIELDS):
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_unsigned_field("orgs", indexed=True)
    return builder.build()  # (the documents themselves are in the build's DocumentStore)


SCHEMA = schema()


def to_int8(vectors: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(vectors * INT8_SCALE), -127, 127).astype(np.int8)


def content_hash(terms: str, text: str, meta: dict) -> int:
    digest = hashlib.blake2b(f"{terms}\x00{text}\x00{json.dumps(meta, sort_keys=True)}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "little", signed=True)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


# --- columns --------------------------------------------------------------------------------------------

class Columns:
    """Fixed-width columns indexed by slot: memory-mapped files in a build directory (shared by the node's
    processes) or, with no directory, arrays in memory. Grown by doubling; readers remap when they see a
    larger capacity."""

    def __init__(self, path: Path | None, capacity: int, entry_capacity: int, writable: bool):
        self.path, self.capacity, self.entry_capacity, self.writable = path, capacity, entry_capacity, writable
        self.arrays: dict[str, np.ndarray] = {}
        for name, (dtype, width) in COLUMNS.items():
            self.arrays[name] = self._open(name, dtype, width, capacity)
        for name, dtype in ENTRY_COLUMNS.items():
            self.arrays[name] = self._open(name, dtype, 1, entry_capacity)

    def _open(self, name, dtype, width, capacity) -> np.ndarray:
        shape = (capacity, width) if width > 1 else (capacity,)
        if self.path is None:
            return np.zeros(shape, dtype=dtype)
        file = self.path / f"{name}.bin"
        size = capacity * width * np.dtype(dtype).itemsize
        if self.writable and (not file.exists() or file.stat().st_size < size):
            with open(file, "ab") as handle:
                handle.truncate(size)  # sparse: untouched pages cost nothing
        if capacity == 0:
            return np.zeros(shape, dtype=dtype)
        return np.memmap(file, dtype=dtype, mode="r+" if self.writable else "r", shape=shape)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def grow(self, capacity: int, entry_capacity: int) -> "Columns":
        """Columns of at least these capacities (the same files, extended; in memory, copied)."""
        capacity = max(capacity, self.capacity)
        entry_capacity = max(entry_capacity, self.entry_capacity)
        if capacity == self.capacity and entry_capacity == self.entry_capacity:
            return self
        grown = Columns(self.path, capacity, entry_capacity, self.writable)
        if self.path is None:
            for name, array in self.arrays.items():
                grown.arrays[name][: len(array)] = array
        return grown

    def flush(self) -> None:
        for array in self.arrays.values():
            if isinstance(array, np.memmap):
                array.flush()


class DocumentStore:
    """What a search shows and judges of each slot, appended to the build's documents.bin: its document (JSON: the
    text shown, its description as text.normalise() folds it, the metadata) and then its indexed terms (the
    `stored_at` column says where). Read with pread, no lock and nothing to remap as the file grows: at 100k
    documents a read costs a microsecond or two, against 20 for tantivy's compressed store, which also needed a
    search to find a slot's document."""

    def __init__(self, path: Path | None, writable: bool):
        self.memory = bytearray() if path is None else None  # no directory: the writer's and readers' one copy
        self.appending = open(path, "ab") if path is not None and writable else None  # noqa: SIM115
        self.reading = open(path, "rb", buffering=0) if path is not None else None  # noqa: SIM115

    def append(self, document: dict, terms: str) -> tuple[int, int, int]:
        data = json.dumps(document, ensure_ascii=False).encode()
        words = f" {terms} ".encode()  # (engine.Words looks for " term ")
        if self.memory is not None:
            start = len(self.memory)
            self.memory += data + words
        else:
            start = self.appending.tell()
            self.appending.write(data + words)
        return start, start + len(data), start + len(data) + len(words)

    def flush(self) -> None:
        if self.appending is not None:
            self.appending.flush()

    def read(self, start: int, end: int) -> bytes:
        if self.memory is not None:
            return bytes(self.memory[start:end])
        return os.pread(self.reading.fileno(), end - start, start)

    def close(self) -> None:
        """Stop appending (reading goes on: readers may still be on this build)."""
        if self.appending is not None:
            self.appending.close()
            self.appending = None


# --- a build and its readers -----------------------------------------------------------------------------

class Build:
    """One build of the index, as a reader (or the writer) sees it."""

    def __init__(self, path: Path | None, index: tantivy.Index | None = None, writable: bool = False):
        self.path = path
        self.token = uuid.uuid4().hex  # names this build (and this opening of it) in caches
        if index is None:
            index = tantivy.Index.open(str(path / "tantivy"))
        self.index = index
        self.store = DocumentStore(path / "documents.bin" if path is not None else None, writable)
        self.index.config_reader("Manual", 0)
        self.lock = threading.Lock()
        self.columns: Columns | None = None
        self.vocabulary = Vocabulary(path)
        # A slot's stored document never changes within a build (an edit takes a new slot), so what readers
        # fetch of them is kept for the build, across its snapshots, within bounds (engine.Snapshot.documents).
        self.kept_documents = cachetools.LRUCache(maxsize=DOCUMENTS_KEPT)
        self.kept_expansions = cachetools.LRUCache(maxsize=EXPANSIONS_KEPT)
        self.kept_lock = threading.Lock()

    def columns_for(self, manifest: dict) -> Columns:
        with self.lock:
            columns = self.columns
            if columns is None or columns.capacity < manifest["capacity"] \
                    or columns.entry_capacity < manifest["entry_capacity"]:
                columns = self.columns = Columns(self.path, manifest["capacity"], manifest["entry_capacity"],
                                                 writable=False)
            return columns

    def searcher_for(self, manifest: dict) -> tuple[tantivy.Searcher | None, bool]:
        """A searcher whose commit is the manifest's or the next (None: reload the manifest and retry), and
        whether it is the next (then it may hold documents beyond the manifest's slots)."""
        self.index.reload()
        searcher = self.index.searcher()
        commit = stamp(searcher)
        if commit in (manifest["commit"], manifest["commit"] + 1):
            return searcher, commit != manifest["commit"]
        return None, False


def warm(path: Path) -> threading.Thread:
    """Read every file of a build once, in a background thread, so that its pages are in the operating system's
    cache before searches want them (as Lucene's preload does for memory-mapped files): after a boot or a swap
    of builds, a search's first reads of stored terms and tantivy postings would otherwise each wait for the disk
    (a cold search read 2000 documents' terms in 120 ms against 3 warm). The pages are the page cache's, shared by
    the node's processes and given back under memory pressure; none becomes the process's own memory."""

    def run():
        buffer = bytearray(WARM_CHUNK)
        try:
            files = [p for p in sorted(path.rglob("*")) if p.is_file()]
        except OSError:
            return
        for file in files:
            try:
                with open(file, "rb", buffering=0) as handle:
                    while handle.readinto(buffer):
                        pass
            except OSError:
                continue  # a build removed meanwhile: nothing to warm

    thread = threading.Thread(target=run, name="search-warm", daemon=True)
    thread.start()
    return thread


def stamp(searcher: tantivy.Searcher) -> int:
    hits = searcher.search(tantivy.Query.term_query(SCHEMA, "slot", STAMP_SLOT), 1, count=False).hits
    if not hits:
        return 0
    return searcher.fast_field_values("commit", [hits[0][1]])[0]


class Vocabulary:
    """Every indexed term in first-seen order, read incrementally from the build's vocab.txt, with an index
    from each character to the terms holding it (for single characters and unknown words)."""

    def __init__(self, path: Path | None):
        self.file = path / "vocab.txt" if path else None
        self.terms: list[str] = []
        self.by_char: dict[str, list[int]] = {}
        self.offset = 0
        self.lock = threading.Lock()

    def extend(self, terms) -> None:
        for term in terms:
            i = len(self.terms)
            self.terms.append(term)
            for char in set(term):
                self.by_char.setdefault(char, []).append(i)

    def read_to(self, offset: int) -> None:
        if self.file is None or offset <= self.offset:
            return
        with self.lock:
            if offset <= self.offset:
                return
            with open(self.file, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read(offset - self.offset)
            self.extend(data.decode("utf-8").split("\n")[:-1])
            self.offset = offset

    def containing(self, term: str, at_most: int | None = None) -> list[str]:
        """Terms containing `term` (not itself), in first-seen order; the first `at_most` of them if given."""
        rarest = min((self.by_char.get(char, []) for char in set(term)), key=len, default=[])
        terms = self.terms
        found = (terms[i] for i in rarest if term in terms[i] and terms[i] != term)
        return list(itertools.islice(found, at_most))


# --- the node ------------------------------------------------------------------------------------------

class Generation:
    """The node's publication counter: a file of 8 bytes mapped by every process, bumped in place by the writer
    after it replaced a manifest or CURRENT. A reader that finds the number it saw last knows that nothing was
    published since, without reading a file (0.2 ms a search at 100k documents, most of a cached answer)."""

    def __init__(self, path: Path, writable: bool):
        self.map = None
        self.value = None
        if writable:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if os.fstat(fd).st_size < 8:
                    os.ftruncate(fd, 8)
                self.map = mmap.mmap(fd, 8)
            finally:
                os.close(fd)
        else:
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                return  # no writer yet: the reader reads the files on every search until there is one
            try:
                if os.fstat(fd).st_size >= 8:
                    self.map = mmap.mmap(fd, 8, prot=mmap.PROT_READ)
            finally:
                os.close(fd)
        self.value = np.frombuffer(self.map, dtype=np.uint64) if self.map is not None else None

    def read(self) -> int | None:
        return int(self.value[0]) if self.value is not None else None

    def bump(self) -> None:
        self.value[0] += 1  # one aligned 8-byte store: readers see the old number or the new one

    def close(self) -> None:
        self.value = None
        if self.map is not None:
            try:
                self.map.close()
            except BufferError:  # a reader's view is still alive: the mapping goes with it
                pass
            self.map = None


def _database_key() -> str:
    data = connection.settings_dict
    ident = f"{connection.vendor}|{data.get('HOST', '')}|{data.get('PORT', '')}|{data['NAME']}"
    return hashlib.sha256(ident.encode()).hexdigest()[:16]


class NodeIndex:
    """This process's handle on the node's index: readers' state, and the writer's when this process is it."""

    def __init__(self, root: Path | None):
        self.directory = root / _database_key() if root else None
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.build: Build | None = None
        self.build_name = ""
        self.manifest: dict | None = None
        self.manifest_stat = None
        self.snapshot = None
        self.generation: Generation | None = None  # the counter as this process maps it
        self.seen = (None, float("-inf"))  # the counter's value at the last full look, and when that was
        self.writer: Writer | None = None
        self.lock_file = None
        self.follower: threading.Thread | None = None
        self.last_writer_attempt = float("-inf")
        self.stopping = threading.Event()
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)

    # -- reading ------------------------------------------------------------------------------------------
    def current(self):
        """The snapshot to search now (see engine.Snapshot), refreshed if the index moved."""
        from techmarket.matching.services.engine import Snapshot

        if self.directory is None:
            writer = self.writer
            if writer is None or writer.build is None or writer.published is None:
                return Snapshot.empty()
            return self._snapshot_of(writer.build, writer.published) or Snapshot.empty()
        generation = self._generation()
        now = time.monotonic()
        if generation is not None and self.snapshot is not None and self.seen[0] == generation \
                and now - self.seen[1] < GENERATION_TRUST:
            return self.snapshot
        for _ in range(20):
            name = self._current_name()
            if not name:
                return Snapshot.empty()
            manifest_path = self.directory / name / "manifest.json"
            try:
                # Its bytes, not its stat: a replaced file may get the freed inode back, with the same size and,
                # on a coarse clock, the same time. A few kilobytes read from the page cache.
                data = manifest_path.read_bytes()
            except FileNotFoundError:
                continue  # swapped meanwhile
            key = (name, data)
            if self.snapshot is not None and self.manifest_stat == key:
                self.seen = (generation, now)  # read before the files: a later bump is seen next time
                return self.snapshot
            with self.lock:
                if self.snapshot is not None and self.manifest_stat == key:
                    self.seen = (generation, now)
                    return self.snapshot
                try:
                    manifest = json.loads(data)
                    if manifest.get("format") != FORMAT:  # a build of an older release: the writer replaces it
                        return self.snapshot or Snapshot.empty()
                    if name != self.build_name:
                        self.build, self.build_name = Build(self.directory / name), name
                        warm(self.directory / name)
                    snapshot = self._snapshot_of(self.build, manifest)
                except (FileNotFoundError, ValueError, OSError):
                    continue  # a build removed or a manifest replaced under us: look again
                if snapshot is None:
                    continue
                self.snapshot, self.manifest_stat = snapshot, key
                self.seen = (generation, now)
                return snapshot
        log.warning("search index: no consistent snapshot after 20 tries; answering from the last one")
        from techmarket.matching.services.engine import Snapshot

        return self.snapshot or Snapshot.empty()

    def _snapshot_of(self, build: Build, manifest: dict):
        from techmarket.matching.services.engine import Snapshot

        searcher, ahead = build.searcher_for(manifest)
        if searcher is None:
            return None
        build.vocabulary.read_to(manifest["vocab_bytes"])
        return Snapshot(build, manifest, build.columns_for(manifest) if build.path else self.writer.columns,
                        searcher, ahead)

    def _generation(self) -> int | None:
        if self.generation is None or self.generation.value is None:
            if self.generation is not None and time.monotonic() - self.seen[1] < GENERATION_TRUST:
                return None  # (no counter yet: look for it again once in a while, not on every search)
            self.generation = Generation(self.directory / "generation", writable=False)
        return self.generation.read()

    def published(self) -> None:
        """The writer replaced a manifest or CURRENT: tell the node's readers."""
        if self.directory is not None:
            self.generation.bump()

    def _current_name(self) -> str:
        try:
            return json.loads((self.directory / "CURRENT").read_text(encoding="utf-8"))["build"]
        except (FileNotFoundError, ValueError, KeyError):
            return ""

    # -- writing ------------------------------------------------------------------------------------------
    def take_writer(self) -> bool:
        """Become the node's writer if no other process is (never waits)."""
        if self.writer is not None:
            return True
        if self.directory is None:
            self.writer = Writer(self, None)
            return True
        handle = open(self.directory / "writer.lock", "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.lock_file = handle
        if self.generation is not None:
            self.generation.close()
        self.generation = Generation(self.directory / "generation", writable=True)
        self.writer = Writer(self, self._current_name() or None)
        return True

    def sync(self) -> bool:
        """Bring the index up to the database now if this process is (or can become) the writer. Returns
        whether it is the writer."""
        if not self.take_writer():
            return False
        self.writer.run_once()
        return True

    def follow(self) -> None:
        """Keep the index current from a thread of this process (the writer's), if it is the writer. A process
        that is not asks again at most once a second (whether the writer went), not on every search."""
        if self.follower is not None:
            return
        now = time.monotonic()
        if now - self.last_writer_attempt < 1.0:
            return
        self.last_writer_attempt = now
        if not self.take_writer():
            return
        self.writer.run_once(background_rebuild=True)  # a node with no index yet builds it before answering
        self.follower = threading.Thread(target=self._follow, name="techmarket-search-writer", daemon=True)
        self.follower.start()

    def _follow(self) -> None:
        interval = float(getattr(settings, "TECHMARKET_SEARCH_POLL", 0.25))
        while not self.stopping.is_set():
            try:
                self.writer.run_once(background_rebuild=True)
            except Exception:  # the next round retries; searches go on from the current build
                log.exception("search index: catching up failed")
            finally:
                close_old_connections()
            self.stopping.wait(interval)

    def close(self) -> None:
        self.stopping.set()
        if self.follower is not None:
            self.follower.join(timeout=10)
        if self.writer is not None:
            self.writer.close()
        if self.lock_file is not None:
            self.lock_file.close()  # releases the flock
        if self.generation is not None:
            self.generation.close()


class Writer:
    """The node's one writer: applies database rows to the current build, or makes a new build."""

    def __init__(self, node: NodeIndex, build_name: str | None):
        self.node = node
        self.lock = threading.Lock()
        self.build: Build | None = None
        self.manifest: dict | None = None  # the working copy
        self.published: dict | None = None  # as last committed
        self.columns: Columns | None = None
        self.tantivy_writer = None
        self.slot_of: dict[int, int] = {}
        self.codes: dict[str, dict[str, int]] = {}
        self.known_terms: set[str] = set()
        self.vocab_handle = None
        self.rebuilding: threading.Thread | None = None
        if build_name:
            try:
                self._open(node.directory / build_name)
            except (FileNotFoundError, ValueError, OSError):
                log.warning("search index: build %s unreadable; it will be rebuilt", build_name)
                self.build = None

    # -- state --------------------------------------------------------------------------------------------
    def _open(self, path: Path) -> None:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError("another index format")
        build = Build(path, writable=True)
        columns = Columns(path, manifest["capacity"], manifest["entry_capacity"], writable=True)
        self._adopt(build, manifest, columns)
        n = manifest["size"]
        # A writer that died between its tantivy commit and its manifest left documents beyond the manifest's
        # size, and kills from a sequence number never published: both are undone before going on.
        self.tantivy_writer.delete_documents_by_query(tantivy.Query.range_query(
            SCHEMA, "slot", tantivy.FieldType.Unsigned, n, STAMP_SLOT - 1))
        killed = columns["killed"][:n]
        killed[(killed > manifest["seq"]) & (killed != ALIVE)] = ALIVE
        alive = np.flatnonzero(columns["killed"][:n] == ALIVE)
        self.slot_of = dict(zip(columns["listing_id"][alive].tolist(), alive.tolist(), strict=True))
        self.codes = {name: {value: i + 1 for i, value in enumerate(values)}
                      for name, values in manifest["codes"].items()}
        self.known_terms = set((path / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1])

    def _adopt(self, build: Build, manifest: dict, columns: Columns) -> None:
        self.close()
        self.build, self.manifest, self.columns = build, manifest, columns
        self.published = _copy(manifest)
        self.tantivy_writer = build.index.writer(64_000_000, 1)
        if build.path is not None:
            self.vocab_handle = open(build.path / "vocab.txt", "a", encoding="utf-8")

    def close(self) -> None:
        if self.build is not None:
            self.build.store.close()
        if self.tantivy_writer is not None:
            self.tantivy_writer.rollback()
            self.tantivy_writer = None
        if self.vocab_handle is not None:
            self.vocab_handle.close()
            self.vocab_handle = None

    # -- one round -------------------------------------------------------------------------------------
    def run_once(self, background_rebuild: bool = False) -> None:
        from techmarket.matching.services.documents import index_state

        with self.lock:
            if self.rebuilding is not None and self.rebuilding.is_alive():
                return
            state = index_state()
            manifest = self.manifest
            if manifest is not None and manifest["seq"] < state["seq"] \
                    and manifest["generation"] == state["generation"]:
                self._catch_up(state["seq"])
            if manifest is None or manifest["generation"] != state["generation"] or manifest["seq"] > state["seq"] \
                    or self._mostly_dead():
                total = self._public_count()
                if background_rebuild and manifest is not None and total > BUILD_INLINE_LIMIT:
                    self.rebuilding = threading.Thread(target=self._rebuild_in_background, args=(state,),
                                                       name="techmarket-search-rebuild", daemon=True)
                    self.rebuilding.start()
                    return
                self._rebuild(state)

    def _mostly_dead(self) -> bool:
        """Whether replaced and deleted documents' slots outnumber the rest (and COMPACT_AFTER_DEAD): slots are
        append-only, so a build that has seen many edits is made anew, in the background, to bound its files."""
        dead = self.manifest["size"] - self.manifest["alive"]
        return dead > max(COMPACT_AFTER_DEAD, COMPACT_DEAD_SHARE * self.manifest["alive"])

    @staticmethod
    def _public_count() -> int:
        from techmarket.matching.models import SearchDocument

        return SearchDocument.objects.filter(public=True).count()

    def _rebuild_in_background(self, state: dict) -> None:
        try:
            self._rebuild(state)
        except Exception:
            log.exception("search index: rebuild failed; the current build stays in use")
        finally:
            close_old_connections()

    # -- building -------------------------------------------------------------------------------------------
    def _rebuild(self, state: dict) -> None:
        """A new build of every public document up to the state's sequence number, swapped in when complete."""
        from techmarket.matching.models import SearchDocument

        started = time.perf_counter()
        directory = self.node.directory
        name = f"b-{uuid.uuid4().hex[:12]}"
        path = directory / name if directory else None
        if path is not None:
            (path / "tantivy").mkdir(parents=True)
            index = tantivy.Index(SCHEMA, path=str(path / "tantivy"))
        else:
            index = tantivy.Index(SCHEMA)
        build = Build(path, index, writable=True)
        manifest = {"format": FORMAT, "generation": state["generation"], "seq": state["seq"], "size": 0,
                    "capacity": 0, "entry_capacity": 0, "entries": 0, "alive": 0, "commit": 0,
                    "codes": {name: [] for name in CODE_NAMES}, "unpurged": [], "vocab_bytes": 0}
        columns = Columns(path, 0, 0, writable=True)
        old = (self.build, self.manifest, self.columns, self.tantivy_writer, self.vocab_handle, self.slot_of,
               self.codes, self.known_terms)
        self.tantivy_writer = self.vocab_handle = None  # kept in `old` for a failed build
        self.build, self.manifest, self.columns = build, manifest, columns
        self.slot_of, self.codes, self.known_terms = {}, {name: {} for name in CODE_NAMES}, set()
        try:
            self.tantivy_writer = index.writer(256_000_000 if path else 64_000_000, 1)
            if path is not None:
                self.vocab_handle = open(path / "vocab.txt", "a", encoding="utf-8")
            rows = (SearchDocument.objects.filter(public=True, seq__lte=state["seq"]).order_by("seq")
                    .values_list("listing_id", "public", "terms", "text", "meta", "vector"))
            batch = []
            for row in rows.iterator(chunk_size=2000):
                batch.append(row)
                if len(batch) >= 2000:
                    self._apply(batch, state["seq"])
                    batch = []
            self._apply(batch, state["seq"])
            self._commit(state["seq"])
        except BaseException:
            if self.tantivy_writer is not None:
                self.tantivy_writer.rollback()
            if self.vocab_handle is not None:
                self.vocab_handle.close()
            build.store.close()
            (self.build, self.manifest, self.columns, self.tantivy_writer, self.vocab_handle, self.slot_of,
             self.codes, self.known_terms) = old
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)
            raise
        if old[3] is not None:
            old[3].rollback()
        if old[4] is not None:
            old[4].close()
        if old[0] is not None:
            old[0].store.close()
        if directory is not None:
            previous = self.node._current_name()
            _write_json(directory / "CURRENT", {"build": name, "previous": previous})
            self.node.published()
            # Readers may still be on the previous build until their next search; older ones go.
            for other in directory.glob("b-*"):
                if other.name not in (name, previous):
                    shutil.rmtree(other, ignore_errors=True)
        log.info("search index: built %d documents in %.1f s", manifest["alive"], time.perf_counter() - started)

    # -- incremental ---------------------------------------------------------------------------------------
    def _catch_up(self, seq: int) -> None:
        from techmarket.matching.models import SearchDocument

        rows = (SearchDocument.objects.filter(seq__gt=self.manifest["seq"], seq__lte=seq).order_by("seq")
                .values_list("listing_id", "public", "terms", "text", "meta", "vector"))
        purge = list(self.manifest["unpurged"])
        self.manifest["unpurged"] = []
        if purge:  # (delete_documents_by_term does not match unsigned fields: a query does)
            self.tantivy_writer.delete_documents_by_query(tantivy.Query.term_set_query(SCHEMA, "slot", purge))
        batch = []
        for row in rows.iterator(chunk_size=2000):
            batch.append(row)
            if len(batch) >= 2000:
                self._apply(batch, seq)
                batch = []
        self._apply(batch, seq)
        self._commit(seq)

    def _apply(self, rows: list, seq: int) -> None:
        """Apply database rows (listing_id, public, terms, text, meta, vector) as of sequence number `seq`."""
        if not rows:
            return
        manifest = self.manifest
        needed = manifest["size"] + len(rows)
        entries_needed = manifest["entries"] + sum(len(r[4].get("orgs", [])) for r in rows if r[1])
        if needed > manifest["capacity"] or entries_needed > manifest["entry_capacity"]:
            capacity = max(needed, 2 * manifest["capacity"], 1024)
            entry_capacity = max(entries_needed, 2 * manifest["entry_capacity"], 1024)
            self.columns = self.columns.grow(capacity, entry_capacity)
            manifest["capacity"], manifest["entry_capacity"] = self.columns.capacity, self.columns.entry_capacity
        columns = self.columns
        for listing_id, public, terms, text, meta, vector in rows:
            old = self.slot_of.get(listing_id)
            if not public:
                if old is not None:
                    self._kill(old, seq)
                continue
            content = content_hash(terms, text, meta)
            if old is not None and int(columns["content"][old]) == content:
                self._set_vector(old, vector)  # only the vector changed: in place, harmless to readers
                continue
            self._append(listing_id, terms, text, meta, vector, content)
            if old is not None:
                self._kill(old, seq)

    def _kill(self, slot: int, seq: int) -> None:
        self.columns["killed"][slot] = seq
        self.manifest["unpurged"].append(slot)
        self.manifest["alive"] -= 1
        listing_id = int(self.columns["listing_id"][slot])
        if self.slot_of.get(listing_id) == slot:  # not the listing's new slot, when it was replaced
            del self.slot_of[listing_id]

    def _set_vector(self, slot: int, vector) -> None:
        columns = self.columns
        if vector is None:
            columns["has_vector"][slot] = 0
            return
        values = np.frombuffer(bytes(vector), dtype=np.float32)
        columns["vectors"][slot] = values
        columns["vectors_i8"][slot] = to_int8(values)
        columns["has_vector"][slot] = 1  # after the vector itself

    def _code(self, name: str, value: str) -> int:
        codes = self.codes[name]
        if value not in codes:
            codes[value] = len(codes) + 1
            self.manifest["codes"][name].append(value)
        return codes[value]

    def _bits(self, name: str, values) -> int:
        mask = 0
        for value in values:
            code = self._code(name, value)
            if code < 63:
                mask |= 1 << code
        return mask

    def _append(self, listing_id: int, terms: str, text: str, meta: dict, vector, content: int) -> None:
        manifest, columns = self.manifest, self.columns
        slot = manifest["size"]
        columns["listing_id"][slot] = listing_id
        columns["killed"][slot] = ALIVE
        columns["content"][slot] = content
        columns["kind"][slot] = self._code("kind", meta.get("kind", ""))
        columns["top"][slot] = self._code("field", meta.get("top", ""))
        columns["area"][slot] = self._code("field", meta.get("field", ""))
        columns["status"][slot] = self._code("status", meta.get("status", ""))
        columns["trl"][slot] = int(meta.get("trl") or 0)
        columns["mode_bits"][slot] = self._bits("mode", meta.get("modes", []))
        columns["region_bits"][slot] = self._bits("region", meta.get("regions", []))
        self._set_vector(slot, vector)
        orgs = [int(org) for org in meta.get("orgs", [])]
        start = manifest["entries"]
        columns["org_slot"][start: start + len(orgs)] = slot
        columns["org_id"][start: start + len(orgs)] = orgs
        manifest["entries"] = start + len(orgs)
        document = tantivy.Document()
        document.add_unsigned("slot", slot)
        document.add_unsigned("listing_id", listing_id)
        document.add_text("terms", terms)
        document.add_text("kind", meta.get("kind", ""))
        document.add_text("top", meta.get("top", ""))
        document.add_text("area", meta.get("field", ""))
        document.add_text("status", meta.get("status", ""))
        for value in meta.get("modes", []):
            document.add_text("modes", value)
        for value in meta.get("regions", []):
            document.add_text("regions", value)
        for concept in meta.get("concepts", []):
            document.add_text("concepts", concept)
        for org in orgs:
            document.add_unsigned("orgs", org)
        self.tantivy_writer.add_document(document)
        columns["stored_at"][slot] = self.build.store.append(
            {"text": text, "folded": normalise(description(text)), "meta": meta}, terms)
        new_terms = [t for t in dict.fromkeys(terms.split()) if t not in self.known_terms]
        if new_terms:
            self.known_terms.update(new_terms)
            if self.vocab_handle is not None:
                self.vocab_handle.write("".join(f"{t}\n" for t in new_terms))
            else:
                self.build.vocabulary.extend(new_terms)
        manifest["size"] = slot + 1
        manifest["alive"] += 1
        self.slot_of[listing_id] = slot

    def _commit(self, seq: int) -> None:
        """Publish: columns and vocabulary to disk, the tantivy commit (with its stamp), then the manifest."""
        manifest = self.manifest
        manifest["commit"] += 1
        manifest["seq"] = seq
        self.tantivy_writer.delete_documents_by_query(tantivy.Query.term_query(SCHEMA, "slot", STAMP_SLOT))
        marker = tantivy.Document()
        marker.add_unsigned("slot", STAMP_SLOT)
        marker.add_unsigned("commit", manifest["commit"])
        self.tantivy_writer.add_document(marker)
        self.columns.flush()
        self.build.store.flush()
        if self.vocab_handle is not None:
            self.vocab_handle.flush()
            manifest["vocab_bytes"] = self.vocab_handle.tell()
        self.tantivy_writer.commit()
        if self.build.path is not None:
            _write_json(self.build.path / "manifest.json", manifest)
            self.node.published()
        self.published = _copy(manifest)


def _copy(manifest: dict) -> dict:
    return dict(manifest, unpurged=list(manifest["unpurged"]), codes={k: list(v) for k, v in manifest["codes"].items()})
