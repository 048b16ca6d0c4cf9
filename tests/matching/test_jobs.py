"""Embedding jobs: pending documents are filled by every backend, and by a worker on any node."""

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from django.test import override_settings

from techmarket.catalogue.models import Listing
from techmarket.matching.models import SearchDocument
from techmarket.matching.services import jobs
from techmarket.matching.services.documents import index_listings
from tests import subprocess_db

pytestmark = pytest.mark.django_db
database_template, process_env = subprocess_db.database_template, subprocess_db.process_env  # fixtures


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


@pytest.fixture
def redis_url(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    port = subprocess_db.free_port()
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


# --- the `process` backend, with real processes ---------------------------------------------------------------

WEB_PROCESS = """
import json, os, signal, sys, time
import django
django.setup()
from django.conf import settings
settings.TECHMARKET_JOBS = "process"  # the test settings run jobs inline
from techmarket.matching.models import SearchDocument
from techmarket.matching.services import embeddings, jobs

def pending():
    return SearchDocument.objects.filter(vector__isnull=True, public=True).count()

def make_pending(count):
    ids = list(SearchDocument.objects.filter(public=True).order_by("pk").values_list("pk", flat=True)[:count])
    SearchDocument.objects.filter(pk__in=ids).update(vector=None)

def wait_until_embedded():
    deadline = time.monotonic() + 120
    while pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    return pending() == 0

def state(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"

report = {}
make_pending(3)
jobs.enqueue_embedding([1])  # the ids do not matter: the worker embeds whatever is pending
first = jobs.worker.process.pid
report["query"] = embeddings.embed_query("盐湖提锂技术").shape[0]  # while the worker loads and embeds
report["embedded"] = wait_until_embedded()

os.kill(first, signal.SIGKILL)
deadline = time.monotonic() + 10
while state(first) != "gone" and time.monotonic() < deadline:
    time.sleep(0.02)
report["killed_worker"] = state(first)  # reaped by the backend: no zombie

make_pending(2)
jobs.enqueue_embedding([1])
report["restarted"] = jobs.worker.process.pid != first
report["embedded_after_restart"] = wait_until_embedded()
report["worker"] = jobs.worker.process.pid
report["passages_in_web_process"] = len(embeddings._PASSAGE_CACHE)
print(json.dumps(report), flush=True)
"""


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


def test_process_backend_runs_batches_in_a_worker_that_is_restarted_and_ends_with_the_web_process(process_env):
    env = process_env(TECHMARKET_SEARCH_FOLLOW="0")
    web = subprocess.run([sys.executable, "-c", WEB_PROCESS], env=env, capture_output=True, text=True, timeout=300)
    assert web.returncode == 0, web.stderr[-3000:]
    # The worker shares the web process's stdout and may still report a batch after the web process's report.
    report = json.loads(next(line for line in reversed(web.stdout.splitlines()) if line.startswith("{")))
    assert report["query"] == 384 and report["embedded"]
    assert report["killed_worker"] == "gone"
    assert report["restarted"] and report["embedded_after_restart"]
    assert report["passages_in_web_process"] == 0  # batches never ran beside the web process's queries
    # The web process has exited: its worker's stdin closed, so the worker stops too.
    deadline = time.monotonic() + 30
    while _state(report["worker"]) not in ("gone", "Z") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _state(report["worker"]) in ("gone", "Z")
    # The restarted worker's report: it ends normally, so its output is always there (the first worker is killed
    # just after its batch commits, and may die before its report leaves its buffer).
    assert "Embedded 2 document(s)" in web.stdout and "passages/s" in web.stdout


def test_embed_prints_its_rate(capsys):
    make_pending()
    from django.core.management import call_command

    call_command("embed")
    assert re.search(r"Embedded 1 document\(s\) in [\d.]+ s \([\d.]+ passages/s\)\.", capsys.readouterr().out)


def test_queries_run_on_one_thread_while_a_batch_uses_every_core():
    import threading

    from techmarket.matching.services import embeddings

    texts = [f"第{i}段：高原特色农产品的冷链物流与保鲜技术" for i in range(48)]
    batch = threading.Thread(target=embeddings.embed_passages, args=(texts,))
    batch.start()
    queries = [embeddings.embed_query(f"冷链物流保鲜 {i}") for i in range(5)]  # no lock shared with the batch
    batch.join()
    openmp = embeddings._openmp()
    assert openmp is not None and openmp.omp_get_max_threads() == embeddings.QUERY_THREADS
    # The engine keeps no state between calls: what ran side by side equals what runs alone.
    alone = [embeddings._model().query(f"冷链物流保鲜 {i}") for i in range(5)]
    assert np.allclose(queries, alone, atol=1e-5)
    assert np.allclose(embeddings.embed_passages(texts[:3]), embeddings._model().passage(texts[:3]), atol=1e-5)
