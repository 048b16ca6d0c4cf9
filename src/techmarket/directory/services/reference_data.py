"""Loads the directory's reviewed data files (data/directory/*.yaml) into the database, idempotently."""

from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from techmarket.directory.models import Organisation, OrganisationAlias, Region
from techmarket.directory.services.organisations import guess_kind, guess_region


def _data_file(name: str) -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "directory" / name


@cache
def regions_data() -> dict:
    return yaml.safe_load(_data_file("regions.yaml").read_text(encoding="utf-8"))


@cache
def known_organisations() -> list[dict]:
    return yaml.safe_load(_data_file("organisations.yaml").read_text(encoding="utf-8"))["organisations"]


@transaction.atomic
def sync_regions() -> None:
    data = regions_data()
    province, _ = Region.objects.update_or_create(
        code=data["qinghai"]["code"],
        defaults={"name": data["qinghai"]["name"], "kind": Region.Kind.PROVINCE, "position": 0, "keywords": []},
    )
    position = 1
    others = {}
    for item in data["other_provinces"]:
        others[item["code"]], _ = Region.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "kind": Region.Kind.OTHER_PROVINCE, "keywords": item["keywords"],
                      "position": 100 + position},
        )
        position += 1
    for item in data["qinghai"]["prefectures"]:
        Region.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "kind": Region.Kind.PREFECTURE, "parent": province,
                      "keywords": item["keywords"], "aid_partner": others.get(item.get("partner")),
                      "position": position},
        )
        position += 1


@transaction.atomic
def sync_known_organisations() -> None:
    """Create the organisations named in organisations.yaml and attach their aliases."""
    all_regions = list(Region.objects.all())
    regions = {r.code: r for r in all_regions}
    for item in known_organisations():
        name = item["name"]
        org, created = Organisation.objects.get_or_create(
            name=name,
            defaults={"kind": item.get("kind") or guess_kind(name),
                      "region": regions.get(item.get("region")) or guess_region(name, all_regions)},
        )
        for alias in item.get("aliases", []):
            OrganisationAlias.objects.get_or_create(name=alias, defaults={"organisation": org})


def sync_directory_data() -> None:
    sync_regions()
    sync_known_organisations()
