"""Concurrency and faults against a real served process (bench/loadtest.py --check): 16 writers (submit,
approve, apply, register) and 4 searchers for 20 s, then a write burst during which the server is killed with
SIGKILL. On the database the suite runs on (SQLite by default, PostgreSQL when DATABASE_URL names one)."""

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _database_url() -> str | None:
    """A database of its own beside the suite's (the harness empties it); None for its own SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_loadtest"))


@pytest.mark.long(100)
def test_concurrent_writes_never_fail_and_leave_complete_records(tmp_path):
    command = [sys.executable, str(PROJECT_DIR / "bench" / "loadtest.py"), "--check", "--writers", "16",
               "--searchers", "4", "--duration", "20", "--kill-after", "6", "--data-dir", str(tmp_path), "--json"]
    if _database_url():
        command += ["--database-url", _database_url()]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    assert done.stdout, done.stderr[-3000:]
    output = json.loads(done.stdout)
    steady, killed = output["runs"]
    assert steady["server_errors"] == 0 and steady["busy"] == 0, steady["problems"]
    assert steady["problems"] == []
    # The run did real work of every kind, so the checks above are about something.
    assert all(steady["acknowledged"][kind] > 0 for kind in ("submit", "approve", "apply", "register")), steady
    assert killed["killed"] and killed["server_errors"] == 0
    assert killed["problems"] == [], killed["problems"]
    assert done.returncode == 0, done.stderr[-3000:]
