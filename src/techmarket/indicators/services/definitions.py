"""data/indicators/indicators.yaml: loading, checking and syncing into the database (after every migrate and by
`techmarket indicators --sync`)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from techmarket.indicators.models import Indicator

REQUIRED = ("code", "name", "unit", "plan", "source", "comparator", "target", "aggregation", "computed_by")


class DefinitionError(ValueError):
    pass


def data_file() -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "indicators" / "indicators.yaml"


def load(path: Path | None = None) -> list[dict]:
    """The indicators of the file, checked, as dicts of Indicator fields (plus same_as / related code lists)."""
    from techmarket.indicators.services.computations import COMPUTATIONS

    raw = yaml.safe_load((path or data_file()).read_text(encoding="utf-8"))
    plans = raw.get("plans") or {}
    result, codes = [], set()
    for order, item in enumerate(raw.get("indicators") or []):
        missing = [key for key in REQUIRED if key not in item]
        code = item.get("code", f"#{order}")
        if missing:
            raise DefinitionError(f"{code}: missing {', '.join(missing)}")
        if code in codes:
            raise DefinitionError(f"{code}: duplicate code")
        codes.add(code)
        if item["plan"] not in plans:
            raise DefinitionError(f"{code}: unknown plan {item['plan']}")
        if item["comparator"] not in Indicator.Comparator.values:
            raise DefinitionError(f"{code}: unknown comparator {item['comparator']}")
        if item["aggregation"] not in Indicator.Aggregation.values:
            raise DefinitionError(f"{code}: unknown aggregation {item['aggregation']}")
        if item["computed_by"] != "manual" and item["computed_by"] not in COMPUTATIONS:
            raise DefinitionError(f"{code}: unknown computation {item['computed_by']}")
        count_from = item.get("count_from")
        if item["aggregation"] == "cumulative" and not isinstance(count_from, datetime.date):
            raise DefinitionError(f"{code}: a cumulative indicator needs count_from (a date)")
        plan, base = plans[item["plan"]], item.get("base") or {}
        result.append({
            "code": code, "name": item["name"], "unit": item["unit"], "plan_code": item["plan"],
            "plan_name": plan["name"], "document": plan.get("document", ""),
            "position": item["source"].get("position", ""), "quote": item["source"].get("quote", ""),
            "comparator": item["comparator"],
            "base_value": Decimal(str(base["value"])) if "value" in base else None, "base_year": base.get("year"),
            "target_value": Decimal(str(item["target"]["value"])), "target_year": int(item["target"]["year"]),
            "aggregation": item["aggregation"], "count_from": count_from, "computed_by": item["computed_by"],
            "doubtful": bool(item.get("doubtful")), "note": item.get("note", ""), "order": order,
            "same_as": list(item.get("same_as") or []), "related": list(item.get("related") or []),
        })
    for entry in result:
        for link in entry["same_as"] + entry["related"]:
            if link not in codes:
                raise DefinitionError(f"{entry['code']}: links to unknown indicator {link}")
    return result


@transaction.atomic
def sync_indicators(path: Path | None = None, **kwargs) -> int:
    """Indicators into the database, idempotently; ones gone from the file stay, inactive (their values remain)."""
    entries = load(path if isinstance(path, Path) else None)
    by_code = {}
    for entry in entries:
        fields = {k: v for k, v in entry.items() if k not in ("code", "same_as", "related")}
        by_code[entry["code"]], _ = Indicator.objects.update_or_create(
            code=entry["code"], defaults={**fields, "active": True})
    for entry in entries:
        indicator = by_code[entry["code"]]
        indicator.same_as.set([by_code[c] for c in entry["same_as"]])
        indicator.related.set([by_code[c] for c in entry["related"]])
    Indicator.objects.exclude(code__in=by_code).update(active=False)
    return len(entries)
