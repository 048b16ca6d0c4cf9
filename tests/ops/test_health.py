"""Liveness and readiness: healthy on a migrated database with a current index; unhealthy when the database is
unreachable (a real server process whose database goes away, then comes back) or the node's index lags past the
limit, and healthy again when it recovers."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from techmarket.ops.models import ScheduledRun
from tests import subprocess_db

database_template, process_env = subprocess_db.database_template, subprocess_db.process_env  # fixtures


@pytest.fixture
def node_dir(settings, tmp_path):
    """The node's index on disk, as production keeps it (the watermark file lives beside it)."""
    from techmarket.matching.services.engine import reset_engine

    settings.TECHMARKET_SEARCH_DIR = str(tmp_path / "search")
    reset_engine()
    yield Path(settings.TECHMARKET_SEARCH_DIR)
    reset_engine()


def test_liveness_needs_nothing(client):
    response = client.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_on_a_migrated_database_with_a_current_index(client, node_dir):
    from techmarket.matching.services.engine import node_index

    node_index().sync()
    response = client.get("/health/ready", HTTP_X_REQUEST_ID="probe-1")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and response["X-Request-ID"] == "probe-1"
    assert body["checks"]["migrations"]["unapplied_count"] == 0
    assert body["checks"]["search_index"]["lag_seconds"] == 0
    assert body["checks"]["search_index"]["index_seq"] == body["checks"]["search_index"]["database_seq"] > 0


@pytest.mark.django_db
def test_unready_while_the_index_lags_then_ready_when_it_catches_up(client, node_dir, settings):
    from techmarket.catalogue.models import Listing
    from techmarket.matching.services.documents import index_listings
    from techmarket.matching.services.engine import node_index

    settings.TECHMARKET_INDEX_LAG_LIMIT = 0.5
    node_index().sync()
    assert client.get("/health/ready").status_code == 200
    index_listings([Listing.objects.filter(status="published").first().pk])  # the database moves on; no writer
    first = client.get("/health/ready").json()["checks"]["search_index"]
    assert first["database_seq"] == first["index_seq"] + 1 and first["ok"]  # behind, but not for long yet
    time.sleep(0.7)
    response = client.get("/health/ready")
    lagging = response.json()["checks"]["search_index"]
    assert response.status_code == 503 and response.json()["status"] == "unavailable"
    assert not lagging["ok"] and lagging["lag_seconds"] > 0.5
    node_index().sync()  # the node's writer catches up
    response = client.get("/health/ready")
    assert response.status_code == 200 and response.json()["checks"]["search_index"]["lag_seconds"] == 0


@pytest.mark.django_db
def test_unready_while_a_job_waits_too_long(client, settings):
    from django.utils import timezone

    settings.TECHMARKET_JOB_AGE_LIMIT = 60
    run = ScheduledRun.objects.create(job="expire-listings", due_at=timezone.now(),
                                      queued_at=timezone.now() - timezone.timedelta(minutes=2))
    response = client.get("/health/ready")
    assert response.status_code == 503 and response.json()["checks"]["jobs"]["oldest_seconds"] >= 120
    run.status = ScheduledRun.Status.DONE
    run.save()
    assert client.get("/health/ready").status_code == 200


@pytest.mark.django_db
def test_unready_with_unapplied_migrations(client, monkeypatch):
    from techmarket.ops import health

    # The code has a migration the database does not: as after deploying new code before `migrate`.
    monkeypatch.setattr(health, "_graph_nodes", health._code_migrations() | {("ops", "9999_future")})
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["unapplied"] == ["ops.9999_future"]


# --- the database going away, for a real server process ---------------------------------------------------

class _Relay:
    """A TCP relay to PostgreSQL that the test can cut and restore: the server's database connection goes
    through a real socket to a port that closes."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.port = target, subprocess_db.free_port()
        self.listener: socket.socket | None = None
        self.peers: list[socket.socket] = []
        self.open()

    def open(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.peers += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; close() alone would not
        except OSError:
            pass
        self.listener.close()
        for peer in self.peers:
            try:
                peer.shutdown(socket.SHUT_RDWR)
                peer.close()
            except OSError:
                pass
        self.peers = []


def _ready(base: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(base + "/health/ready", timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _wait(base: str, deadline: float) -> None:
    while True:
        try:
            urllib.request.urlopen(base + "/health/live", timeout=30).read()
            return
        except OSError:  # refused while starting, or slow on a busy machine
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.django_db
def test_readiness_follows_the_database_going_away_and_coming_back(process_env, tmp_path):
    relay = None
    if connection.vendor == "sqlite":
        env = process_env()
        database = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
        moved = tmp_path / "db"
        moved.mkdir()
        database = Path(shutil.move(database, moved / database.name))
        env["DATABASE_URL"] = f"sqlite:///{database}"

        def cut():
            os.rename(moved, tmp_path / "db-away")  # the file's directory is gone: SQLite cannot open it

        def restore():
            os.rename(tmp_path / "db-away", moved)
    else:
        env = process_env()
        settings_dict = connection.settings_dict
        relay = _Relay((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)))
        env["DATABASE_URL"] = env["DATABASE_URL"].replace(f":{settings_dict['PORT'] or 5432}/", f":{relay.port}/")
        cut, restore = relay.close, relay.open
    port = subprocess_db.free_port()
    env.update(DB_CONN_MAX_AGE="60", TECHMARKET_SEARCH_DIR=str(tmp_path / "search"), TECHMARKET_SEARCH_FOLLOW="1",
               TECHMARKET_JOBS="none", LOG_FORMAT="json")
    server = subprocess.Popen([sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--threads=2",
                               "techmarket.wsgi:application"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, time.monotonic() + 60)
        deadline = time.monotonic() + 30
        while (state := _ready(base))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)  # the node's writer builds the index from its own thread first
        assert state[0] == 200, state
        cut()
        status, body = _ready(base)
        assert status == 503 and not body["checks"]["database"]["ok"], body
        assert "error" in body["checks"]["database"]
        restore()
        status, body = _ready(base)
        assert status == 200, body
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
        if relay is not None:
            relay.close()
    assert "Traceback" not in output or "OperationalError" in output, output[-3000:]
