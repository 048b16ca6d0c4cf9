"""Backups and restores of everything a site cannot recompute (docs/operations.md, "Backups").

A backup is a folder `techmarket-<UTC time>` under TECHMARKET_BACKUP_DIR holding:

- `database.sqlite3` (SQLite's online backup API: one consistent copy while the site writes) or `database.pgdump`
  (`pg_dump --format=custom` of an exported snapshot, so the row counts below are the dump's own);
- `media/`: the uploaded files (contract texts and documents, evidence, recognition documents, case files), copied
  after the database's snapshot, so every file the database names is complete;
- `secret_key`: the key file of the data directory (certificates' verification codes and sessions depend on it;
  a key set in the environment is not copied, the manifest says so);
- `manifest.json`: format, time, database vendor, the applied migrations, every table's row count;
- `SHA256SUMS`: the sha256 of every other file (`sha256sum -c SHA256SUMS` checks it by hand).

It is written as `.partial-…` and renamed when complete; the newest TECHMARKET_BACKUP_KEEP complete backups are
kept. The search indexes are not backed up: they are computed from the database, and a restore rebuilds them.

A restore checks every checksum first and refuses a backup with a missing, extra or altered file; then it replaces
the database and the uploaded files (the files found are kept aside as `<media>.before-restore-<time>`), puts the key
file back, compares every table's row count with the manifest, and rebuilds the search indexes (`reindex`, the
node's index, the expert pool's).
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction

from techmarket.bootstrap import SECRET_KEY_FILE

FORMAT = 1
PREFIX = "techmarket-"
SUMS = "SHA256SUMS"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


@dataclass
class RestoreReport:
    path: Path
    tables: int = 0
    rows: int = 0
    files: int = 0
    search_documents: int = 0
    notes: list[str] = field(default_factory=list)


# --- helpers -----------------------------------------------------------------------------------------------

def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _tables(cursor_or_connection, vendor: str) -> list[str]:
    if vendor == "sqlite":
        rows = cursor_or_connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    else:
        cursor_or_connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                     "ORDER BY tablename")
        rows = cursor_or_connection.fetchall()
    return [row[0] for row in rows]


def _counts(cursor_or_connection, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor_or_connection, vendor):
        quoted = '"' + table.replace('"', '""') + '"'
        if vendor == "sqlite":
            counts[table] = cursor_or_connection.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()[0]
        else:
            cursor_or_connection.execute(f"SELECT COUNT(*) FROM {quoted}")
            counts[table] = cursor_or_connection.fetchone()[0]
    return counts


def table_counts() -> dict[str, int]:
    """Every table's row count in the site's database now."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return _counts(connection.connection, "sqlite")
    with connection.cursor() as cursor:
        return _counts(cursor, connection.vendor)


