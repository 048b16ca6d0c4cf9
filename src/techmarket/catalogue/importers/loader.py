"""Importing a compilation file into the catalogue: read, check and plan, then write in one short transaction.

A file with any bad row changes nothing: every problem is reported with its location. A good file is
applied idempotently: a listing is found by its reference (section key and position, optionally under a
collection prefix), so a re-import updates listings and never duplicates them.

Everything slow happens before the write transaction, with the database read but not locked: parsing,
checking, cooperation modes, kinds, field classification, grading, which organisations and people each row
names (planned, not yet created) and the search documents' contents (text analysis). Then one transaction
writes it all with bulk statements (listings, history, organisation and contact links, modes, search
documents under one sequence number): on SQLite other writers wait for it (busy timeout) rather than fail.
If the rows the plan was made from changed meanwhile, the plan is made again. Bulk statements send no
signals, so the search documents are written here; embeddings follow after the commit, as jobs.
"""

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router, transaction
from django.db.models import Count, Max, Model
from django.utils import timezone

from techmarket.catalogue.importers.compilation_text import parse_compilation_text
from techmarket.catalogue.importers.document import parse_document
from techmarket.catalogue.importers.duplicates import find_duplicates
from techmarket.catalogue.importers.feed import parse_feed
from techmarket.catalogue.importers.headers import normalise_mapping
from techmarket.catalogue.importers.rows import ImportFormatError, ParsedFile, ParseOptions, RowProblem
from techmarket.catalogue.importers.workbook import parse_workbook
from techmarket.catalogue.models import (
    CooperationMode,
    Field,
    ImportRun,
    Listing,
    ListingAction,
    ListingContact,
    ListingOrganisation,
    SourceDocument,
)
from techmarket.catalogue.services import bulk
from techmarket.catalogue.services.classification import classify
from techmarket.catalogue.services.grading import compute_grade
from techmarket.catalogue.services.modes import normalise_modes
from techmarket.catalogue.services.reference_data import sync_catalogue_data
from techmarket.common.bulk import insert_rows, update_rows
from techmarket.common.models import AuditEntry
from techmarket.directory.models import Organisation, OrganisationAlias, Person, Region
from techmarket.directory.services.contacts import PersonPlan, parse_contacts
from techmarket.directory.services.organisations import OrganisationPlan, split_units
from techmarket.directory.services.reference_data import sync_directory_data

PARSERS = {".txt": parse_compilation_text, ".xlsx": parse_workbook, ".docx": parse_document, ".json": parse_feed}
UPDATABLE_FIELDS = (
    "kind", "title", "description", "organisations_raw", "contacts_raw", "modes_raw",
    "source_section", "source_section_title", "source_position", "source_printed_number", "source_location",
)
# What an import writes on an existing listing besides the fields above.
COMPUTED_FIELDS = ("owner", "field", "field_auto", "grade", "grade_basis", "source_document")
CHUNK = 500  # ids or references per query (SQLite allows 999 parameters by default)
PLAN_ATTEMPTS = 3  # plans made outside the transaction before one is made inside it
log = logging.getLogger(__name__)


# Called inside the write transaction of every import made without its own `on_written` (the CLI, the seed):
# hook(plan, context) with context {"path", "sha256", "collection", "mapping", "actor_label"}. The imports app
# records each such import as a batch.
_hooks: list[Callable] = []


def register_import_hook(hook: Callable) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


