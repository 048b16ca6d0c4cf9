"""Reading a six-column table (as in a workbook sheet or a Word table) into import rows."""

from collections.abc import Iterable

from techmarket.catalogue.importers.rows import (
    COLUMN_KEYS,
    COLUMNS,
    ImportRow,
    ParsedFile,
    RowProblem,
    Section,
    check_row,
    clean_cell,
)


def header_columns(cells: list[str]) -> dict[str, int] | None:
    """Map column keys to indexes when `cells` is a header row naming all six columns, else None."""
    names = [clean_cell(c).replace(" ", "").replace("\n", "") for c in cells]
    mapping = {}
    for key, column in zip(COLUMN_KEYS, COLUMNS, strict=True):
        if column not in names:
            return None
        mapping[key] = names.index(column)
    return mapping


def rows_from_table(
    section: Section, columns: dict[str, int], table_rows: Iterable[tuple[str, list]], parsed: ParsedFile,
    first_position: int = 1,
) -> int:
    """Add the rows of one table to `parsed`; blank rows are skipped. Returns the next position."""
    position = first_position
    for location, cells in table_rows:
        values = {key: clean_cell(cells[i]) if i < len(cells) else "" for key, i in columns.items()}
        if not any(values.values()):
            continue
        if values["number"] and not values["number"].isdigit():
            parsed.errors.append(RowProblem(location, f"column 序号 is not a number: {values['number'][:20]}"))
            position += 1
            continue
        row = ImportRow(section, position, values["number"], values["title"].replace("\n", ""),
                        values["description"], values["organisations"], values["modes"], values["contacts"],
                        location)
        position += 1
        if check_row(row, parsed.errors):
            parsed.rows.append(row)
    return position


def unknown_section(location: str, name: str, parsed: ParsedFile) -> None:
    parsed.errors.append(RowProblem(
        location, f"“{name}” is not a known section; name it as in data/taxonomy/sections.yaml (e.g. 平台建设类)"
    ))