def _pg_tool(name: str) -> str:
    """Debian's client tools: the newest version's binary (pg_dump must be at least the server's version)."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _pg_args() -> tuple[list[str], dict]:
    data = connection.settings_dict
    args = ["--dbname", data["NAME"]]
    if data.get("HOST"):
        args += ["--host", data["HOST"]]
    if data.get("PORT"):
        args += ["--port", str(data["PORT"])]
    if data.get("USER"):
        args += ["--username", data["USER"]]
    env = {**os.environ}
    if data.get("PASSWORD"):
        env["PGPASSWORD"] = data["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        latest[app] = max(latest.get(app, ""), name)
    return latest


# --- backup --------------------------------------------------------------------------------------------------

def _database(target: Path) -> tuple[str, dict[str, int]]:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        path = target / "database.sqlite3"
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)  # one step: a consistent copy, writers wait for its moment
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"the copy fails SQLite's integrity check: {check}")
            counts = _counts(copy, "sqlite")
        copy.close()
        return path.name, counts
    if connection.vendor != "postgresql":
        raise BackupError(f"no backup method for {connection.vendor}")
    path = target / "database.pgdump"
    args, env = _pg_args()
    # The counts and the dump see one snapshot: exported from a repeatable-read transaction held open while
    # pg_dump runs (it then reads exactly what the counts counted, whatever is written meanwhile).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _counts(cursor, "postgresql")
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              "--file", str(path), *args], env)
    return path.name, counts


def backup(directory: Path | None = None, keep: int | None = None) -> Path:
    """Make a backup (see the module's doc); returns its folder."""
    directory = Path(directory or settings.TECHMARKET_BACKUP_DIR)
    keep = settings.TECHMARKET_BACKUP_KEEP if keep is None else keep
    directory.mkdir(parents=True, exist_ok=True)
    name = PREFIX + _stamp()
    work = directory / f".partial-{name}"
    work.mkdir()
    try:
        database_file, counts = _database(work)
        media_root = Path(settings.MEDIA_ROOT)
        media_files = 0
        if media_root.is_dir():
            for source in _files(media_root):
                if source.name.startswith("."):
                    continue  # a storage's temporary file
                destination = work / "media" / source.relative_to(media_root)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)
                media_files += 1
        key_file = Path(settings.DATA_DIR) / SECRET_KEY_FILE
        if os.environ.get("SECRET_KEY"):
            secret = "environment"  # kept by whoever set it; not written to disk here
        elif key_file.is_file():
            shutil.copy2(key_file, work / SECRET_KEY_FILE)
            os.chmod(work / SECRET_KEY_FILE, 0o600)
            secret = "file"
        else:
            secret = "none"
        manifest = {
            "format": FORMAT, "created_at": datetime.now(UTC).isoformat(), "vendor": connection.vendor,
            "database": database_file, "tables": counts, "rows": sum(counts.values()), "media_files": media_files,
            "secret_key": secret, "migrations": _migrations(),
            "search_index": "not backed up: rebuilt from the database by `techmarket restore` (reindex, "
                            "search_index)",
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
        sums = [f"{sha256(path)}  {path.relative_to(work).as_posix()}" for path in _files(work)]
        (work / SUMS).write_text("\n".join(sums) + "\n")
        final = directory / name
        os.rename(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    prune(directory, keep)
    return final


def backups(directory: Path | None = None) -> list[Path]:
    """The complete backups in the directory, oldest first."""
    directory = Path(directory or settings.TECHMARKET_BACKUP_DIR)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.name.startswith(PREFIX) and (p / SUMS).is_file())


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` complete backups; returns the removed ones."""
    if keep < 1:
        raise BackupError("keep at least one backup")
    removed = backups(directory)[:-keep]
    for path in removed:
        shutil.rmtree(path)
    return removed


# --- restore -------------------------------------------------------------------------------------------------

def verify(path: Path) -> dict:
    """Check every file against SHA256SUMS (none missing, none extra, none altered); returns the manifest."""
    path = Path(path)
    sums_file = path / SUMS
    if not sums_file.is_file():
        raise BackupError(f"{path} is not a complete backup (no {SUMS})")
    listed = {}
    for line in sums_file.read_text().splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            listed[name] = digest
    present = {p.relative_to(path).as_posix() for p in _files(path)} - {SUMS}
    if missing := sorted(set(listed) - present):
        raise BackupError(f"files missing from the backup: {', '.join(missing[:10])}")
    if extra := sorted(present - set(listed)):
        raise BackupError(f"files not in the backup's checksums: {', '.join(extra[:10])}")
    altered = [name for name, digest in listed.items() if sha256(path / name) != digest]
    if altered:
        raise BackupError(f"checksum mismatch: {', '.join(sorted(altered)[:10])}")
    manifest = json.loads((path / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')}")
    return manifest


def _restore_database(path: Path, manifest: dict) -> None:
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"a {manifest['vendor']} backup cannot be restored into {connection.vendor}")
    source = path / manifest["database"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source) as backup_db:
            backup_db.backup(connection.connection)  # page by page into the live connection: the whole database
        backup_db.close()
        return
    for alias in connections:
        connections[alias].close()
    args, env = _pg_args()
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          *args, str(source)], env)


def _restore_media(path: Path, stamp: str) -> int:
    media_root = Path(settings.MEDIA_ROOT)
    incoming = media_root.with_name(f".{media_root.name}.restoring-{stamp}")
    files = 0
    if (path / "media").is_dir():
        shutil.copytree(path / "media", incoming)
        files = len(_files(incoming))
    else:
        incoming.mkdir(parents=True)
    if media_root.exists() and any(media_root.iterdir()):
        os.rename(media_root, media_root.with_name(f"{media_root.name}.before-restore-{stamp}"))
    elif media_root.exists():
        media_root.rmdir()
    os.rename(incoming, media_root)
    return files


def _restore_key(path: Path, stamp: str, notes: list[str]) -> None:
    source = path / SECRET_KEY_FILE
    if not source.is_file():
        return
    key_file = Path(settings.DATA_DIR) / SECRET_KEY_FILE
    if key_file.is_file() and key_file.read_bytes() != source.read_bytes():
        os.rename(key_file, key_file.with_name(f"{SECRET_KEY_FILE}.before-restore-{stamp}"))
    key_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, key_file)
    os.chmod(key_file, 0o600)
    if os.environ.get("SECRET_KEY"):
        notes.append("SECRET_KEY is set in the environment and overrides the restored key file")


def rebuild_indexes() -> int:
    """The search indexes from the restored database: every listing's document (vectors kept where the text is
    unchanged), embeddings still missing, this node's index on disk (or this process's), the expert pool's.
    Returns the number of public search documents."""
    from django.core.management import call_command

    from techmarket.experts.services import search as expert_search
    from techmarket.matching.models import SearchDocument
    from techmarket.matching.services.engine import node_index, reset_engine

    call_command("reindex", "--quiet", stdout=open(os.devnull, "w"))  # noqa: SIM115
    reset_engine()
    node = node_index()
    if node.take_writer():
        node.writer.run_once()  # a new generation: the node's index is built anew now
    expert_search.reset()
    return SearchDocument.objects.filter(public=True).count()


def restore(path: Path) -> RestoreReport:
    path = Path(path)
    manifest = verify(path)
    report = RestoreReport(path)
    stamp = _stamp()
    _restore_database(path, manifest)
    counts = table_counts()
    differ = {table: (expected, counts.get(table)) for table, expected in manifest["tables"].items()
              if counts.get(table) != expected}
    if differ:
        listing = ", ".join(f"{t}: {e} expected, {g} found" for t, (e, g) in sorted(differ.items())[:10])
        raise BackupError(f"row counts differ after the restore: {listing}")
    report.tables, report.rows = len(manifest["tables"]), manifest["rows"]
    report.files = _restore_media(path, stamp)
    if report.files != manifest["media_files"]:
        raise BackupError(f"{report.files} files restored, the manifest has {manifest['media_files']}")
    _restore_key(path, stamp, report.notes)
    report.search_documents = rebuild_indexes()
    return report
