"""A Word document (.docx) whose tables have the six columns.

A table belongs to the section named by the last heading paragraph before it ("1、平台建设类（20项）");
a table whose header row is repeated on each page, or a section split over several tables, continues
the numbering of its section.
"""

from pathlib import Path

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from techmarket.catalogue.importers.rows import (
    ImportFormatError,
    ParsedFile,
    RowProblem,
    check_office_file,
    section_for_title,
)
from techmarket.catalogue.importers.tables import header_columns, rows_from_table


def _blocks(document: Document):
    body = document.element.body
    for child in body.iterchildren():
        if child.tag.endswith("}p"):
            yield Paragraph(child, document)
        elif child.tag.endswith("}tbl"):
            yield Table(child, document)


def parse_document(path: Path) -> ParsedFile:
    """Read a Word document. A file that is not one (random bytes, a truncated or corrupt zip, a decompression
    bomb, XML that python-docx cannot make sense of) raises ImportFormatError with a one-line message."""
    check_office_file(path)
    try:
        return _parse_document(path)
    except ImportFormatError:
        raise
    except Exception as exc:  # whatever a hostile document makes python-docx raise: it is no usable .docx
        raise ImportFormatError(
            f"{path.name} is not a readable .docx document ({type(exc).__name__}: {str(exc)[:200]})"
        ) from None


def _parse_document(path: Path) -> ParsedFile:
    document = docx.Document(str(path))
    parsed = ParsedFile("docx", path.stem)
    section = None
    next_position: dict[str, int] = {}
    table_number = 0
    for block in _blocks(document):
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if text and len(text) <= 40:
                found = section_for_title(text)
                if found and found.kind:
                    section = found
                    parsed.sections.append(found)
                elif found:
                    parsed.sections.append(found)
            continue
        table_number += 1
        rows = [[cell.text for cell in row.cells] for row in block.rows]
        header_at = next((i for i, cells in enumerate(rows) if header_columns(cells)), None)
        if header_at is None:
            parsed.warnings.append(RowProblem(f"table {table_number}", "no header row with the six columns; skipped"))
            continue
        if section is None:
            parsed.errors.append(RowProblem(f"table {table_number}", "no section heading before this table"))
            continue
        columns = header_columns(rows[header_at])
        body = [
            (f"table {table_number}, row {n}", cells)
            for n, cells in enumerate(rows[header_at + 1:], start=header_at + 2)
            if not header_columns(cells)
        ]
        next_position[section.key] = rows_from_table(
            section, columns, body, parsed, next_position.get(section.key, 1)
        )
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowProblem(path.name, "no table with the six columns was found"))
    return parsed
