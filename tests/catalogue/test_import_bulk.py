"""The bulk import: planned outside the write transaction, written in one short transaction.

It must write what the one-row-at-a-time import wrote (kept below as the reference), change nothing on a
re-import or a refused file, leave the database unchanged when killed mid-write, and let a concurrent
writer through once its transaction ends.
"""

import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from techmarket.catalogue.importers import loader
from techmarket.catalogue.importers.loader import ImportRejected, ImportReport, import_file
from techmarket.catalogue.models import (
    Field,
    ImportRun,
    Listing,
    ListingAction,
    ListingContact,
    ListingOrganisation,
    SourceDocument,
)
from techmarket.catalogue.services.classification import classify
from techmarket.catalogue.services.grading import apply_computed_grade
from techmarket.catalogue.services.modes import normalise_modes
from techmarket.common.audit import history_for, log_action
from techmarket.common.models import AuditEntry
from techmarket.directory.models import Organisation, OrganisationAlias, Person, Region
from techmarket.directory.services.contacts import match_or_create_person, parse_contacts
from techmarket.directory.services.organisations import find_organisation, resolve_unit, split_units
from techmarket.matching.models import SearchDocument
from techmarket.matching.services import documents
from techmarket.matching.services.search import search

PROJECT_DIR = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("import_bench", PROJECT_DIR / "bench" / "import_bench.py")
import_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_bench)


def make_workbook(path: Path, rows: int, seed: int = 1, extra: dict | None = None) -> Path:
    sheets = import_bench.generate_rows(import_bench.seed_items(), rows, seed)
    for title, more in (extra or {}).items():
        sheets.setdefault(title, []).extend(more)
    return import_bench.write_workbook(path, sheets)


# --- the one-row-at-a-time import, as it was before the bulk writer (commit 1500e64) -------------------------

def per_row_import(path: Path, collection: str) -> ImportReport:
    parsed = loader.parse_file(path)
    prefix = f"{collection}/"
    report = ImportReport(path.name, parsed.file_format)
    report.warnings += [str(w) for w in parsed.warnings]
    with transaction.atomic():
        source, _ = SourceDocument.objects.update_or_create(file_name=path.name, defaults={"title": parsed.title})
        areas = list(Field.objects.filter(parent__isnull=False).select_related("parent"))
        vocabulary = list(loader.CooperationMode.objects.all())
        regions = list(Region.objects.all())
        org_seen, person_seen = set(), set()
        for row in parsed.rows:
            _per_row(row, prefix + row.reference, source, report, areas, vocabulary, regions, org_seen, person_seen)
        loader._section_report(parsed, report)
    return report


