"""Loading exported files back (docs/docking.md): the registered-contracts file and the open feed, into
DockedRecord, one record per contract, listing and intent, with every exported field. One transaction per file;
loading the same file again changes nothing; a later incremental feed updates its records and marks the removed
listings."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from pydantic import ValidationError

from techmarket.docking.models import DockedRecord
from techmarket.docking.services import contracts, openfeed

Kind = DockedRecord.Kind


@dataclass
class Loaded:
    created: int = 0
    updated: int = 0
    removed: int = 0


def _plain(values: dict) -> dict:
    """JSON-safe (dates and amounts as strings, as the files write them)."""
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _put(result: Loaded, kind: str, key: str, data: dict, removed: bool = False) -> None:
    record, created = DockedRecord.objects.select_for_update().get_or_create(
        kind=kind, key=key, defaults={"data": data, "removed": removed})
    if created:
        result.created += 1
    elif record.data != data or record.removed != removed:
        record.data, record.removed = data, removed
        record.save(update_fields=["data", "removed", "imported_at"])
        result.updated += 1


def load_contracts(data: bytes) -> Loaded:
    rows = contracts.read_csv(data)
    result = Loaded()
    with transaction.atomic():
        for values in rows:
            _put(result, Kind.CONTRACT, values["number"], _plain(values))
    return result


def parse_feed(data: bytes) -> openfeed.DockingFeed:
    try:
        return openfeed.DockingFeed.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise contracts.FileRefused(f"开放数据文件不符合格式（{where}）。") from None


def load_feed(data: bytes) -> Loaded:
    feed = parse_feed(data)
    result = Loaded()
    with transaction.atomic():
        for listing in feed.listings:
            _put(result, Kind.LISTING, listing.reference, listing.model_dump(mode="json"))
        for intent in feed.intents:
            _put(result, Kind.INTENT, f"{intent.listing_reference}/{intent.organisation}"[:120],
                 intent.model_dump(mode="json"))
        for reference in feed.removed_listings:
            record = DockedRecord.objects.select_for_update().filter(kind=Kind.LISTING, key=reference).first()
            if record is not None and not record.removed:
                record.removed = True
                record.save(update_fields=["removed", "imported_at"])
                result.removed += 1
    return result


def contract_values(record: DockedRecord) -> dict:
    """A loaded contract's values in the platform's types (dates, amounts), as contracts.read_csv gives them."""
    m = contracts.mapping()
    by_source = {c.source: c for c in m.columns}
    values = {}
    for source, value in record.data.items():
        column = by_source[source]
        if column.type in ("date", "amount"):
            values[source] = contracts.parse_value(column, value, m.file.list_separator)
        else:
            values[source] = value
    return values
