"""Loads the catalogue's reviewed data files (data/taxonomy/*.yaml) into the database, idempotently."""

from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from techmarket.catalogue.models import CooperationMode, Field


def _data_file(name: str) -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "taxonomy" / name


@cache
def taxonomy_data() -> list[dict]:
    return yaml.safe_load(_data_file("fields.yaml").read_text(encoding="utf-8"))["fields"]


@cache
def modes_data() -> list[dict]:
    return yaml.safe_load(_data_file("cooperation_modes.yaml").read_text(encoding="utf-8"))["modes"]


@cache
def sections_data() -> list[dict]:
    return yaml.safe_load(_data_file("sections.yaml").read_text(encoding="utf-8"))["sections"]


@transaction.atomic
def sync_taxonomy() -> None:
    position = 0
    for item in taxonomy_data():
        position += 1
        top, _ = Field.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "parent": None, "strategic": item.get("strategic", False),
                      "keywords": [], "position": position * 100},
        )
        for i, area in enumerate(item["areas"], start=1):
            Field.objects.update_or_create(
                code=area["code"],
                defaults={"name": area["name"], "parent": top, "strategic": top.strategic,
                          "keywords": area["keywords"], "position": position * 100 + i},
            )


@transaction.atomic
def sync_modes() -> None:
    for position, item in enumerate(modes_data(), start=1):
        CooperationMode.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "variants": item["variants"], "is_offer": item.get("offer", False),
                      "position": position},
        )


def sync_catalogue_data() -> None:
    sync_taxonomy()
    sync_modes()
