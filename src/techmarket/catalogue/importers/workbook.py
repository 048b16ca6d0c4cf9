"""An Excel workbook (.xlsx) in the template of docs/import-formats.md.

Each sheet is one section, named by the section's title (平台建设类, 高新技术领域, …; a declared count may
follow, as in "高新技术领域（80项）"). The first row with all six column names is the header; the rows
under it are items.
"""

import zipfile
from pathlib import Path

from openpyxl import load_workbook

from techmarket.catalogue.importers.rows import ImportFormatError, ParsedFile, RowProblem, section_for_title
from techmarket.catalogue.importers.tables import header_columns, rows_from_table, unknown_section


def parse_workbook(path: Path) -> ParsedFile:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFormatError(f"{path.name} is not a readable .xlsx workbook ({exc})") from exc
    parsed = ParsedFile("xlsx", path.stem)
    try:
        for sheet in workbook.worksheets:
            section = section_for_title(sheet.title)
            if section is None or not section.kind:
                unknown_section(f"sheet {sheet.title}", sheet.title, parsed)
                continue
            parsed.sections.append(section)
            rows = [list(cells) for cells in sheet.iter_rows(values_only=True)]
            header_at = next((i for i, cells in enumerate(rows) if header_columns(cells)), None)
            if header_at is None:
                parsed.errors.append(RowProblem(f"sheet {sheet.title}", "no header row with the six columns"))
                continue
            body = [
                (f"sheet {sheet.title}, row {n}", cells) for n, cells in enumerate(rows[header_at + 1:], header_at + 2)
            ]
            rows_from_table(section, header_columns(rows[header_at]), body, parsed)
    finally:
        workbook.close()
    return parsed
