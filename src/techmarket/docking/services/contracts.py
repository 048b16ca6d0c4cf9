"""The registered-contracts file for the national technology-contract registration system (docs/docking.md).

`export_csv(start, end)`: one row per contract registered (in force) in the period, columns as
data/docking/contract-registration.yaml says. `read_csv(data)`: the file back into the platform's values, each
checked against its column's type (the re-import, services/reimport.py). Organisations only: no person, phone or
e-mail is among the values (market.services.statistics.registered_contracts gives none).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal, InvalidOperation

from techmarket.common.bounds import MAX_AMOUNT
from techmarket.docking.services.mapping import Column, mapping
from techmarket.market.services.statistics import RegisteredContract, registered_contracts


class FileRefused(ValueError):
    """A file that does not follow the mapping; the message names the row and the column."""


def source_values(record: RegisteredContract) -> dict:
    """Every value a column may name (mapping.SOURCES), in the platform's own codes and types."""
    by_side = {side: [p for p in record.parties if p.side == side] for side in ("seller", "buyer", "intermediary")}
    registering = next((p.name for p in record.parties if p.registering), "")
    values = {
        "number": record.number, "registry_name": record.registry_name, "registry_code": record.registry_code,
        "registered_on": record.registered_on, "status": record.status, "title": record.title,
        "contract_type": record.contract_type, "type_name": record.type_name, "signed_on": record.signed_on,
        "total_amount": record.total_amount, "technology_amount": record.technology_amount,
        "certified_amount": record.certified_amount, "top_field_name": record.top_field_name,
        "top_field_code": record.top_field_code, "field_name": record.field_name, "field_code": record.field_code,
        "intermediary_names": [p.name for p in by_side["intermediary"]],
        "registering_party": registering, "made_on_platform": record.made_on_platform,
        "listings": list(record.listings),
    }
    for side in ("seller", "buyer"):
        parties = by_side[side]
        values[f"{side}_names"] = [p.name for p in parties]
        values[f"{side}_credit_codes"] = [p.credit_code for p in parties]
        values[f"{side}_locations"] = [p.location for p in parties]
        values[f"{side}_roles"] = [p.role for p in parties]
    return values


def _cell(column: Column, value, separator: str) -> str:
    if column.type == "date":
        return value.isoformat()
    if column.type == "amount":
        return f"{value:.2f}"
    if column.type == "bool":
        return "是" if value else "否"
    if column.type == "list":
        return separator.join(column.write(str(item)) for item in value)
    return column.write(str(value))


def parse_value(column: Column, text: str, separator: str):
    if column.type == "date":
        return datetime.date.fromisoformat(text)
    if column.type == "amount":
        amount = Decimal(text)
        if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            raise ValueError("amount out of bounds")
        return amount.quantize(Decimal("0.01"))
    if column.type == "bool":
        if text not in ("是", "否"):
            raise ValueError("not 是 or 否")
        return text == "是"
    if column.type == "list":
        return [column.read(item) for item in text.split(separator)] if text else []
    return column.read(text)


def rows(start: datetime.date | None = None, end: datetime.date | None = None) -> list[dict]:
    """The platform's values of each registered contract of the period, oldest registration first."""
    return [source_values(record) for record in registered_contracts(start, end)]


def export_csv(start: datetime.date | None = None, end: datetime.date | None = None) -> bytes:
    m = mapping()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=m.file.delimiter, lineterminator="\r\n")
    writer.writerow([c.column for c in m.columns])
    for values in rows(start, end):
        writer.writerow([_cell(c, values[c.source], m.file.list_separator) for c in m.columns])
    return buffer.getvalue().encode(m.file.encoding)


def read_csv(data: bytes) -> list[dict]:
    """The file's rows as the platform's values (keyed by source), or FileRefused naming the first problem."""
    m = mapping()
    try:
        text = data.decode(m.file.encoding)
    except UnicodeDecodeError:
        raise FileRefused(f"文件不是 {m.file.encoding} 编码。") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=m.file.delimiter)
    header = next(reader, None)
    expected = [c.column for c in m.columns]
    if header != expected:
        raise FileRefused("表头与对接格式不一致：应为 " + "、".join(expected))
    result = []
    for line, cells in enumerate(reader, start=2):
        if len(cells) != len(m.columns):
            raise FileRefused(f"第 {line} 行的列数应为 {len(m.columns)}。")
        values = {}
        for column, text in zip(m.columns, cells, strict=True):
            if column.required and not text:
                raise FileRefused(f"第 {line} 行缺少“{column.column}”。")
            try:
                values[column.source] = parse_value(column, text, m.file.list_separator)
            except (ValueError, InvalidOperation):
                raise FileRefused(f"第 {line} 行的“{column.column}”格式不正确。") from None
        _pad(values)
        result.append(values)
    return result


def _pad(values: dict) -> None:
    """A side's list cells that were all blank (one party without a credit code: an empty cell) read back as one
    blank per party of that side, as they were exported."""
    for side in ("seller", "buyer"):
        count = len(values.get(f"{side}_names", []))
        for key in (f"{side}_credit_codes", f"{side}_locations", f"{side}_roles"):
            if key in values and not values[key] and count:
                values[key] = [""] * count


SCHEMA_ID = "https://techmarket.qinghai.example/open/contract-registration.schema.json"
_PATTERNS = {
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "amount": r"^\d{1,12}\.\d{2}$",
}


def schema() -> dict:
    """A JSON Schema of one row of the file, as an object from column header to cell text
    (docs/schemas/contract-registration.schema.json; a test keeps the file equal to this, and validates every row
    of an export against it). Made from the mapping, so it changes with data/docking/contract-registration.yaml."""
    m = mapping()
    properties = {}
    for column in m.columns:
        rule: dict = {"type": "string", "description": column.source}
        if column.type in _PATTERNS:
            rule["pattern"] = _PATTERNS[column.type]
        elif column.type == "bool":
            rule["enum"] = ["是", "否"]
        elif column.values and column.type == "text":
            rule["enum"] = list(column.values.values())
        elif column.values and column.type == "list":
            words = "|".join(re.escape(word) for word in [*column.values.values(), ""])
            separator = re.escape(m.file.list_separator)
            rule["pattern"] = f"^({words})({separator}({words}))*$"
        if column.required:
            rule["minLength"] = 1
        properties[column.column] = rule
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
        "title": "Registered technology contract (one row of the file for the national registration system)",
        "description": f"CSV, {m.file.encoding}, delimiter {m.file.delimiter!r}, several values of a cell separated "
                       f"by {m.file.list_separator!r}; columns and words: data/docking/contract-registration.yaml",
        "type": "object", "properties": properties, "required": [c.column for c in m.columns],
        "additionalProperties": False,
    }
