"""Helpers for tests of concurrent requests: real commits that other connections (threads) see, and a way to
start several requests at the same moment. Only meaningful on PostgreSQL (the in-memory SQLite test database
is one shared cache with table locks), so the tests using them are skipped on SQLite."""

import threading

import pytest
from django.db import connection

from tests.seedstate import restore_seed


def postgres_only():
    return pytest.mark.skipif(connection.vendor != "postgresql",
                              reason="concurrent writers need a server database (PostgreSQL)")


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Database access without the per-test transaction: what the test writes is committed and seen by the
    threads' own connections. Afterwards the database is put back to the seed's rows (tests/seedstate.py), so
    nothing the test or the code under it committed (audit entries, notifications) is left for the next test."""
    with django_db_blocker.unblock():
        yield
        restore_seed()


def at_once(count: int, work) -> list:
    """Run work(i) for i in 0..count-1 in threads released together; returns results (or the exceptions)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — returned to the test, which asserts on it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
