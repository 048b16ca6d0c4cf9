"""A table (a header row, then rows) as a file people open: CSV with a BOM (so Excel reads the Chinese as UTF-8)
or an Excel workbook with a bold, frozen header; and the `--format/--out` tail every export command shares."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.management.base import CommandError
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font


def as_csv(header: list, rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(header: list, rows: list[list], title: str) -> bytes:
    return as_xlsx_sheets([(title, header, rows)])


def as_xlsx_sheets(sheets: list[tuple[str, list, list[list]]], wrap: bool = False) -> bytes:
    """A workbook of several tables, one sheet each: (title, header, rows); `wrap` wraps long text in the cells."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])  # Excel's limit on a sheet's name
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        if wrap:
            for line in sheet.iter_rows(min_row=2):
                for cell in line:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_export(command, data: bytes, fmt: str, out: str | None, done: str) -> None:
    """Write an export command's file to `out`, or CSV to standard output; `done` is said after writing a file."""
    if not out:
        if fmt == "xlsx":
            raise CommandError("an Excel workbook needs an output file (--out FILE.xlsx)")
        command.stdout.write(data.decode("utf-8-sig"), ending="")
        return
    try:
        Path(out).write_bytes(data)
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror}") from None
    command.stderr.write(done)
