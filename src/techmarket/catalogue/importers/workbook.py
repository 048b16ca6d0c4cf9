"""An Excel workbook (.xlsx) in the template of docs/import-formats.md.

Each sheet is one section, named by the section's title (平台建设类, 高新技术领域, …; a declared count may
follow, as in "高新技术领域（80项）"); with `free_sections`, any other sheet name is a section of its own. The
first row that names the columns (importers.headers: any of their header words, merged cells, a second header
row) is the header; the rows under it are items.
"""

from pathlib import Path

from openpyxl import load_workbook

from techmarket.catalogue.importers.rows import (
    ImportFormatError,
    ParsedFile,
    ParseOptions,
    RowProblem,
    check_office_file,
    section_for_title,
)
from techmarket.catalogue.importers.tables import (
    check_header,
    find_header,
    free_section,
    rows_from_table,
    unknown_section,
)

EXCEL_MAX_ROWS = 1_048_576  # a forged row number beyond Excel's last row would make openpyxl count up to it


def parse_workbook(path: Path, options: ParseOptions | None = None) -> ParsedFile:
    """Read a workbook. A file that is not one (random bytes, a truncated or corrupt zip, a decompression bomb,
    parts openpyxl cannot make sense of) or that has no sheets or no rows raises ImportFormatError with a
    one-line message."""
    check_office_file(path)
    try:
        parsed = _parse_workbook(path, options or ParseOptions())
    except ImportFormatError:
        raise
    except Exception as exc:  # whatever a hostile workbook makes openpyxl raise: it is no usable .xlsx
        raise ImportFormatError(
            f"{path.name} is not a readable .xlsx workbook ({type(exc).__name__}: {str(exc)[:200]})"
        ) from None
    if not parsed.rows and not parsed.errors:
        raise ImportFormatError(f"{path.name} has no rows to import: no sheet holds a row under the six columns")
    return parsed


def _parse_workbook(path: Path, options: ParseOptions) -> ParsedFile:
    workbook = load_workbook(path, read_only=True, data_only=True)
    parsed = ParsedFile("xlsx", path.stem)
    try:
        if not workbook.worksheets:
            raise ImportFormatError(f"{path.name} has no sheets")
        for sheet in workbook.worksheets:
            section = section_for_title(sheet.title)
            if section is not None and section.kind:
                parsed.sections.append(section)
            elif options.free_sections:
                section = free_section(sheet.title, parsed)
            else:
                unknown_section(f"sheet {sheet.title}", sheet.title, parsed)
                continue
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # a forged <dimension> would pad every row to its width
            rows = [list(cells) for cells in sheet.iter_rows(max_row=EXCEL_MAX_ROWS, values_only=True)]
            found = find_header(rows, options)
            if found is None:
                parsed.errors.append(RowProblem(f"sheet {sheet.title}", "no header row naming the columns"))
                continue
            if not check_header(found, f"sheet {sheet.title}", parsed, rows[found.at]):
                continue
            body = [
                (f"sheet {sheet.title}, row {n}", cells)
                for n, cells in enumerate(rows[found.body_from:], found.body_from + 1)
            ]
            rows_from_table(section, found.match, body, parsed)
    finally:
        workbook.close()
    return parsed
