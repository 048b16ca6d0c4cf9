"""The test database, for a real process (a web server, a worker) that a test starts.

On SQLite the suite's database lives in memory, so such a process gets a file copy of it (seed, vectors and
all), taken once per session outside any test's transaction and copied again for each test; on PostgreSQL it
connects to the test database itself, whose seed was committed when the session started."""

import os
import shutil
import socket
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection


@pytest.fixture(scope="session")
def database_template(django_db_setup, django_db_blocker, tmp_path_factory) -> Path | str:
    """A file copy of the SQLite test database, or the PostgreSQL test database's URL."""
    with django_db_blocker.unblock():
        if connection.vendor != "sqlite":
            settings = connection.settings_dict
            user, password = (quote(settings[key] or "", safe="") for key in ("USER", "PASSWORD"))
            host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
            return f"postgres://{user}:{password}@{host}:{port}/{settings['NAME']}"
        path = tmp_path_factory.mktemp("database") / "techmarket.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        return path


@pytest.fixture
def process_env(database_template, tmp_path):
    """Environment for a `techmarket` process on the test settings and (a copy of) the test database."""

    def env(**extra: str) -> dict[str, str]:
        if isinstance(database_template, Path):
            url = f"sqlite:///{shutil.copy(database_template, tmp_path / 'techmarket.sqlite3')}"
        else:
            url = database_template
        environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        environ.update(TECHMARKET_DATA_DIR=str(tmp_path), DATABASE_URL=url,
                       DJANGO_SETTINGS_MODULE="techmarket.settings_test", **extra)
        return environ

    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