def _per_row(row, reference, source, report, areas, vocabulary, regions, org_seen, person_seen):
    modes = normalise_modes(row.modes, vocabulary)
    if modes.unknown:
        report.warnings.append(f"{row.location}: unknown cooperation mode(s) {'、'.join(modes.unknown)} kept as text")
    if row.section.kind in (Listing.Kind.PLATFORM, Listing.Kind.TALENT):
        kind = row.section.kind
    else:
        kind = Listing.Kind.OFFER if any(m.is_offer for m in modes.modes) else Listing.Kind.DEMAND
    values = {
        "kind": kind, "title": row.title, "description": row.description,
        "organisations_raw": row.organisations, "contacts_raw": row.contacts, "modes_raw": row.modes,
        "source_section": row.section.key, "source_section_title": row.section.title,
        "source_position": row.position, "source_printed_number": row.printed_number,
        "source_location": row.location,
    }
    listing = Listing.objects.filter(reference=reference).first()
    if listing is None:
        listing = Listing.objects.create(reference=reference, status=Listing.Status.PUBLISHED,
                                         published_at=timezone.now(), source_document=source, **values)
        log_action(listing, ListingAction.IMPORT, to_value=listing.status, actor_label="import",
                   reason=f"imported from {source.file_name}")
        report.listings["created"] += 1
    else:
        changed = [name for name in loader.UPDATABLE_FIELDS if getattr(listing, name) != values[name]]
        for name in changed:
            setattr(listing, name, values[name])
        listing.source_document = source
        listing.save()
        if changed:
            log_action(listing, ListingAction.IMPORT, actor_label="import",
                       reason=f"re-imported from {source.file_name}; changed: {', '.join(changed)}")
        report.listings["updated" if changed else "unchanged"] += 1
    report.kinds[kind] += 1
    organisations = []
    for unit in split_units(row.organisations):
        resolved = resolve_unit(unit, regions)
        if resolved.organisation not in organisations:
            organisations.append(resolved.organisation)
        loader._count(report.organisations, resolved.organisation.pk, resolved.created, org_seen)
    ListingOrganisation.objects.filter(listing=listing).exclude(organisation__in=organisations).delete()
    for position, org in enumerate(organisations):
        ListingOrganisation.objects.update_or_create(
            listing=listing, organisation=org,
            defaults={"position": position,
                      "role": ListingOrganisation.Role.LEAD if position == 0 else ListingOrganisation.Role.PARTNER})
    listing.owner = organisations[0] if organisations else None
    contacts = parse_contacts(row.contacts)
    report.warnings += [f"{row.location}: {w}" for w in contacts.warnings]
    people = []
    for entry in contacts.entries:
        org = listing.owner
        if entry.organisation_hint:
            org = (find_organisation(entry.organisation_hint)
                   or resolve_unit(entry.organisation_hint, regions).organisation)
        person, created = match_or_create_person(entry, org)
        if person not in people:
            people.append(person)
        loader._count(report.people, person.pk, created, person_seen)
    ListingContact.objects.filter(listing=listing).exclude(person__in=people).delete()
    for position, person in enumerate(people):
        ListingContact.objects.update_or_create(listing=listing, person=person, defaults={"position": position})
    listing.modes.set(modes.modes)
    if not listing.field_confirmed:
        result = classify(listing.title, listing.description, areas)
        listing.field = result.area
        listing.field_auto = result.area.code if result.area else ""
        if result.area is None:
            report.warnings.append(f"{row.location}: no field keyword found; left unclassified for review")
    listing.save()
    apply_computed_grade(listing)


# --- what a user sees of the imported records ----------------------------------------------------------------

def contents(prefix: str) -> dict:
    """The imported listings with everything shown about them, ids replaced by names."""
    org_names = dict(Organisation.objects.values_list("pk", "name"))
    out = {}
    for listing in (Listing.objects.filter(reference__startswith=prefix)
                    .select_related("owner", "field", "source_document").prefetch_related("modes")):
        document = SearchDocument.objects.get(listing=listing)
        meta = {**document.meta, "orgs": [org_names[pk] for pk in document.meta["orgs"]]}
        out[listing.reference] = {
            "values": {name: getattr(listing, name) for name in loader.UPDATABLE_FIELDS + (
                "status", "field_auto", "grade", "grade_basis", "trl", "budget_wan")},
            "owner": listing.owner.name if listing.owner else None,
            "field": listing.field.code if listing.field else None,
            "source": listing.source_document.file_name,
            "modes": sorted(m.code for m in listing.modes.all()),
            "organisations": [(link.organisation.name, link.organisation.kind,
                               link.organisation.region.code if link.organisation.region else None,
                               link.role, link.position)
                              for link in listing.organisation_links.select_related("organisation__region")],
            "contacts": [(link.person.name, link.person.phones, link.person.emails, link.position,
                          sorted(link.person.organisations.values_list("name", flat=True)))
                         for link in listing.contact_links.select_related("person")],
            "events": [(e.action, e.target_label, e.from_value, e.to_value, e.actor_label, e.reason)
                       for e in history_for(listing)],
            "document": (document.public, document.terms, document.text, meta, document.text_hash,
                         document.vector is None),
        }
    return out


def directory() -> tuple:
    return (sorted(Organisation.objects.values_list("name", "kind", "region__code")),
            sorted(OrganisationAlias.objects.values_list("name", "organisation__name")),
            sorted((name, phones, emails) for name, phones, emails in
                   Person.objects.values_list("name", "phones", "emails")))


