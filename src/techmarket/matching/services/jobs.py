"""Background work of the index: computing embeddings for new or changed documents.

The backend is chosen by the TECHMARKET_JOBS setting:

- ``process`` (default for the web server): a worker process of its own, ``techmarket embed --watch --stdin``,
  started by the web process on its first job and woken by a line on its stdin. The batch uses every core and
  never holds up a query (queries are embedded in the web process, one thread each). It exits when the web
  process does (its stdin closes) and is started again on the next job if it died.
- ``thread``: one worker thread in the web process (queries still never wait for it, but share its cores).
- ``inline``: at once, in the caller (tests, the CLI).
- ``rq``: a job on a Redis queue (REDIS_URL), run by ``techmarket jobs_worker`` on any node.
- ``none``: nothing is queued; ``techmarket embed --watch`` processes pending documents.

Whatever the backend, a document with no vector is pending, so `techmarket embed` catches up after a
crash or a lost job. Any number of workers may run: each writes a vector only where it is still missing.
"""

import atexit
import contextvars
import fcntl
import logging
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.conf import settings
from django.db import close_old_connections, transaction

from techmarket.common import request_id
from techmarket.matching.models import SearchDocument
from techmarket.matching.services.documents import next_seq
from techmarket.matching.services.embeddings import MODEL_NAME, embed_passages, to_bytes

log = logging.getLogger(__name__)
BATCH = 32
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def embed_pending(listing_ids: list[int] | None = None, limit: int | None = None, progress=None) -> int:
    """Embed pending public documents (all, or those of `listing_ids`); returns how many were embedded.

    The model runs outside any transaction (it takes seconds for a batch, and a write lock held that long
    would stall every other writer on SQLite). The vectors are then written in one short transaction, each
    only if the document still has the text that was embedded and still has no vector: a listing edited
    meanwhile stays pending for the next round, and two workers on one batch write it once."""
    import hashlib

    from techmarket.catalogue.models import Listing
    from techmarket.matching.services.documents import embedded_text, index_listings

    done = 0
    while limit is None or done < limit:
        batch_size = BATCH if limit is None else min(BATCH, limit - done)
        rows = SearchDocument.objects.filter(vector__isnull=True, public=True).order_by("seq")
        if listing_ids is not None:
            rows = rows.filter(listing_id__in=listing_ids)
        batch = list(rows.values_list("pk", "listing_id", "text_hash")[:batch_size])
        if not batch:
            break
        listings = Listing.objects.in_bulk([listing_id for _, listing_id, _ in batch])
        work, stale = [], []
        for pk, listing_id, text_hash in batch:
            listing = listings.get(listing_id)
            if listing is None:
                continue  # deleted meanwhile; its document went with it
            text = embedded_text(listing)
            if hashlib.sha256(text.encode()).hexdigest() == text_hash:
                work.append((pk, text_hash, text))
            else:  # the listing changed without its document (e.g. a queryset update): rewrite the document
                stale.append(listing_id)
        if stale:
            index_listings(stale)
        vectors = embed_passages([text for _, _, text in work]) if work else []
        written = 0
        with transaction.atomic():
            seq = next_seq()
            for (pk, text_hash, _), vector in zip(work, vectors, strict=True):
                written += SearchDocument.objects.filter(pk=pk, vector__isnull=True, text_hash=text_hash).update(
                    vector=to_bytes(vector), vector_model=MODEL_NAME, seq=seq)
        done += written
        if progress:
            progress(done)
        if not written and not stale:  # every row of the batch changed under us: come back later
            break
    return done


def _run_in_thread(listing_ids: list[int]) -> None:
    close_old_connections()
    try:
        embed_pending(listing_ids)
    except Exception:  # a failed job leaves the documents pending; `techmarket embed` retries them
        log.exception("embedding job failed for %d listings", len(listing_ids))
    finally:
        close_old_connections()


@contextmanager
def worker_turn():
    """Whether this worker may embed now: one worker at a time per data directory (several web processes each
    start a worker; taking turns keeps them from embedding the same documents on the same cores)."""
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(settings.DATA_DIR / "embed-worker.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False  # another worker is at it; it embeds every pending document before it stops
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class WorkerProcess:
    """The `process` backend's worker: `techmarket embed --watch --stdin`, started on the first job.

    A job is a newline on the worker's stdin (it embeds whatever is pending, so a job needs no content and a
    lost one costs nothing). The pipe is non-blocking: a busy worker's full pipe never holds up a request. A
    thread waits for the process, so a worker that dies is reaped at once (no zombie) and the next job starts
    another. When the web process exits, the pipe closes and the worker stops after its current batch."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        env = {**os.environ, "TECHMARKET_JOBS": "inline",
               "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)}
        process = subprocess.Popen([sys.executable, "-m", "techmarket", "embed", "--watch", "--stdin"],
                                   stdin=subprocess.PIPE, env=env)
        os.set_blocking(process.stdin.fileno(), False)
        threading.Thread(target=self._reap, args=(process,), name="techmarket-embed-reaper", daemon=True).start()
        log.info("started the embedding worker (pid %d)", process.pid)
        return process

    @staticmethod
    def _reap(process: subprocess.Popen) -> None:
        code = process.wait()
        if code:
            log.warning("the embedding worker (pid %d) exited with %d; the next job starts another",
                        process.pid, code)

    def wake(self) -> None:
        with self._lock:
            for _ in range(2):  # a worker that died just now is replaced once
                if self.process is None or self.process.poll() is not None:
                    self.process = self._start()
                try:
                    os.write(self.process.stdin.fileno(), b"\n")
                    return
                except BlockingIOError:
                    return  # the pipe is full of wake-ups: the worker has work enough
                except (BrokenPipeError, ValueError):
                    self.process.wait()

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            process, self.process = self.process, None
        if process is None:
            return
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:  # in the middle of a batch: it stops by itself when that is written
            pass


worker = WorkerProcess()
atexit.register(worker.stop)


def enqueue_embedding(listing_ids: list[int]) -> None:
    if not listing_ids:
        return
    backend = getattr(settings, "TECHMARKET_JOBS", "process")
    if backend == "inline":
        embed_pending(listing_ids)
    elif backend == "process":
        worker.wake()
    elif backend == "thread":
        global _executor
        with _executor_lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="techmarket-embed")
        _executor.submit(contextvars.copy_context().run, _run_in_thread, list(listing_ids))  # the request id too
    elif backend == "rq":
        rq_queue().enqueue("techmarket.matching.services.jobs.embed_pending", list(listing_ids),
                           meta=request_id.job_meta())  # the worker logs under the request's id
    elif backend != "none":
        raise ValueError(f"unknown TECHMARKET_JOBS backend {backend!r}")


def rq_queue():
    from redis import Redis
    from rq import Queue

    return Queue("techmarket", connection=Redis.from_url(settings.REDIS_URL))
