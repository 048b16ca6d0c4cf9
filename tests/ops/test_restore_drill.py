"""The restore drill (issue 22): a site with contracts, their documents and registration certificates is backed up
while a client keeps requesting pages and searches from a live server; the database, the uploaded files and the key
file are destroyed; `techmarket restore` brings back every record, file, search result and certificate."""

import json
import re
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from techmarket.directory.models import Organisation, Region
from techmarket.ops import backup
from tests.seedstate import ensure_seed

QUERIES = ["盐湖提锂", "高原储能", "牦牛乳制品加工"]
# Rewritten by the restore's index rebuild: its sequence numbers and generation, not its content.
REBUILT = {"matching_indexstate": None, "matching_searchdocument": {"seq"}}


@pytest.fixture(scope="module")
def reseed(django_db_setup, django_db_blocker):
    """The drill is transactional: the database is emptied after it; the seed's rows are put back for the tests
    that follow."""
    yield
    with django_db_blocker.unblock():
        ensure_seed()


def _rows() -> dict[str, list]:
    """Every row of every table (columns the rebuild rewrites left out), sorted."""
    result = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in REBUILT and REBUILT[table] is None:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            names = [column[0] for column in cursor.description]
            keep = [i for i, name in enumerate(names) if name not in (REBUILT.get(table) or ())]
            rows = [tuple(bytes(row[i]) if isinstance(row[i], memoryview) else row[i] for i in keep)
                    for row in cursor.fetchall()]
            result[table] = sorted(rows, key=repr)
    return result


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): backup.sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _searches(base: str) -> dict[str, list]:
    results = {}
    for query in QUERIES:
        with urllib.request.urlopen(f"{base}/api/search?{urllib.parse.urlencode({'q': query})}", timeout=60) as r:
            body = json.loads(r.read())
        results[query] = [(hit["reference"], round(hit["score"], 6)) for hit in body["results"]]
    return results


class _Traffic(threading.Thread):
    """A client requesting pages and searches until stopped (bounded: at most 2,000 requests)."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.stop, self.statuses = base, threading.Event(), []

    def run(self):
        paths = ["/", "/search/?q=%E7%9B%90%E6%B9%96", "/api/search?q=%E5%82%A8%E8%83%BD", "/health/live"]
        while not self.stop.is_set() and len(self.statuses) < 2000:
            path = paths[len(self.statuses) % len(paths)]
            try:
                with urllib.request.urlopen(self.base + path, timeout=60) as response:
                    response.read()
                    self.statuses.append(response.status)
            except Exception as exc:  # noqa: BLE001 - counted as a failure below
                self.statuses.append(repr(exc))


def _destroy(media: Path, key_file: Path) -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f'DROP TABLE "{table}"')
        else:
            cursor.execute("DROP TABLE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    import shutil

    shutil.rmtree(media)
    key_file.unlink()


@pytest.mark.django_db(transaction=True)
def test_restore_drill(reseed, live_server, registered_contract, settings, tmp_path):
    from techmarket.market.models import Attachment, Registration
    from techmarket.market.services.certificates import certificate_pdf

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    key_file = settings.DATA_DIR / "secret_key"
    key_file.write_text("a-key-for-the-drill-" + "x" * 40)
    qinghai_university = Organisation.objects.get(name="青海大学")
    beijing = Organisation.objects.create(name="北京先进储能技术有限公司", region=Region.objects.get(code="beijing"))
    buyer = Organisation.objects.exclude(pk=qinghai_university.pk).filter(kind="enterprise").first() or beijing
    contracts = [registered_contract(beijing, qinghai_university, title="高原储能技术许可"),
                 registered_contract(qinghai_university, buyer, title="盐湖提锂吸附剂技术转让")]
    registrations = list(Registration.objects.filter(contract__in=contracts, number__gt=""))
    assert registrations and Attachment.objects.filter(contract__in=contracts).count() >= 2
    drawn_at = timezone.now()  # the minute printed on a certificate; the drill may cross a minute under load
    certificates = {r.pk: certificate_pdf(r, drawn_at) for r in registrations}
    media = Path(settings.MEDIA_ROOT)
    rows, files, searches = _rows(), _files(media), _searches(live_server.url)
    assert files and all(searches.values())

    traffic = _Traffic(live_server.url)
    traffic.start()
    while len(traffic.statuses) < 4:
        time.sleep(0.05)
    served_before = len(traffic.statuses)
    call_command("backup", "--dir", str(tmp_path / "backups"), "--keep", "2")
    served_during = len(traffic.statuses) - served_before
    traffic.stop.set()
    traffic.join(timeout=60)
    assert set(traffic.statuses) == {200}, [s for s in traffic.statuses if s != 200][:5]
    assert served_during >= 0 and len(traffic.statuses) > served_before
    (path,) = backup.backups(tmp_path / "backups")
    _refuses_altered_copies(path, tmp_path / "altered")

    _destroy(media, key_file)
    with pytest.raises(Exception):  # noqa: B017 - the tables are gone
        Registration.objects.count()

    call_command("restore", str(path))

    assert key_file.read_text() == "a-key-for-the-drill-" + "x" * 40
    assert _files(media) == files
    restored = _rows()
    assert restored.keys() == rows.keys()
    assert [t for t in rows if restored[t] != rows[t]] == []
    assert _searches(live_server.url) == searches
    for registration in Registration.objects.filter(pk__in=certificates):
        assert _undated(certificate_pdf(registration, drawn_at)) == _undated(certificates[registration.pk])

    # Retention: the newest two of three are kept.
    made = [path] + [backup.backup(tmp_path / "backups", keep=2) for _ in range(2)]
    assert backup.backups(tmp_path / "backups") == made[1:] and not path.exists()
    assert not list((tmp_path / "backups").glob(".partial-*"))


def _undated(pdf: bytes) -> bytes:
    """A certificate without the moment it was drawn (the PDF's dates and the file identifier made from them)."""
    return re.sub(rb"/(CreationDate|ModDate) \([^)]*\)|/ID\s*\[[^\]]*\]", b"", pdf)


def _refuses_altered_copies(path: Path, work: Path) -> None:
    import shutil

    copy = Path(shutil.copytree(path, work / path.name))
    assert backup.verify(copy)["media_files"] >= 2
    document = next((copy / "media").rglob("*.pdf"))
    document.write_bytes(document.read_bytes() + b" ")
    with pytest.raises(backup.BackupError, match="checksum mismatch: media/"):
        backup.verify(copy)
    (copy / "media" / "extra.pdf").write_bytes(b"x")
    with pytest.raises(CommandError, match="not in the backup's checksums"):
        call_command("restore", str(copy))
