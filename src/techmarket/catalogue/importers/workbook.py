"""An Excel workbook (.xlsx) in the template of docs/import-formats.md.

Each sheet is one section, named by the section's title (平台建设类, 高新技术领域, …; a declared count may
follow, as in "高新技术领域（80项）"). The first row with all six column names is the header; the rows
under it are items.
"""

from pathlib import Path

from openpyxl import load_workbook

from techmarket.catalogue.importers.rows import (
    ImportFormatError,
    ParsedFile,
    RowProblem,
    check_office_file,
    section_for_title,
)
from techmarket.catalogue.importers.tables import header_columns, rows_from_table, unknown_section

EXCEL_MAX_ROWS = 1_048_576  # a forged row number beyond Excel's last row would make openpyxl count up to it


def parse_workbook(path: Path) -> ParsedFile:
    """Read a workbook. A file that is not one (random bytes, a truncated or corrupt zip, a decompression bomb,
    parts openpyxl cannot make sense of) or that has no sheets or no rows raises ImportFormatError with a
    one-line message."""
    check_office_file(path)
    try:
        parsed = _parse_workbook(path)
    except ImportFormatError:
        raise
    except Exception as exc:  # whatever a hostile workbook makes openpyxl raise: it is no usable .xlsx
        raise ImportFormatError(
            f"{path.name} is not a readable .xlsx workbook ({type(exc).__name__}: {str(exc)[:200]})"
        ) from None
    if not parsed.rows and not parsed.errors:
        raise ImportFormatError(f"{path.name} has no rows to import: no sheet holds a row under the six columns")
    return parsed


def _parse_workbook(path: Path) -> ParsedFile:
    workbook = load_workbook(path, read_only=True, data_only=True)
    parsed = ParsedFile("xlsx", path.stem)
    try:
        if not workbook.worksheets:
            raise ImportFormatError(f"{path.name} has no sheets")
        for sheet in workbook.worksheets:
            section = section_for_title(sheet.title)
            if section is None or not section.kind:
                unknown_section(f"sheet {sheet.title}", sheet.title, parsed)
                continue
            parsed.sections.append(section)
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # a forged <dimension> would pad every row to its width
            rows = [list(cells) for cells in sheet.iter_rows(max_row=EXCEL_MAX_ROWS, values_only=True)]
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
