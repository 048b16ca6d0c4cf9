"""Embedding jobs: pending documents are filled by every backend, and by a worker on any node."""

import shutil
import socket
import subprocess
import time

import pytest
from django.test import override_settings

from techmarket.catalogue.models import Listing
from techmarket.matching.models import SearchDocument
from techmarket.matching.services import jobs
from techmarket.matching.services.documents import index_listings

pytestmark = pytest.mark.django_db


def make_pending(reference="innovation/hightech/6"):
    listing = Listing.objects.get(reference=reference)
    listing.description += "（补充：组件拆解与硅料回收）"
    listing.save()
    with override_settings(TECHMARKET_JOBS="none"):
        pending = index_listings([listing.pk])
    assert pending == [listing.pk]
    assert SearchDocument.objects.get(listing=listing).vector is None
    return listing


def test_unchanged_text_keeps_its_vector():
    listing = Listing.objects.get(reference="innovation/hightech/7")
    listing.grade = "C"
    listing.save()
    assert index_listings([listing.pk]) == []


def test_worker_embeds_pending_documents():
    listing = make_pending()
    assert jobs.embed_pending() == 1
    document = SearchDocument.objects.get(listing=listing)
    assert document.vector is not None and len(bytes(document.vector)) == 384 * 4


def test_inline_backend_embeds_at_once():
    listing = make_pending()
    with override_settings(TECHMARKET_JOBS="inline"):
        jobs.enqueue_embedding([listing.pk])
    assert SearchDocument.objects.get(listing=listing).vector is not None


def test_unknown_backend_is_refused():
    with override_settings(TECHMARKET_JOBS="carrier-pigeon"), pytest.raises(ValueError, match="unknown"):
        jobs.enqueue_embedding([1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    port = _free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        from redis import Redis

        for _ in range(100):
            try:
                Redis(port=port).ping()
                break
            except Exception:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_rq_backend_queues_a_job_that_a_worker_runs(redis_url):
    from rq import SimpleWorker

    listing = make_pending()
    with override_settings(TECHMARKET_JOBS="rq", REDIS_URL=redis_url):
        jobs.enqueue_embedding([listing.pk])
        queue = jobs.rq_queue()
        assert queue.count == 1
        assert SearchDocument.objects.get(listing=listing).vector is None
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert queue.count == 0
    assert SearchDocument.objects.get(listing=listing).vector is not None