def database_state() -> tuple:
    return (list(Listing.objects.order_by("pk").values_list()), list(AuditEntry.objects.order_by("pk").values_list()),
            list(ListingOrganisation.objects.order_by("pk").values_list()),
            list(ListingContact.objects.order_by("pk").values_list()),
            sorted(Listing.modes.through.objects.values_list("listing_id", "cooperationmode_id")),
            list(SearchDocument.objects.order_by("pk").values_list("pk", "seq", "terms", "meta", "text_hash")),
            Person.objects.count(), Organisation.objects.count(), ImportRun.objects.count())


def rolled_back(run):
    """Run `run()` in a savepoint that is then rolled back; returns what it returned."""
    with transaction.atomic():
        result = run()
        transaction.set_rollback(True)
    return result


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    return make_workbook(tmp_path_factory.mktemp("bulk") / "compilation-300.xlsx", 300)


@pytest.mark.django_db
@pytest.mark.long(30)
def test_bulk_import_writes_what_the_per_row_import_wrote(workbook):
    def with_importer(importer):
        def run():
            report = importer(workbook, collection="cmp")
            return report.as_dict(), contents("cmp/"), directory()
        return run

    expected = rolled_back(with_importer(per_row_import))
    got = rolled_back(with_importer(import_file))
    assert got[0] == expected[0]  # the report: counts, sections, warnings
    assert expected[0]["listings"] == {"created": 300}
    # Organisations are both created and met again; people recur across rows.
    assert expected[0]["organisations"]["created"] and expected[0]["organisations"]["matched"]
    assert 0 < expected[0]["people"]["created"] < 300
    assert set(got[1]) == set(expected[1])
    for reference, listing in expected[1].items():
        assert got[1][reference] == listing, reference
    assert got[2] == expected[2]  # organisations, aliases and people, with their details


@pytest.mark.django_db
def test_imported_listings_are_found_by_search(workbook):
    report = import_file(workbook, collection="found")
    assert report.total == 300 and report.timings["write_s"] < report.timings["total_s"]
    for listing in Listing.objects.filter(reference__startswith="found/").order_by("?")[:5]:
        hits = search(listing.title, mode="keyword", limit=50).hits
        assert listing.reference in [hit.reference for hit in hits]


@pytest.mark.django_db
def test_reimport_changes_nothing(workbook):
    import_file(workbook, collection="again")
    before = database_state()
    report = import_file(workbook, collection="again")
    assert report.listings == {"unchanged": 300}
    assert report.organisations.get("created") is None and report.people.get("created") is None
    after = database_state()
    assert after[:-1] == before[:-1]  # only the ImportRun record is new
    assert after[-1] == before[-1] + 1


@pytest.mark.django_db
def test_a_bad_row_changes_nothing(tmp_path):
    bad = [["301", "", "内容", "青海大学", "联合研发", "张三 13800000000"]]
    path = make_workbook(tmp_path / "bad.xlsx", 300, extra={"高新技术领域（0项）": bad})
    before = database_state()
    with pytest.raises(ImportRejected) as caught:
        import_file(path, collection="bad")
    assert any("column 项目名称 is empty" in str(p) for p in caught.value.problems)
    assert database_state() == before


@pytest.mark.django_db
def test_a_failure_while_writing_changes_nothing(workbook, monkeypatch):
    def fail(prepared):
        raise RuntimeError("disk full")

    before = database_state()
    monkeypatch.setattr(documents, "write_documents", fail)  # the index's part, the last write of the transaction
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(workbook, collection="fail")
    assert database_state() == before


@pytest.mark.django_db
def test_a_plan_overtaken_by_another_writer_is_made_again(workbook, monkeypatch):
    import_file(workbook, collection="race")
    listing = Listing.objects.get(reference="race/innovation/hightech/1")
    made = []
    plan = loader._Plan

    def plan_then_edit(*args):
        made.append(plan(*args))
        if len(made) == 1:  # a reviewer confirms a field between the plan and its transaction
            Listing.objects.filter(pk=listing.pk).update(field_confirmed=True, field=None,
                                                         updated_at=timezone.now())
        return made[-1]

    monkeypatch.setattr(loader, "_Plan", plan_then_edit)
    report = import_file(workbook, collection="race")
    assert report.timings["attempts"] == 2 and len(made) == 2
    listing.refresh_from_db()
    assert listing.field_confirmed and listing.field is None  # the reviewer's choice stands


