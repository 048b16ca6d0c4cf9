"""The compilation's plain-text layout (seed 000_…, part 3).

Each section opens with a heading such as "1、 平台建设类（20项）", then the six column names, then its
items. Every cell begins on a line that starts with a tab; a line without the tab continues the cell
before it (a wrapped mode list, or the phones and e-mails under a contact's name). An item begins at a
cell holding only its printed number, which is kept but not trusted (the compilation misprints some).
When the text holds the part heading "科技合作需求", only that part (up to the next part) is read.
"""

import re
from pathlib import Path

from techmarket.catalogue.importers.rows import (
    COLUMNS,
    ImportFormatError,
    ImportRow,
    ParsedFile,
    ParseOptions,
    RowProblem,
    Section,
    check_row,
    section_for_title,
)

_PART = re.compile(r"第[一二三四五六七八九十]+部分")
_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")


def parse_compilation_text(path: Path, options: ParseOptions | None = None) -> ParsedFile:
    """The text layout has its six fixed column names: `options` do not apply to it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        parsed = ParsedFile("text", path.name)
        parsed.errors.append(RowProblem(path.name, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return parsed
    except OSError as exc:
        raise ImportFormatError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    lines = [_BOOKMARK.sub("", line) for line in text.split("\n")]
    start, end = _part_bounds(lines)
    part_heading = lines[start - 1].strip() if start else ""
    parsed = ParsedFile("text", re.sub(r"\s+", " ", part_heading) or path.stem)
    section: Section | None = None
    cells: list[list] = []  # [line number, text]

    def close_section():
        if section is not None:
            _rows_from_cells(section, cells, parsed)

    for index in range(start, end):
        line, number = lines[index], index + 1
        stripped = line.strip()
        heading = _heading_section(stripped)
        if heading:
            close_section()
            parsed.sections.append(heading)
            # A group heading (技术创新类) holds no items itself: its sections follow.
            section, cells = (heading if heading.kind else None), []
            continue
        if section is None:
            continue
        if line.startswith("\t"):
            cells.append([number, stripped])  # may be empty, continued on the next lines
        elif not stripped:
            continue
        elif cells:
            cells[-1][1] = f"{cells[-1][1]}\n{stripped}".strip()
        else:
            parsed.errors.append(RowProblem(f"line {number}", f"text outside any cell: {stripped[:40]}"))
    close_section()
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowProblem(path.name, "no section heading such as “1、平台建设类（20项）” was found"))
    return parsed


def _heading_section(stripped: str) -> Section | None:
    if not stripped.endswith(("项）", "项)")) or len(stripped) > 40:
        return None
    return section_for_title(stripped)


def _part_bounds(lines: list[str]) -> tuple[int, int]:
    """The lines of part 3 (科技合作需求) when the file is the whole compilation, else the whole file."""
    for i, line in enumerate(lines):
        if _PART.search(line) and "科技合作需求" in line:
            for j in range(i + 1, len(lines)):
                if _PART.search(lines[j]):
                    return i + 1, j
            return i + 1, len(lines)
    return 0, len(lines)


def _rows_from_cells(section: Section, cells: list[list], parsed: ParsedFile) -> None:
    if [c[1] for c in cells[: len(COLUMNS)]] == list(COLUMNS):
        cells = cells[len(COLUMNS):]
    items: list[list[list]] = []
    for cell in cells:
        if re.fullmatch(r"\d{1,4}", cell[1]):
            items.append([cell])
        elif items:
            items[-1].append(cell)
        else:
            parsed.errors.append(RowProblem(f"line {cell[0]}", f"cell before the first item number: {cell[1][:40]}"))
    for position, item in enumerate(items, start=1):
        location = f"line {item[0][0]}"
        if len(item) != len(COLUMNS):
            parsed.errors.append(RowProblem(
                location, f"item {item[0][1]} of {section.title} has {len(item)} cells, expected {len(COLUMNS)}"
            ))
            continue
        values = [c[1] for c in item]
        row = ImportRow(section, position, values[0], values[1].replace("\n", ""), values[2], values[3],
                        values[4], values[5], location)
        if check_row(row, parsed.errors):
            parsed.rows.append(row)
