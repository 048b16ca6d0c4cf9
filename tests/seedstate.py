"""The seeded test database, kept as rows and put back in about a second instead of importing the seed again.

Transactional tests (live servers, browsers, migrations, the restore drill) end with a flush that empties every
table; the tests after them expect the seed. Importing it again costs 12 s alone and 20–30 s beside other workers,
once per module of such tests. Instead each test process keeps every row of every model table as it stood after
its session's import (`seeded`, called by the django_db_setup of tests/conftest.py) and writes them back exactly
— the same ids, times to the microsecond and through-table rows — in one transaction (`restore`). The workers of
one run share the first capture through a file, so only one of them imports the seed."""

import fcntl
import os
import pickle
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction

Snapshot = dict[str, tuple[list[str], list[tuple]]]  # table → (columns, rows)

_kept: list[Snapshot] = []


def _tables() -> list[str]:
    """The tables of the project's models (as Django's flush sees them: django_migrations is not one)."""
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def capture() -> Snapshot:
    """Every row of every model table, in id order (binary columns as bytes, so that they compare and pickle)."""
    snapshot = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)} ORDER BY 1")
            snapshot[table] = columns, [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                                        for row in cursor.fetchall()]
    return snapshot


def restore(snapshot: Snapshot) -> None:
    """Every model table emptied and given back the snapshot's rows; id sequences moved past them."""
    quote = connection.ops.quote_name
    with transaction.atomic():
        statements = connection.ops.sql_flush(no_style(), _tables(), reset_sequences=False, allow_cascade=True)
        connection.ops.execute_sql_flush(statements)
        with connection.cursor() as cursor:
            for table, (columns, rows) in snapshot.items():
                if rows:
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
                                       f"VALUES ({marks})", rows)
            _sequences_past_the_rows(cursor)
    ContentType.objects.clear_cache()  # the ids it cached may be those a flush's post_migrate just made


def _sequences_past_the_rows(cursor) -> None:
    """Each id sequence moved past the largest id now in its table, never back (ids a flushed or rolled-back test
    used are not given again). SQLite's AUTOINCREMENT counters do this by themselves."""
    if connection.vendor != "postgresql":
        return
    for model in apps.get_models(include_auto_created=True):
        table, pk = model._meta.db_table, model._meta.pk
        if not model._meta.managed or pk is None or pk.get_internal_type() not in (
                "AutoField", "BigAutoField", "SmallAutoField"):
            continue
        column, quoted = connection.ops.quote_name(pk.column), connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT setval(s, GREATEST(COALESCE((SELECT MAX({column}) FROM {quoted}), 1), "
            "COALESCE(pg_sequence_last_value(s), 1))) "
            "FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS s) AS q WHERE s IS NOT NULL",
            [quoted, pk.column])


def keep(snapshot: Snapshot) -> None:
    _kept[:] = [snapshot]


def restore_seed() -> None:
    """The database as it was after this process's seed import (for tests that follow a flush)."""
    restore(_kept[0])


def ensure_seed() -> bool:
    """The seed's rows put back if a flush took them away (no listing left); whether that was needed."""
    from techmarket.catalogue.models import Listing

    if Listing.objects.exists():
        return False
    restore_seed()
    return True


@contextmanager
def _locked(path: Path):
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def seeded(load: Callable[[], None]) -> None:
    """The seed in this process's freshly migrated test database: `load`ed (the import) by the first worker of
    the run, which leaves the rows in a file; the other workers restore them from it. Either way kept for
    restore_seed."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:  # one process: nothing to share
        load()
        keep(capture())
        return
    shared = Path(tempfile.gettempdir()) / f"techmarket-test-seed-{connection.vendor}-{run}.pickle"
    with _locked(shared.with_suffix(".lock")):
        if shared.exists():
            snapshot = pickle.loads(shared.read_bytes())
            restore(snapshot)
        else:
            load()
            snapshot = capture()
            partial = shared.with_suffix(".partial")
            partial.write_bytes(pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL))
            partial.replace(shared)
    keep(snapshot)
