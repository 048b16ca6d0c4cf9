"""Liveness and readiness (docs/operations.md, "Health").

Liveness says the process answers. Readiness says this node can serve correctly now: the database answers, every
migration of the code is applied, this node's search index is not behind the database for longer than
TECHMARKET_INDEX_LAG_LIMIT seconds (60), and no background job has waited in a queue longer than
TECHMARKET_JOB_AGE_LIMIT seconds (300).

The index's lag is measured against a watermark shared by the node's processes (a small file beside the node's
index): the first check that sees the index behind the database notes the database's sequence number and the time;
while the index has not reached that number, the lag is the time since. Its resolution is the interval between
checks (a probe or a metrics scrape every few seconds).
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

_graph_lock = threading.Lock()
_graph_nodes: set[tuple[str, str]] | None = None
_memory_watermark: dict = {}


@dataclass
class Check:
    ok: bool
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"ok": self.ok, **self.detail}


def index_lag_limit() -> float:
    return float(getattr(settings, "TECHMARKET_INDEX_LAG_LIMIT", 60))


def job_age_limit() -> float:
    return float(getattr(settings, "TECHMARKET_JOB_AGE_LIMIT", 300))


def _select_one() -> None:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_database() -> Check:
    """The database answers now: a connection this thread kept from before an outage is dropped and a new one
    tried once, so the check reports the database, not a stale socket."""
    started = time.perf_counter()
    for attempt in (1, 2):
        try:
            _select_one()
            break
        except Exception as exc:  # any driver error: unreachable, refused, authentication, file missing
            _discard_connection()
            if attempt == 2:
                return Check(False, {"error": f"{type(exc).__name__}: {str(exc).strip()[:200]}"})
    return Check(True, {"ms": round((time.perf_counter() - started) * 1000, 1)})


def _discard_connection() -> None:
    """A broken connection is not reused by the next check (CONN_MAX_AGE keeps connections between requests)."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - closing a dead connection may fail again; it is dropped either way
        connection.connection = None


def _code_migrations() -> set[tuple[str, str]]:
    """The migrations the code has (squashed ones as their replacement), read from disk once per process."""
    global _graph_nodes
    with _graph_lock:
        if _graph_nodes is None:
            from django.db.migrations.loader import MigrationLoader

            _graph_nodes = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
        return _graph_nodes


def unapplied_migrations() -> list[str]:
    from django.db.migrations.recorder import MigrationRecorder

    applied = set(MigrationRecorder(connection).applied_migrations())
    return sorted(f"{app}.{name}" for app, name in _code_migrations() - applied)


def check_migrations() -> Check:
    try:
        missing = unapplied_migrations()
    except DatabaseError as exc:
        return Check(False, {"error": f"{type(exc).__name__}: {str(exc).strip()[:200]}"})
    return Check(not missing, {"unapplied": missing[:20], "unapplied_count": len(missing)})


def _watermark_file(node) -> Path | None:
    if node.directory is None:
        return None
    return node.directory.parent / f"lag-{node.directory.name}.json"


def _read_watermark(path: Path | None) -> dict:
    if path is None:
        return dict(_memory_watermark)
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _write_watermark(path: Path | None, value: dict) -> None:
    if path is None:
        _memory_watermark.clear()
        _memory_watermark.update(value)
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_text(json.dumps(value))
    os.replace(temporary, path)  # whole or not at all, for the node's other processes


def index_lag() -> dict:
    """This node's search index against the database: sequence numbers and the lag in seconds."""
    from techmarket.matching.services.documents import index_state
    from techmarket.matching.services.engine import node_index

    database = index_state()
    node = node_index()
    snapshot = node.current()
    generation = snapshot.manifest.get("generation", "")
    behind = snapshot.seq < database["seq"] or (database["generation"] and generation != database["generation"])
    path = _watermark_file(node)
    mark = _read_watermark(path)
    now = time.time()
    if not behind:
        lag = 0.0
        if mark:
            _write_watermark(path, {})
    elif mark and mark.get("generation") == database["generation"] and snapshot.seq < mark.get("seq", 0) \
            and generation == mark.get("generation"):
        lag = max(0.0, now - mark["since"])  # still short of what the database had when first seen behind
    elif mark and mark.get("generation") == database["generation"] and generation != mark.get("generation"):
        lag = max(0.0, now - mark["since"])  # a rebuild for the new generation is still not published
    else:
        _write_watermark(path, {"seq": database["seq"], "generation": database["generation"], "since": now})
        lag = 0.0
    return {"database_seq": database["seq"], "index_seq": snapshot.seq, "lag_seconds": round(lag, 3),
            "on_disk": node.directory is not None}


def check_index() -> Check:
    try:
        state = index_lag()
    except Exception as exc:  # noqa: BLE001 - an unreadable index is a failed check, not a 500
        return Check(False, {"error": f"{type(exc).__name__}: {str(exc)[:200]}"})
    limit = index_lag_limit()
    return Check(state["lag_seconds"] <= limit, {**state, "limit_seconds": limit})


def job_queue() -> dict:
    """Queued background work: scheduled runs waiting (any backend) and, with rq, the Redis queue."""
    from techmarket.matching.models import SearchDocument
    from techmarket.ops.models import ScheduledRun

    now = timezone.now()
    oldest = ScheduledRun.objects.filter(status=ScheduledRun.Status.QUEUED).order_by("queued_at").values_list(
        "queued_at", flat=True).first()
    queued = ScheduledRun.objects.filter(status=ScheduledRun.Status.QUEUED).count()
    ages = [(now - oldest).total_seconds()] if oldest else []
    result = {"scheduled_queued": queued,
              "embeddings_pending": SearchDocument.objects.filter(vector__isnull=True, public=True).count()}
    if getattr(settings, "TECHMARKET_JOBS", "") == "rq":
        from techmarket.matching.services.jobs import rq_queue

        queue = rq_queue()
        result["rq_queued"] = queue.count
        job_ids = queue.get_job_ids(0, 0)
        if job_ids:
            job = queue.fetch_job(job_ids[0])
            if job is not None and job.enqueued_at is not None:
                enqueued = job.enqueued_at if job.enqueued_at.tzinfo else job.enqueued_at.replace(tzinfo=UTC)
                ages.append((now - enqueued).total_seconds())
    result["oldest_seconds"] = round(max(ages), 3) if ages else 0.0
    return result


def check_jobs() -> Check:
    try:
        state = job_queue()
    except Exception as exc:  # noqa: BLE001 - Redis unreachable, or the table missing before migrate
        return Check(False, {"error": f"{type(exc).__name__}: {str(exc)[:200]}"})
    limit = job_age_limit()
    return Check(state["oldest_seconds"] <= limit, {**state, "limit_seconds": limit})


def readiness() -> tuple[bool, dict]:
    database = check_database()
    checks = {"database": database}
    if database.ok:
        checks.update(migrations=check_migrations(), search_index=check_index(), jobs=check_jobs())
    else:
        skipped = Check(False, {"error": "not checked: the database is unreachable"})
        checks.update(migrations=skipped, search_index=skipped, jobs=skipped)
    ok = all(check.ok for check in checks.values())
    return ok, {"status": "ok" if ok else "unavailable", "checks": {k: v.as_dict() for k, v in checks.items()}}
