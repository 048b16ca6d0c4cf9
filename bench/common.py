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


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
