"""Fixtures of the expert-pool tests: experts made through the services, verified or not."""

import itertools

import pytest

from techmarket.directory.models import Organisation, Region
from techmarket.experts.services import profiles, search
from techmarket.experts.services.profiles import ProfileInput

_names = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_expert_index():
    search.reset()
    yield
    search.reset()


@pytest.fixture
def make_org(db):
    def make(name: str, region: str = "xining") -> Organisation:
        return Organisation.objects.create(name=name, kind=Organisation.Kind.INSTITUTE,
                                           region=Region.objects.get(code=region))
    return make


@pytest.fixture
def make_expert(db, reviewer):
    """`make(name=…, fields=[codes], organisation=…, verified=True, **ProfileInput fields)` through the services."""

    def make(name: str = "", *, fields=("salt-lake.lithium",), organisation=None, verified=True,
             region="xining", **values):
        data = ProfileInput(name=name or f"专家{next(_names)}", region_id=Region.objects.get(code=region).pk,
                            field_codes=list(fields), organisation_id=organisation.pk if organisation else None,
                            **values)
        return profiles.create_expert(reviewer, data, verified=verified)

    return make