# --- a real process on a SQLite file --------------------------------------------------------------------------

BIG = 20_000


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(TECHMARKET_DATA_DIR=str(data_dir), DATABASE_URL=f"sqlite:///{data_dir / 'techmarket.sqlite3'}",
               DJANGO_SETTINGS_MODULE="techmarket.settings", TECHMARKET_JOBS="none", LOG_LEVEL="INFO")
    return env


def _techmarket(data_dir: Path, *args: str, **kwargs):
    return subprocess.run([sys.executable, "-m", "techmarket", *args], env=_env(data_dir), check=True,
                          capture_output=True, text=True, **kwargs)


def _dump(db: Path) -> tuple:
    with sqlite3.connect(db) as conn:
        return tuple(conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in (
            "catalogue_listing", "common_auditentry", "catalogue_listingorganisation",
            "catalogue_listingcontact", "catalogue_listing_modes", "directory_organisation", "directory_person",
            "matching_searchdocument", "matching_indexstate", "catalogue_importrun"))


def _writing(db: Path) -> bool:
    """Whether a write transaction holds the database now."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        conn.close()


def _start_import(data_dir: Path, path: Path) -> tuple[subprocess.Popen, float]:
    """Start `techmarket import` and return once it has begun its write transaction."""
    process = subprocess.Popen([sys.executable, "-m", "techmarket", "import", str(path), "--collection", "big",
                                "--quiet"], env=_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    for line in process.stderr:
        if "in one transaction" in line:
            return process, time.monotonic()
    raise AssertionError(f"the import ended before writing: {process.wait()} {process.stdout.read()}")


@pytest.fixture(scope="module")
def served_data(tmp_path_factory):
    """A SQLite file database with the seed imported, and a 20,000-row workbook."""
    data_dir = tmp_path_factory.mktemp("import-fault")
    _techmarket(data_dir, "migrate", "--noinput", "-v0")
    _techmarket(data_dir, "import", "--quiet")
    return data_dir, make_workbook(data_dir / f"compilation-{BIG}.xlsx", BIG)


@pytest.mark.long(50)
def test_kill_during_the_write_transaction_leaves_the_database_unchanged(served_data):
    data_dir, path = served_data
    db = data_dir / "techmarket.sqlite3"
    before = _dump(db)
    process, _ = _start_import(data_dir, path)
    time.sleep(0.3)
    assert _writing(db), "the write transaction should still be running"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert _dump(db) == before


@pytest.mark.long(55)
def test_a_write_during_the_import_waits_and_succeeds(served_data):
    data_dir, path = served_data
    db = data_dir / "techmarket.sqlite3"
    trigger = data_dir / "go"
    trigger.unlink(missing_ok=True)
    # A second process, as a web worker would be: Django loaded, then one atomic write (a sign-up) issued
    # while the import holds the write lock.
    writer = subprocess.Popen([sys.executable, "-c", f"""
import os, time, django
django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
while not os.path.exists({str(trigger)!r}):
    time.sleep(0.01)
start = time.monotonic()
with transaction.atomic():
    get_user_model().objects.create_user("during-import", password="Qinghai-2026-test")
print(time.monotonic() - start)
"""], env=_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process, _ = _start_import(data_dir, path)
    assert _writing(db)
    trigger.touch()
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert float(out.strip()) < settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 20)
    process.communicate(timeout=300)  # both pipes read to the end: a full stdout pipe would stall the import
    assert process.returncode == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM accounts_user WHERE username = 'during-import'").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM catalogue_listing WHERE reference LIKE 'big/%'").fetchone() == (BIG,)
        assert conn.execute("SELECT count(*) FROM matching_searchdocument d JOIN catalogue_listing l "
                            "ON l.id = d.listing_id WHERE l.reference LIKE 'big/%'").fetchone() == (BIG,)
