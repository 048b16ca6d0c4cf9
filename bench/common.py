"""Shared set-up of the bench scripts: a private data directory and SQLite database, then Django.

Must run before anything imports Django settings: the data directory and the database are read from the
environment when the settings module loads.
"""

import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def setup_django(data_dir: Path, jobs: str = "inline") -> None:
    """Point the settings at `data_dir` (its own SQLite file, secret key, static root) and set Django up."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["TECHMARKET_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'techmarket.sqlite3'}"
    os.environ["TECHMARKET_JOBS"] = jobs
    os.environ["DJANGO_SETTINGS_MODULE"] = "techmarket.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    src = PROJECT_DIR / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    # The servers and commands the bench starts run this same source tree (it may be a copy of a commit).
    os.environ["PYTHONPATH"] = os.pathsep.join([str(src)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    import django

    from techmarket.bootstrap import prepare

    prepare()  # the secret key in data_dir
    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


class Timer:
    def __init__(self):
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


def percentile(values, q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; 0 for no values."""
    data = sorted(values)
    if not data:
        return 0.0
    k = (len(data) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine so far, from /proc/stat; (0, 0) where there is none."""
    try:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
    except OSError:
        return 0, 0
    # idle and iowait are not busy; steal (a virtual machine's host running something else) is
    return sum(values) - values[3] - values[4], sum(values)


class OtherLoad:
    """CPU used on the machine by everything but the calling thread over a span, in cores: what a figure
    measured in that span shared the machine with (another process's work, a background thread of this one, the
    kernel writing files back, the host of a virtual machine taking its cores for something else)."""

    def __init__(self):
        self.cores = 0.0
        self._start = None

    def __enter__(self):
        self._start = (_cpu_ticks(), time.thread_time(), time.monotonic())
        return self

    def __exit__(self, *exc):
        (busy0, total0), own0, wall0 = self._start
        busy1, total1 = _cpu_ticks()
        wall = time.monotonic() - wall0
        if total1 > total0 and wall > 0:
            machine = (busy1 - busy0) / (total1 - total0) * (os.cpu_count() or 1)
            self.cores = round(max(0.0, machine - (time.thread_time() - own0) / wall), 2)
        return False


def settle(quiet_cores: float = 0.2, limit_s: float = 90.0) -> dict:
    """Before a timed phase: flush written files to disk and wait until the machine is quiet apart from the
    calling thread (under `quiet_cores` busy for a whole second; this process's own background threads count),
    at most `limit_s`. A build, a copy or an index opened just before leaves the kernel writing back, tantivy
    merging and the index's files being read through for a while, and a figure measured then is that work's,
    not the product's. Returns the seconds waited and the load seen last."""
    start = time.monotonic()
    os.sync()
    while True:
        with OtherLoad() as load:
            time.sleep(1.0)
        waited = time.monotonic() - start
        if load.cores < quiet_cores or waited >= limit_s:
            return {"waited_s": round(waited, 1), "other_cores": load.cores}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
