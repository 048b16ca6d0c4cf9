"""Reading a table (a workbook sheet or a Word table) into import rows: its header row recognised from the
vocabulary of header words (importers.headers), merged header cells and a second header row tolerated."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from techmarket.catalogue.importers.headers import (
    HeaderMatch,
    is_sub_header,
    match_header,
    spread_merged,
    vocabulary,
)
from techmarket.catalogue.importers.rows import (
    ImportRow,
    ParsedFile,
    ParseOptions,
    RowProblem,
    Section,
    check_row,
    clean_cell,
)

SECTION_TITLE_MAX = 80  # Listing.source_section_title
_NUMBERING = re.compile(r"^\s*(?:第?[0-9一二三四五六七八九十]+[)）、.．]|[（(][0-9一二三四五六七八九十]+[)）])\s*")
_COUNT = re.compile(r"\s*[（(](?P<count>\d+)项[)）]\s*$")


@dataclass
class FoundHeader:
    match: HeaderMatch
    at: int  # index of the header row
    body_from: int  # index of the first row under the header (after a second header row, if any)


def find_header(rows: list[list], options: ParseOptions) -> FoundHeader | None:
    """The first row that looks like a header (importers.headers.match_header), complete or not."""
    for index, cells in enumerate(rows):
        match = match_header(cells, options.mapping)
        if match is None:
            continue
        below = rows[index + 1] if index + 1 < len(rows) else None
        if below is not None and is_sub_header(below, match):
            match = match_header(spread_merged(cells, below), options.mapping) or match
            return FoundHeader(match, index, index + 2)
        return FoundHeader(match, index, index + 1)
    return None


def check_header(found: FoundHeader, where: str, parsed: ParsedFile, header_cells: list) -> bool:
    """Record the header's words and what is wrong with it; True when its table can be read."""
    for cell in header_cells:
        text = " ".join(str(cell).split()) if cell is not None else ""
        if text and text not in parsed.headers:
            parsed.headers.append(text)
    for _, text in found.match.unknown:
        if text not in parsed.unknown_headers:
            parsed.unknown_headers.append(text)
    labels = vocabulary().labels
    unknown = "、".join(f"“{text}”" for _, text in found.match.unknown)
    if not found.match.complete:
        missing = "、".join(labels[key] for key in found.match.missing)
        hint = f"; unknown header(s) {unknown}: map them (--mapping)" if unknown else ""
        parsed.errors.append(RowProblem(f"{where}, row {found.at + 1}", f"no column for {missing}{hint}"))
        return False
    if unknown:
        parsed.warnings.append(RowProblem(
            f"{where}, row {found.at + 1}", f"unknown header(s) {unknown} left out (map them with --mapping)"))
    return True


def rows_from_table(
    section: Section, header: HeaderMatch, table_rows: Iterable[tuple[str, list]], parsed: ParsedFile,
    state: dict | None = None,
) -> dict:
    """Add the rows of one table to `parsed`; blank rows and repeated header rows are skipped. `state` carries
    a section's next position and last printed number over the tables it spans; returned updated."""
    state = dict(state or {"position": 1, "number": None})
    columns = header.columns
    for location, cells in table_rows:
        if is_sub_header(cells, header):
            continue  # the header repeated on a new page
        values = {key: _joined(cells, indexes) for key, indexes in columns.items()}
        if not any(values.values()):
            continue
        number = values.get("number", "")
        if number and not number.isdigit():
            parsed.errors.append(RowProblem(location, f"column 序号 is not a number: {number[:20]}"))
            state["position"] += 1
            continue
        if number and state["number"] is not None and int(number) != state["number"] + 1:
            parsed.warnings.append(RowProblem(
                location, f"序号 {number} follows {state['number']}; kept in file order as item {state['position']}"))
        if number:
            state["number"] = int(number)
        extras = {key: values[key] for key in ("budget", "location", "field") if values.get(key)}
        row = ImportRow(section, state["position"], number, values.get("title", "").replace("\n", ""),
                        values.get("description", ""), values.get("organisations", ""), values.get("modes", ""),
                        values.get("contacts", ""), location, header.kind, extras)
        state["position"] += 1
        if check_row(row, parsed.errors):
            parsed.rows.append(row)
    return state


def _joined(cells: list, indexes: list[int]) -> str:
    """The text of a column read from one or more cells (a merged header over 联系人 | 电话); a cell repeated
    by a merge is taken once."""
    parts = []
    for i in indexes:
        text = clean_cell(cells[i]) if i < len(cells) else ""
        if text and (not parts or parts[-1] != text):
            parts.append(text)
    return "\n".join(parts)


def free_section(raw_title: str, parsed: ParsedFile) -> Section:
    """A section of its own for a heading or sheet name that is no known section: the title as written (without
    its numbering; a declared count "（12项）" kept as the count), key part1, part2, … in order of appearance."""
    title = " ".join(raw_title.split())
    declared = None
    count = _COUNT.search(title)
    if count:
        declared, title = int(count["count"]), title[:count.start()]
    title = _NUMBERING.sub("", title).strip()[:SECTION_TITLE_MAX] or "未分组"
    for section in parsed.sections:
        if section.key.startswith("part") and section.title == title:
            return section
    number = sum(1 for s in parsed.sections if s.key.startswith("part")) + 1
    section = Section(key=f"part{number}", title=title, kind="by-mode", declared_count=declared)
    parsed.sections.append(section)
    return section


def unknown_section(location: str, name: str, parsed: ParsedFile) -> None:
    parsed.errors.append(RowProblem(
        location, f"“{name}” is not a known section; name it as in data/taxonomy/sections.yaml (e.g. 平台建设类)"
    ))