class ImportRejected(Exception):
    """The file was not imported; `problems` says why, row by row."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__(f"{len(problems)} problem(s); nothing was imported")
        self.problems = problems


@dataclass
class ImportReport:
    file_name: str
    file_format: str
    sections: list[dict] = field(default_factory=list)
    listings: Counter = field(default_factory=Counter)  # created, updated, unchanged
    kinds: Counter = field(default_factory=Counter)
    organisations: Counter = field(default_factory=Counter)  # created, matched
    people: Counter = field(default_factory=Counter)  # created, matched
    warnings: list[str] = field(default_factory=list)
    # Seconds spent reading the file, planning (outside any transaction) and in the write transaction;
    # not part of the report's text or JSON.
    timings: dict = field(default_factory=dict, compare=False)

    @property
    def total(self) -> int:
        return sum(self.listings.values())

    def as_dict(self) -> dict:
        return {
            "file": self.file_name, "format": self.file_format, "total": self.total, "sections": self.sections,
            "listings": dict(self.listings), "kinds": dict(self.kinds),
            "organisations": dict(self.organisations), "people": dict(self.people), "warnings": self.warnings,
        }

    def as_text(self) -> str:
        lines = [f"Imported {self.total} listings from {self.file_name} ({self.file_format})."]
        for s in self.sections:
            declared = "not declared" if s["declared"] is None else f"declared {s['declared']}"
            flag = "" if s["declared"] in (None, s["imported"]) else "  <-- differs"
            lines.append(f"  {s['key']:<24} {s['title']:<10} {s['imported']:>4} imported, {declared}{flag}")
        lines.append("  listings: " + ", ".join(f"{k} {v}" for k, v in sorted(self.listings.items())))
        lines.append("  kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items())))
        lines.append("  organisations: " + ", ".join(f"{k} {v}" for k, v in sorted(self.organisations.items())))
        lines.append("  contact persons: " + ", ".join(f"{k} {v}" for k, v in sorted(self.people.items())))
        lines.append(f"  warnings: {len(self.warnings)}")
        lines += [f"    - {w}" for w in self.warnings]
        return "\n".join(lines)


def parse_file(path: Path, options: ParseOptions | None = None) -> ParsedFile:
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        raise ImportFormatError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'}; use .txt, .xlsx, .docx or .json"
        )
    if not path.is_file():
        raise ImportFormatError(f"{path}: no such file")
    return parser(path, options) if options is not None else parser(path)


def parse_options(collection: str = "", mapping: dict | None = None) -> ParseOptions:
    """How a file imported under `collection` is read: a person's header mapping ({header word: column key or
    "ignore"}); sheet names and headings that are no known section become sections of their own only under a
    collection key (the seed's references stay `<known section>/<position>`)."""
    try:
        folded = normalise_mapping(mapping)
    except ValueError as exc:
        raise ImportFormatError(str(exc)) from None
    return ParseOptions(mapping=folded, free_sections=bool(collection.strip("/")))


def check_parsed(parsed: ParsedFile, collection: str = "") -> list[RowProblem]:
    """Every problem that keeps the file from being imported: the parser's and references given twice."""
    prefix = f"{collection.strip('/')}/" if collection else ""
    problems = list(parsed.errors)
    seen: dict[str, str] = {}
    for row in parsed.rows:
        ref = prefix + row.reference
        if ref in seen:
            problems.append(RowProblem(row.location, f"reference {ref} also given at {seen[ref]}"))
        seen[ref] = row.location
    return problems



def import_file(
    path: Path | str, collection: str = "", actor_label: str = "import",
    progress: Callable[[int, int], None] | None = None, mapping: dict | None = None, dry_run: bool = False,
    on_written: Callable[["_Plan"], None] | None = None, merge: dict[str, int] | None = None,
    warn_duplicates: bool = False,
) -> ImportReport:
    """Import one file. Raises ImportFormatError or ImportRejected, in which case nothing has changed.
    `mapping` names the columns of header words the vocabulary does not know (importers.headers); `dry_run`
    reads, checks and plans and returns the report of what an import would do, writing nothing (the reference
    data aside). `on_written(plan)` runs inside the write transaction after the plan is written (a batch
    records what it changed). `merge` {reference: listing id}: rows a person merged into an existing listing
    (importers.duplicates), not written (the caller records their provenance); `warn_duplicates`: rows that look
    like an existing listing of another source get a warning (the CLI)."""
    path = Path(path)
    started = time.perf_counter()
    parsed = parse_file(path, parse_options(collection, mapping))
    prefix = f"{collection.strip('/')}/" if collection else ""
    problems = check_parsed(parsed, collection)
    if problems:
        raise ImportRejected(problems)
    merged = 0
    if merge:
        kept = [row for row in parsed.rows if prefix + row.reference not in merge]
        merged, parsed.rows = len(parsed.rows) - len(kept), kept
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    parsed_at = time.perf_counter()

    # Reference data (regions, known organisations, fields, modes) is brought up to date first, in its own
    # short transaction; it is idempotent and changes nothing when current.
    with transaction.atomic():
        sync_directory_data()
        sync_catalogue_data()
    if dry_run:
        plan = plan_file(parsed, path, prefix, actor_label, progress)
        if warn_duplicates:
            _warn_duplicates(plan)
        if merged:
            plan.report.listings["merged"] = merged
        return plan.report
    for attempt in range(PLAN_ATTEMPTS + 1):
        inside = attempt == PLAN_ATTEMPTS
        planned_at = time.perf_counter()
        if not inside:
            plan = _Plan(parsed, path, prefix, actor_label, progress)
            if warn_duplicates:
                _warn_duplicates(plan)
            if merged:
                plan.report.listings["merged"] = merged
        try:
            with transaction.atomic():
                writing_at, writing_cpu = time.perf_counter(), time.process_time()
                if inside:  # the data kept changing under the plans: plan with the data locked
                    plan = _Plan(parsed, path, prefix, actor_label, progress)
                    if merged:
                        plan.report.listings["merged"] = merged
                elif plan.snapshot != _snapshot(plan.references, lock=True):
                    raise _Stale
                log.info("import of %s: writing %d rows in one transaction", path.name, len(parsed.rows))
                plan.write(digest)
                if on_written is not None:
                    on_written(plan)
                else:
                    context = {"path": path, "sha256": digest, "collection": collection, "mapping": mapping or {},
                               "actor_label": actor_label}
                    for hook in _hooks:
                        hook(plan, context)
        except _Stale:
            log.info("import of %s: the data changed while planning; planning again", path.name)
            continue
        break
    done, write_cpu = time.perf_counter(), time.process_time() - writing_cpu
    report = plan.report
    report.timings = {"parse_s": parsed_at - started, "plan_s": writing_at - planned_at,
                      "write_s": done - writing_at, "write_cpu_s": write_cpu, "total_s": done - started,
                      "attempts": attempt + 1}
    return report


def _warn_duplicates(plan: "_Plan") -> None:
    duplicates = find_duplicates(plan.details)
    for detail in plan.details:
        found = duplicates.get(detail["reference"])
        if found is None:
            continue
        plan.report.warnings.append(
            f"{detail['location']}: probable duplicate of “{found['title']}” ({found['source'] or 'catalogue'}); "
            "imported as a listing of its own")


def plan_file(parsed: ParsedFile, path: Path, prefix: str, actor_label: str = "import", progress=None) -> "_Plan":
    """The plan of a checked file, written nowhere: its report and `details`, one per row (a preview)."""
    plan = _Plan(parsed, path, prefix, actor_label, progress)
    _section_report(parsed, plan.report)
    return plan


class _Stale(Exception):
    """The rows a plan was made from changed before its transaction began."""


def _snapshot(references: list[str], lock: bool = False) -> tuple:
    """What a plan depends on: the directory's extent and the current state of the file's listings (locked
    until the transaction ends on PostgreSQL; on SQLite the transaction already holds the write lock)."""
    directory = tuple(tuple(model.objects.aggregate(n=Count("pk"), last=Max("pk")).values())
                      for model in (Organisation, OrganisationAlias, Person))
    listings = []
    for start in range(0, len(references), CHUNK):
        rows = Listing.objects.filter(reference__in=references[start:start + CHUNK])
        if lock:
            rows = rows.select_for_update()
        listings += rows.values_list("pk", "updated_at")
    return directory, sorted(listings)


def _chunks(values: list):
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


class _Plan:
    """Everything an import will write, computed from the file and a read of the database."""

    def __init__(self, parsed: ParsedFile, path: Path, prefix: str, actor_label: str, progress):
        self.path, self.parsed, self.actor_label = path, parsed, actor_label
        self.references = [prefix + row.reference for row in parsed.rows]
        self.snapshot = _snapshot(self.references)
        report = self.report = ImportReport(path.name, parsed.file_format)
        report.warnings += [str(w) for w in parsed.warnings]
        self.source_pk = SourceDocument.objects.filter(file_name=path.name).values_list("pk", flat=True).first()
        areas = list(Field.objects.filter(parent__isnull=False).select_related("parent"))
        vocabulary = list(CooperationMode.objects.all())
        self.organisations = OrganisationPlan(list(Region.objects.select_related("parent")))
        existing = self._read_existing()

        self.details: list[dict] = []  # per row, what it will be stored as (the staff page's preview)
        # First pass, in file order: what each row names (organisations are planned as they are met, so a
        # later row finds the ones an earlier row introduced), its modes, kind and field.
        rows, org_seen, person_seen = [], set(), set()
        for row, reference in zip(parsed.rows, self.references, strict=True):
            modes = normalise_modes(row.modes, vocabulary)
            if modes.unknown:
                report.warnings.append(
                    f"{row.location}: unknown cooperation mode(s) {'、'.join(modes.unknown)} kept as text")
            if row.section.kind in (Listing.Kind.PLATFORM, Listing.Kind.TALENT):
                kind = row.section.kind
            elif row.kind_hint:  # the table's header says it: 需求名称, 成果名称
                kind = row.kind_hint
            else:
                kind = Listing.Kind.OFFER if any(m.is_offer for m in modes.modes) else Listing.Kind.DEMAND
            organisations = []
            for unit in split_units(row.organisations):
                resolved = self.organisations.resolve(unit)
                if all(resolved.organisation is not org for org in organisations):
                    organisations.append(resolved.organisation)
                _count(report.organisations, id(resolved.organisation), resolved.created, org_seen)
            contacts = parse_contacts(row.contacts, self.organisations.find)
            report.warnings += [f"{row.location}: {w}" for w in contacts.warnings]
            entries = []
            for entry in contacts.entries:
                org = organisations[0] if organisations else None
                if entry.organisation_hint:
                    org = (self.organisations.find(entry.organisation_hint)
                           or self.organisations.resolve(entry.organisation_hint).organisation)
                entries.append((entry, org))
            listing = existing.listings.get(reference)
            title_description = (row.title, row.description)
            classification = None
            if listing is None or not listing.field_confirmed:
                classification = classify(*title_description, areas)
                if classification.area is None:
                    report.warnings.append(f"{row.location}: no field keyword found; left unclassified for review")
            rows.append((row, reference, kind, modes.modes, organisations, entries, classification))
            self.details.append({
                "location": row.location, "reference": reference, "section": row.section.title,
                "number": row.printed_number, "title": row.title, "description": row.description, "kind": kind,
                "organisation_ids": [org.pk for org in organisations if org.pk is not None],
                "field": str(classification.area) if classification and classification.area else (
                    str(listing.field) if listing is not None and listing.field else ""),
                "organisations": [[org.name, org.pk is None] for org in organisations],
                "contacts": [entry.name for entry, _ in entries],
                "modes": [mode.name for mode in modes.modes], "modes_unknown": list(modes.unknown),
                "existing": listing is not None, "extras": dict(row.extras),
            })
            if progress:
                progress(len(rows), len(parsed.rows))

        # Second pass: people, then each listing, its links and its search document.
        self.people = PersonPlan(entry.name for *_, entries, _ in rows for entry, _ in entries)
        # Rows are converted for the database here; ids of rows not written yet are filled in the transaction.
        self.source = SourceDocument(pk=self.source_pk, file_name=path.name)
        self.new_listings: list[Listing] = []
        self.listing_rows = _Table(Listing, [f.name for f in Listing._meta.concrete_fields if not f.primary_key])
        self.listing_updates = _Table(Listing, UPDATABLE_FIELDS + COMPUTED_FIELDS + ("updated_at",))
        # History lines go to the audit log (common.audit), written in bulk with the listings.
        self.events = _Table(AuditEntry, ["content_type", "object_id", "target_label", "action", "from_value",
                                          "to_value", "actor", "actor_label", "reason", "data", "at"])
        listing_type = ContentType.objects.get_for_model(Listing)
        self.new_links = {ListingOrganisation: _Table(ListingOrganisation, ["listing", "organisation", "role",
                                                                            "position"]),
                          ListingContact: _Table(ListingContact, ["listing", "person", "position"])}
        self.changed_links: list = []  # existing links with a new position or role
        self.stale_links: dict = {ListingOrganisation: [], ListingContact: []}
        self.mode_rows = _Table(Listing.modes.through, ["listing", "cooperationmode"])
        self.stale_modes: list[int] = []
        self.writer_items: dict = {}  # per registered bulk writer (catalogue.services.bulk), its prepared items
        # What the listings this import changes held before (importers.undo puts it back): reference → values.
        self.previous: dict[str, dict] = {}
        self.previous_ids: dict[str, int] = {}
        now = self.now = timezone.now()
        for row, reference, kind, modes, organisations, entries, classification in rows:
            people = []
            for entry, org in entries:
                person, created = self.people.match(entry, org)
                if all(person is not p for p in people):
                    people.append(person)
                _count(report.people, id(person), created, person_seen)
            values = {
                "kind": kind, "title": row.title, "description": row.description,
                "organisations_raw": row.organisations, "contacts_raw": row.contacts, "modes_raw": row.modes,
                "source_section": row.section.key, "source_section_title": row.section.title,
                "source_position": row.position, "source_printed_number": row.printed_number,
                "source_location": row.location,
            }
            listing = existing.listings.get(reference)
            if listing is None:
                listing = Listing(reference=reference, status=Listing.Status.PUBLISHED, published_at=now,
                                  created_at=now, updated_at=now, source_document=self.source, **values)
                self.new_listings.append(listing)
                self.events.add(listing_type, listing, str(listing), ListingAction.IMPORT, "", listing.status, None,
                                actor_label, f"imported from {path.name}", {}, now)
                report.listings["created"] += 1
                before = None
            else:
                before = _state(listing, listing.owner_id)
                previous = _previous(listing, existing)
                changed = [name for name in UPDATABLE_FIELDS if getattr(listing, name) != values[name]]
                for name in changed:
                    setattr(listing, name, values[name])
                if changed:
                    note = f"re-imported from {path.name}; changed: {', '.join(changed)}"
                    self.events.add(listing_type, listing, str(listing), ListingAction.IMPORT, "", "", None,
                                    actor_label, note, {}, now)
                report.listings["updated" if changed else "unchanged"] += 1
            report.kinds[kind] += 1
            listing.owner = organisations[0] if organisations else None
            if classification is not None:
                listing.field = classification.area
                listing.field_auto = classification.area.code if classification.area else ""
            mode_codes = {mode.code for mode in modes}
            if not listing.grade_overridden:
                listing.grade, listing.grade_basis = compute_grade(listing, len(organisations), mode_codes)
            links_changed = self._plan_links(listing, existing, organisations, people, modes)
            owner = listing.owner
            changed = before is not None and (
                before != _state(listing, owner.pk if owner is None or owner.pk is not None else object())
                or self.source_pk is None or listing.source_document_id != self.source_pk)
            if before is None:
                self.listing_rows.add(*[getattr(listing, f.name) if f.is_relation else f.pre_save(listing, True)
                                        for f in self.listing_rows.fields])
            elif changed:
                listing.source_document, listing.updated_at = self.source, now
                self.listing_updates.add(*[getattr(listing, name) for name in self.listing_updates.names],
                                         pk=listing.pk)
            force = before is None or changed or links_changed
            if before is not None and (changed or links_changed):
                self.previous[reference] = previous
                self.previous_ids[reference] = listing.pk
            for writer, state in existing.writers.items():
                item = writer.prepare(listing, organisations, mode_codes, state, force)
                if item is not None:
                    self.writer_items.setdefault(writer, []).append(item)

    def _read_existing(self) -> SimpleNamespace:
        """The file's listings already in the database, with their links, modes and search documents."""
        existing = SimpleNamespace(listings={})
        for chunk in _chunks(self.references):
            existing.listings.update((listing.reference, listing) for listing in Listing.objects.filter(
                reference__in=chunk).select_related("field", "field__parent"))
        ids = [listing.pk for listing in existing.listings.values()]
        existing.links = {ListingOrganisation: {}, ListingContact: {}}
        existing.modes = {}
        through = Listing.modes.through
        for chunk in _chunks(ids):
            for link in ListingOrganisation.objects.filter(listing_id__in=chunk):
                existing.links[ListingOrganisation].setdefault(link.listing_id, {})[link.organisation_id] = link
            for link in ListingContact.objects.filter(listing_id__in=chunk):
                existing.links[ListingContact].setdefault(link.listing_id, {})[link.person_id] = link
            for pk, listing_id, mode_id in through.objects.filter(listing_id__in=chunk).values_list(
                    "pk", "listing_id", "cooperationmode_id"):
                existing.modes.setdefault(listing_id, {})[mode_id] = pk
        existing.writers = {writer: writer.read_existing(ids) for writer in bulk.writers()}
        return existing

    def _plan_links(self, listing, existing, organisations, people, modes) -> bool:
        """Plan the listing's organisation and contact links and modes; True when any of them changes."""
        changed = False
        for model, targets in ((ListingOrganisation, organisations), (ListingContact, people)):
            old = existing.links[model].get(listing.pk, {}) if listing.pk else {}
            keep = {target.pk for target in targets if target.pk is not None}
            stale = [link.pk for target_pk, link in old.items() if target_pk not in keep]
            self.stale_links[model] += stale
            changed |= bool(stale)
            for position, target in enumerate(targets):
                wanted = {"position": position}
                if model is ListingOrganisation:
                    wanted["role"] = (ListingOrganisation.Role.LEAD if position == 0
                                      else ListingOrganisation.Role.PARTNER)
                link = old.get(target.pk) if target.pk is not None else None
                if link is None:
                    self.new_links[model].add(listing, target, *([wanted["role"]] if "role" in wanted else []),
                                              position)
                    changed = True
                elif any(getattr(link, name) != value for name, value in wanted.items()):
                    for name, value in wanted.items():
                        setattr(link, name, value)
                    self.changed_links.append(link)
                    changed = True
        old_modes = existing.modes.get(listing.pk, {}) if listing.pk else {}
        wanted_modes = [mode.pk for mode in modes]
        stale_modes = [pk for mode_id, pk in old_modes.items() if mode_id not in wanted_modes]
        new_modes = [mode_id for mode_id in wanted_modes if mode_id not in old_modes]
        self.stale_modes += stale_modes
        for mode_id in new_modes:
            self.mode_rows.add(listing, mode_id)
        return changed or bool(stale_modes or new_modes)

    def write(self, digest: str) -> None:
        """Write the plan: the caller holds the transaction."""
        parsed, report = self.parsed, self.report
        source, _ = SourceDocument.objects.update_or_create(
            file_name=self.path.name, defaults={"title": parsed.title, "sha256": digest})
        self.source.pk = source.pk
        self.organisations.write()
        self.people.write()
        insert_rows(Person.organisations.through, ["person", "organisation"], self.people.organisation_links(),
                    ignore_conflicts=True)
        self.listing_rows.insert()
        ids = {}
        for chunk in _chunks([listing.reference for listing in self.new_listings]):
            ids.update(Listing.objects.filter(reference__in=chunk).values_list("reference", "pk"))
        for listing in self.new_listings:
            listing.pk = ids[listing.reference]
        self.listing_updates.update()
        self.events.insert()
        for model, stale in self.stale_links.items():
            for chunk in _chunks(stale):
                model.objects.filter(pk__in=chunk).delete()
        for model in (ListingOrganisation, ListingContact):
            model.objects.bulk_update([link for link in self.changed_links if isinstance(link, model)],
                                      ["position", "role"] if model is ListingOrganisation else ["position"])
            self.new_links[model].insert()
        through = Listing.modes.through
        for chunk in _chunks(self.stale_modes):
            through.objects.filter(pk__in=chunk).delete()
        self.mode_rows.insert()
        for writer, items in self.writer_items.items():
            writer.write(items)
        _section_report(parsed, report)
        ImportRun.objects.create(
            file_name=self.path.name, file_format=parsed.file_format, sha256=digest, report=report.as_dict(),
            actor_label=self.actor_label,
        )


class _Table:
    """Rows of one table with their values converted for the database when added (before the transaction).
    A value that is a model instance is a reference to a row that may not be written yet: its id is taken
    when the rows are written."""

    # Values of these types go to the database as they are.
    PLAIN = {"CharField", "TextField", "SlugField", "BooleanField", "IntegerField", "BigIntegerField",
             "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "ForeignKey"}

    def __init__(self, model, names):
        self.model, self.names = model, list(names)
        self.fields = [model._meta.get_field(name) for name in self.names]
        self.rows: list[list] = []
        self.references: list[tuple[list, int, Model]] = []
        db = connections[router.db_for_write(model)]
        self._convert = [None if f.get_internal_type() in self.PLAIN else self._converter(f, db)
                         for f in self.fields]

    @staticmethod
    def _converter(field_, db):
        if field_.get_internal_type() == "DateTimeField":  # one import writes few distinct times
            memo = {}

            def convert(value):
                if value not in memo:
                    memo[value] = field_.get_db_prep_save(value, db)
                return memo[value]
            return convert
        return lambda value: field_.get_db_prep_save(value, db)

    def add(self, *values, pk=None) -> None:
        row = list(values)
        for index, (value, convert) in enumerate(zip(values, self._convert, strict=True)):
            if isinstance(value, Model):
                self.references.append((row, index, value))
                row[index] = None
            elif convert is not None and value is not None:
                row[index] = convert(value)
        if pk is not None:
            row.append(pk)
        self.rows.append(row)

    def _resolved(self) -> list[list]:
        for row, index, instance in self.references:
            row[index] = instance.pk
        return self.rows

    def insert(self) -> None:
        insert_rows(self.model, self.names, self._resolved())

    def update(self) -> None:
        update_rows(self.model, self.names, self._resolved())


def _state(listing: Listing, owner) -> tuple:
    """The columns an import may write on an existing listing, with the owner's id (an organisation not saved
    yet is given as a fresh object, so it always counts as a change)."""
    return tuple(getattr(listing, name) for name in UPDATABLE_FIELDS + ("field_auto", "grade", "grade_basis")) + (
        owner, listing.field_id)


def _previous(listing: Listing, existing) -> dict:
    """An existing listing's columns and links as they are before the import (JSON-ready)."""
    values = {name: getattr(listing, name) for name in UPDATABLE_FIELDS + ("field_auto", "grade")}
    values["grade_basis"] = listing.grade_basis
    values["owner_id"], values["field_id"] = listing.owner_id, listing.field_id
    values["source_document_id"] = listing.source_document_id
    values["updated_at"] = listing.updated_at.isoformat() if listing.updated_at else None
    links = existing.links
    values["organisations"] = [
        [link.organisation_id, link.role, link.position]
        for link in sorted(links[ListingOrganisation].get(listing.pk, {}).values(), key=lambda link: link.position)]
    values["contacts"] = [
        [link.person_id, link.position]
        for link in sorted(links[ListingContact].get(listing.pk, {}).values(), key=lambda link: link.position)]
    values["modes"] = sorted(existing.modes.get(listing.pk, {}))
    return values


def _count(counter: Counter, key: int, created: bool, seen: set[int]) -> None:
    if key in seen:
        return
    seen.add(key)
    counter["created" if created else "matched"] += 1
def _section_report(parsed: ParsedFile, report: ImportReport) -> None:
    imported = Counter(row.section.key for row in parsed.rows)
    for section in parsed.sections:
        if any(s["key"] == section.key for s in report.sections):
            continue
        count = (sum(n for key, n in imported.items() if key.startswith(section.key + "/"))
                 if not section.kind else imported[section.key])
        report.sections.append({"key": section.key, "title": section.title,
                                "declared": section.declared_count, "imported": count})
        if section.declared_count is not None and section.declared_count != count:
            report.warnings.append(
                f"section {section.title}: {count} items imported, the document declares {section.declared_count}"
            )
