"""A Word document (.docx) whose tables have the six columns.

A table belongs to the section named by the last heading paragraph before it ("1、平台建设类（20项）"); with
`free_sections`, the last short paragraph before a table that names no known section is a section of its own.
A table whose header row is repeated on each page, or a section split over several tables, continues the
numbering of its section. Header rows are recognised as in importers.tables (header words, merged cells).
"""

from pathlib import Path

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from techmarket.catalogue.importers.rows import (
    ImportFormatError,
    ParsedFile,
    ParseOptions,
    RowProblem,
    check_office_file,
    section_for_title,
)
from techmarket.catalogue.importers.tables import check_header, find_header, free_section, rows_from_table


def _blocks(document: Document):
    body = document.element.body
    for child in body.iterchildren():
        if child.tag.endswith("}p"):
            yield Paragraph(child, document)
        elif child.tag.endswith("}tbl"):
            yield Table(child, document)


def parse_document(path: Path, options: ParseOptions | None = None) -> ParsedFile:
    """Read a Word document. A file that is not one (random bytes, a truncated or corrupt zip, a decompression
    bomb, XML that python-docx cannot make sense of) raises ImportFormatError with a one-line message."""
    check_office_file(path)
    try:
        return _parse_document(path, options or ParseOptions())
    except ImportFormatError:
        raise
    except Exception as exc:  # whatever a hostile document makes python-docx raise: it is no usable .docx
        raise ImportFormatError(
            f"{path.name} is not a readable .docx document ({type(exc).__name__}: {str(exc)[:200]})"
        ) from None


def _parse_document(path: Path, options: ParseOptions) -> ParsedFile:
    document = docx.Document(str(path))
    parsed = ParsedFile("docx", path.stem)
    section = None
    heading = ""  # with free_sections: the last short paragraph, when it names no known section
    states: dict[str, dict] = {}
    table_number = 0
    for block in _blocks(document):
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if text and len(text) <= 40:
                found = section_for_title(text)
                if found and found.kind:
                    section, heading = found, ""
                    parsed.sections.append(found)
                elif found:
                    parsed.sections.append(found)
                elif options.free_sections and not text.endswith(("。", "；", ";", "：", ":")):
                    heading = text
            continue
        table_number += 1
        rows = [[cell.text for cell in row.cells] for row in block.rows]
        found = find_header(rows, options)
        if found is None:
            parsed.warnings.append(RowProblem(f"table {table_number}", "no header row naming the columns; skipped"))
            continue
        if heading:
            section, heading = free_section(heading, parsed), ""
        if section is None and options.free_sections:
            section = free_section(path.stem, parsed)
        if section is None:
            parsed.errors.append(RowProblem(f"table {table_number}", "no section heading before this table"))
            continue
        if not check_header(found, f"table {table_number}", parsed, rows[found.at]):
            continue
        body = [
            (f"table {table_number}, row {n}", cells)
            for n, cells in enumerate(rows[found.body_from:], start=found.body_from + 1)
        ]
        states[section.key] = rows_from_table(section, found.match, body, parsed, states.get(section.key))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowProblem(path.name, "no table naming the columns was found"))
    return parsed
