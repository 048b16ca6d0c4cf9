"""Loads data/matching/institutions.yaml and partnerships.yaml."""

from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from techmarket.catalogue.models import Field
from techmarket.catalogue.services.reference_data import sync_taxonomy
from techmarket.directory.models import Organisation, Region
from techmarket.directory.services.reference_data import sync_regions
from techmarket.matching.models import InstitutionProfile


def _load(name: str) -> dict:
    return yaml.safe_load((Path(settings.TECHMARKET_DATA_FILES) / "matching" / name).read_text(encoding="utf-8"))


@cache
def partnerships() -> dict:
    return _load("partnerships.yaml")


@cache
def university_pairs() -> set[frozenset[str]]:
    return {frozenset((p["supporter"], p["supported"])) for p in partnerships()["university_pairings"]}


@transaction.atomic
def sync_institutions(**kwargs) -> None:
    sync_regions()
    sync_taxonomy()
    regions = {r.code: r for r in Region.objects.all()}
    fields = {f.code: f for f in Field.objects.filter(parent__isnull=True)}
    for item in _load("institutions.yaml")["institutions"]:
        org, _ = Organisation.objects.get_or_create(
            name=item["name"], defaults={"kind": item["kind"], "region": regions.get(item["region"])}
        )
        profile, _ = InstitutionProfile.objects.get_or_create(organisation=org,
                                                               defaults={"source": "institutions.yaml"})
        profile.fields.set([fields[code] for code in item["fields"]])
