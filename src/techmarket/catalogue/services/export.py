"""Exporting listings to an Excel workbook (the catalogue's 导出Excel).

Contact persons (names, phones, e-mails) are personal data: the 联系人 column is written only when the
caller says the user may see contacts (techmarket.directory.services.privacy.can_see_contacts).
"""

import datetime
from io import BytesIO

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from techmarket.catalogue.models import Listing

COLUMNS = [
    ("编号", 16), ("类别", 10), ("项目名称", 40), ("主要内容", 80), ("实施单位", 30), ("合作方式", 24),
    ("领域", 24), ("分级", 12), ("状态", 10), ("有效期至", 12), ("来源", 40),
]
CONTACTS_COLUMN = ("联系人", 40)
SHEET_TITLE = "需求与成果"


def export_listings_xlsx(queryset: QuerySet[Listing], include_contacts: bool) -> bytes:
    """One row per listing of the queryset, in its order, under a header row."""
    columns = COLUMNS + ([CONTACTS_COLUMN] if include_contacts else [])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append([name for name, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    queryset = queryset.select_related("field", "field__parent", "source_document").prefetch_related(
        "modes", "organisation_links__organisation"
    )
    if include_contacts:
        queryset = queryset.prefetch_related("contact_links__person")
    for listing in queryset:
        row = listing_row(listing)
        if include_contacts:
            row.append(contacts_text(listing))
        sheet.append([clean(value) for value in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        row[9].number_format = "yyyy-mm-dd"

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def listing_row(listing: Listing) -> list:
    organisations = "、".join(link.organisation.name for link in listing.organisation_links.all())
    modes = "、".join(mode.name for mode in listing.modes.all())
    return [
        listing.number,  # the 编号 people see on the listing's page, not the internal reference
        listing.get_kind_display(),
        listing.title,
        listing.description,
        organisations or listing.organisations_raw,
        modes or listing.modes_raw,
        str(listing.field) if listing.field_id else "",
        listing.get_grade_display() if listing.grade else "",
        listing.get_status_display(),
        listing.valid_until,
        source_text(listing),
    ]


def source_text(listing: Listing) -> str:
    parts = []
    if listing.source_document_id:
        parts.append(listing.source_document.title)
    if listing.source_section_title:
        parts.append(listing.source_section_title)
    if listing.source_printed_number:
        parts.append(f"第{listing.source_printed_number}项")
    elif listing.source_position:
        parts.append(f"第{listing.source_position}项")
    return " · ".join(parts) if parts else "平台发布"


def contacts_text(listing: Listing) -> str:
    lines = []
    for link in listing.contact_links.all():
        person = link.person
        lines.append(" ".join([person.name, *(person.phones or []), *(person.emails or [])]))
    return "\n".join(lines)


def clean(value):
    """Text as text: no control characters openpyxl refuses, no formulas from user input."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            value = "'" + value
    elif isinstance(value, datetime.datetime):
        value = value.replace(tzinfo=None)
    return value

