"""Background work of the index: computing embeddings for new or changed documents.

The backend is chosen by the TECHMARKET_JOBS setting:

- ``thread`` (default): one worker thread in the web process; nothing else to run.
- ``inline``: at once, in the caller (tests, the CLI).
- ``rq``: a job on a Redis queue (REDIS_URL), run by ``techmarket jobs_worker`` on any node.
- ``none``: nothing is queued; ``techmarket embed --watch`` processes pending documents.

Whatever the backend, a document with no vector is pending, so `techmarket embed` catches up after a
crash or a lost job; on PostgreSQL, concurrent workers skip each other's rows (SKIP LOCKED).
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from techmarket.matching.models import SearchDocument
from techmarket.matching.services.documents import next_seq
from techmarket.matching.services.embeddings import MODEL_NAME, embed_passages, to_bytes

log = logging.getLogger(__name__)
BATCH = 32
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def embed_pending(listing_ids: list[int] | None = None, limit: int | None = None, progress=None) -> int:
    """Embed pending public documents (all, or those of `listing_ids`); returns how many were embedded."""
    from techmarket.catalogue.models import Listing
    from techmarket.matching.services.documents import embedded_text

    done = 0
    while limit is None or done < limit:
        batch_size = BATCH if limit is None else min(BATCH, limit - done)
        with transaction.atomic():
            rows = SearchDocument.objects.filter(vector__isnull=True, public=True).order_by("seq")
            if listing_ids is not None:
                rows = rows.filter(listing_id__in=listing_ids)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            batch = list(rows[:batch_size])
            if not batch:
                break
            listings = Listing.objects.in_bulk([d.listing_id for d in batch])
            texts = [embedded_text(listings[d.listing_id]) for d in batch]
            vectors = embed_passages(texts)
            seq = next_seq()
            for document, vector in zip(batch, vectors, strict=True):
                document.vector, document.vector_model, document.seq = to_bytes(vector), MODEL_NAME, seq
            SearchDocument.objects.bulk_update(batch, ["vector", "vector_model", "seq"])
        done += len(batch)
        if progress:
            progress(done)
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
