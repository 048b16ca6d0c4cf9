"""Importing a compilation file into the catalogue: read, check, then apply in one transaction.

A file with any bad row changes nothing: every problem is reported with its location. A good file is
applied idempotently: a listing is found by its reference (section key and position, optionally under a
collection prefix), so a re-import updates listings and never duplicates them.
"""

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from techmarket.catalogue.importers.compilation_text import parse_compilation_text
from techmarket.catalogue.importers.document import parse_document
from techmarket.catalogue.importers.rows import ImportFormatError, ImportRow, ParsedFile, RowProblem
from techmarket.catalogue.importers.workbook import parse_workbook
from techmarket.catalogue.models import (
    CooperationMode,
    Field,
    ImportRun,
    Listing,
    ListingContact,
    ListingEvent,
    ListingOrganisation,
    SourceDocument,
)
from techmarket.catalogue.services.classification import classify
from techmarket.catalogue.services.grading import apply_computed_grade
from techmarket.catalogue.services.modes import normalise_modes
from techmarket.catalogue.services.reference_data import sync_catalogue_data
from techmarket.directory.models import Region
from techmarket.directory.services.contacts import match_or_create_person, parse_contacts
from techmarket.directory.services.organisations import find_organisation, resolve_unit, split_units
from techmarket.directory.services.reference_data import sync_directory_data

PARSERS = {".txt": parse_compilation_text, ".xlsx": parse_workbook, ".docx": parse_document}
UPDATABLE_FIELDS = (
    "kind", "title", "description", "organisations_raw", "contacts_raw", "modes_raw",
    "source_section", "source_section_title", "source_position", "source_printed_number", "source_location",
)


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


def parse_file(path: Path) -> ParsedFile:
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        raise ImportFormatError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'}; use .txt, .xlsx or .docx"
        )
    if not path.is_file():
        raise ImportFormatError(f"{path}: no such file")
    return parser(path)


def import_file(
    path: Path | str, collection: str = "", actor_label: str = "import",
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import one file. Raises ImportFormatError or ImportRejected, in which case nothing has changed."""
    path = Path(path)
    parsed = parse_file(path)
    prefix = f"{collection.strip('/')}/" if collection else ""
    problems = list(parsed.errors)
    seen: dict[str, str] = {}
    for row in parsed.rows:
        ref = prefix + row.reference
        if ref in seen:
            problems.append(RowProblem(row.location, f"reference {ref} also given at {seen[ref]}"))
        seen[ref] = row.location
    if problems:
        raise ImportRejected(problems)

    report = ImportReport(path.name, parsed.file_format)
    report.warnings += [str(w) for w in parsed.warnings]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with transaction.atomic():
        sync_directory_data()
        sync_catalogue_data()
        source, _ = SourceDocument.objects.update_or_create(
            file_name=path.name, defaults={"title": parsed.title, "sha256": digest}
        )
        context = _Context()
        for done, row in enumerate(parsed.rows, start=1):
            _apply_row(row, prefix + row.reference, source, context, report, actor_label)
            if progress:
                progress(done, len(parsed.rows))
        _section_report(parsed, report)
        ImportRun.objects.create(
            file_name=path.name, file_format=parsed.file_format, sha256=digest, report=report.as_dict(),
            actor_label=actor_label,
        )
    return report


class _Context:
    """Reference data read once per import."""

    def __init__(self):
        self.areas = list(Field.objects.filter(parent__isnull=False).select_related("parent"))
        self.modes = list(CooperationMode.objects.all())
        self.regions = list(Region.objects.all())
        self.org_seen: set[int] = set()
        self.person_seen: set[int] = set()


def _apply_row(row: ImportRow, reference: str, source: SourceDocument, ctx: _Context,
               report: ImportReport, actor_label: str) -> None:
    modes = normalise_modes(row.modes, ctx.modes)
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
        listing = Listing.objects.create(
            reference=reference, status=Listing.Status.PUBLISHED, published_at=timezone.now(),
            source_document=source, **values,
        )
        ListingEvent.objects.create(listing=listing, type=ListingEvent.Type.IMPORT, to_value=listing.status,
                                    actor_label=actor_label, reason=f"imported from {source.file_name}")
        report.listings["created"] += 1
    else:
        changed = [name for name in UPDATABLE_FIELDS if getattr(listing, name) != values[name]]
        for name in changed:
            setattr(listing, name, values[name])
        listing.source_document = source
        listing.save()
        if changed:
            ListingEvent.objects.create(listing=listing, type=ListingEvent.Type.IMPORT, actor_label=actor_label,
                                        reason=f"re-imported from {source.file_name}; changed: {', '.join(changed)}")
        report.listings["updated" if changed else "unchanged"] += 1
    report.kinds[kind] += 1

    organisations = []
    for unit in split_units(row.organisations):
        resolved = resolve_unit(unit, ctx.regions)
        if resolved.organisation not in organisations:
            organisations.append(resolved.organisation)
        _count(report.organisations, resolved.organisation.pk, resolved.created, ctx.org_seen)
    ListingOrganisation.objects.filter(listing=listing).exclude(organisation__in=organisations).delete()
    for position, org in enumerate(organisations):
        ListingOrganisation.objects.update_or_create(
            listing=listing, organisation=org,
            defaults={"position": position,
                      "role": ListingOrganisation.Role.LEAD if position == 0 else ListingOrganisation.Role.PARTNER},
        )
    listing.owner = organisations[0] if organisations else None

    contacts = parse_contacts(row.contacts)
    report.warnings += [f"{row.location}: {w}" for w in contacts.warnings]
    people = []
    for entry in contacts.entries:
        org = listing.owner
        if entry.organisation_hint:
            org = (find_organisation(entry.organisation_hint)
                   or resolve_unit(entry.organisation_hint, ctx.regions).organisation)
        person, created = match_or_create_person(entry, org)
        if person not in people:
            people.append(person)
        _count(report.people, person.pk, created, ctx.person_seen)
    ListingContact.objects.filter(listing=listing).exclude(person__in=people).delete()
    for position, person in enumerate(people):
        ListingContact.objects.update_or_create(listing=listing, person=person, defaults={"position": position})

    listing.modes.set(modes.modes)
    if not listing.field_confirmed:
        result = classify(listing.title, listing.description, ctx.areas)
        listing.field = result.area
        listing.field_auto = result.area.code if result.area else ""
        if result.area is None:
            report.warnings.append(f"{row.location}: no field keyword found; left unclassified for review")
    listing.save()
    apply_computed_grade(listing)


def _count(counter: Counter, pk: int, created: bool, seen: set[int]) -> None:
    if pk in seen:
        return
    seen.add(pk)
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
