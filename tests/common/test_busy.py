"""A busy database is a clear message, never a 500, and a write that waits its turn succeeds: a served process
on its own SQLite file while another connection holds the write lock (as a long import's transaction does)."""

import os
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR / "bench"))

from loadtest import Client, Site  # noqa: E402

pytestmark = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="SQLite's write lock; PostgreSQL locks rows")
PASSWORD = "Busy-test-2026-pass"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("busy"), extra_env={"SQLITE_BUSY_TIMEOUT": "2"})
    site.prepare(setup_django=False)
    site.manage("createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.org",
                env={"DJANGO_SUPERUSER_PASSWORD": PASSWORD})
    site.start(threads=4)
    yield site
    site.stop()


def hold_write_lock(site: Site, seconds: float) -> threading.Thread:
    """Another writer (say, an import) holding SQLite's write lock for `seconds`."""
    ready = threading.Event()

    def hold():
        connection = sqlite3.connect(site.data_dir / "techmarket.sqlite3", isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("CREATE TABLE IF NOT EXISTS busy_probe (x)")
        ready.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(10)
    return thread


def log_in(site: Site):
    client = Client(site.base)
    client.get("/accounts/login/")
    return client, client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})


def test_a_write_waits_for_the_lock_and_then_succeeds(site):
    holder = hold_write_lock(site, 0.8)
    client, answer = log_in(site)
    holder.join()
    assert answer.status == 302, answer.body[:500]
    assert client.get("/admin/").status == 200  # logged in


def test_past_the_timeout_the_user_is_told_and_nothing_is_saved(site):
    client = Client(site.base)
    client.get("/accounts/login/")  # before the lock: on a loaded machine this page alone may take seconds
    holder = hold_write_lock(site, 6)  # three times the 2 s timeout: the log-in cannot get the lock in time
    answer = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    holder.join()
    assert answer.status == 503
    assert "系统繁忙" in answer.body and "没有保存" in answer.body
    assert client.get("/admin/").status == 302  # not logged in: the session was not saved
    assert log_in(site)[1].status == 302  # and once the lock is gone, the same log-in works


def test_reads_go_on_while_a_writer_holds_the_lock(site):
    holder = hold_write_lock(site, 5)
    answer = Client(site.base).get("/catalogue/")
    still_held = holder.is_alive()
    holder.join()
    assert answer.status == 200 and still_held  # WAL: readers never wait for the writer
