"""Background work of the index: computing embeddings for new or changed documents.

The backend is chosen by the TECHMARKET_JOBS setting:

- ``thread`` (default): one worker thread in the web process; nothing else to run.
- ``inline``: at once, in the caller (tests, the CLI).
- ``rq``: a job on a Redis queue (REDIS_URL), run by ``techmarket jobs_worker`` on any node.
- ``none``: nothing is queued; ``techmarket embed --watch`` processes pending documents.

Whatever the backend, a document with no vector is pending, so `techmarket embed` catches up after a
crash or a lost job. Any number of workers may run: each writes a vector only where it is still missing.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, transaction

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


def enqueue_embedding(listing_ids: list[int]) -> None:
    if not listing_ids:
        return
    backend = getattr(settings, "TECHMARKET_JOBS", "thread")
    if backend == "inline":
        embed_pending(listing_ids)
    elif backend == "thread":
        global _executor
        with _executor_lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="techmarket-embed")
        _executor.submit(_run_in_thread, list(listing_ids))
    elif backend == "rq":
        rq_queue().enqueue("techmarket.matching.services.jobs.embed_pending", list(listing_ids))
    elif backend != "none":
        raise ValueError(f"unknown TECHMARKET_JOBS backend {backend!r}")


def rq_queue():
    from redis import Redis
    from rq import Queue

    return Queue("techmarket", connection=Redis.from_url(settings.REDIS_URL))
