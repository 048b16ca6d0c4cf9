"""Listing reserve pools: the criteria of data/enterprises/listing_pools.yaml evaluated on the profile's facts and
verified recognitions; enterprises meeting them proposed once to the reserve pool; a reviewer moves one to the
selected pool with a reason; the page."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from techmarket.common.errors import InvalidInput, NotAllowed, Refused
from techmarket.directory.models import Organisation
from techmarket.enterprises.models import PoolEntry
from techmarket.enterprises.services import pools, profile
from techmarket.enterprises.services.profile import RecognitionInput
from tests.enterprises.test_profile import FIGURES, pdf


def test_criteria_propose_and_select(enterprise_member, enterprise, make_user, reviewer, client, login):
    other = Organisation.objects.create(name="西宁某小企业", kind=Organisation.Kind.ENTERPRISE)
    profile.save_figures(make_user("small-member", organisation=other), 2025,
                         {**FIGURES, "revenue_wan": Decimal("500")})  # below 2000 万元
    profile.save_figures(enterprise_member, 2025, FIGURES)  # 50000 万元, 3 %, 12 patents
    eligible, checks = pools.evaluate(enterprise)
    assert not eligible and not any(c.met for c in checks if "已核验" in c.label)  # no verified recognition yet
    recognition = profile.add_recognition(enterprise_member, RecognitionInput(
        "high-tech-enterprise", "GR2025001", datetime.date(2025, 11, 20), None, pdf()))
    assert pools.propose(reviewer) == []  # declared, not verified
    profile.decide_recognition(reviewer, recognition, True)
    eligible, checks = pools.evaluate(enterprise)
    assert eligible and [c.value for c in checks[:3]] == ["50000", "3", "12"]

    [entry] = pools.propose(reviewer)
    assert entry.organisation == enterprise and entry.pool == PoolEntry.Pool.RESERVE
    assert all(c["met"] for c in entry.criteria[:3])
    assert pools.propose(reviewer) == []  # once
    with pytest.raises(NotAllowed):
        pools.propose(enterprise_member)
    with pytest.raises(InvalidInput):
        pools.select(reviewer, entry, "  ")
    pools.select(reviewer, entry, "营收和研发强度居同领域前列，已完成股改")
    entry.refresh_from_db()
    assert entry.pool == PoolEntry.Pool.SELECTED and entry.selected_by == reviewer
    with pytest.raises(Refused):
        pools.select(reviewer, entry, "再次遴选")
    with pytest.raises(IntegrityError), transaction.atomic():
        PoolEntry.objects.filter(pk=entry.pk).update(reason="")

    login(reviewer)
    page = client.get("/enterprises/pools/").content.decode()
    assert "格尔木盐湖锂业有限公司" in page and "已完成股改" in page and "待省委金融办" in page
    login(enterprise_member)
    assert client.get("/enterprises/pools/").status_code == 403
    assert "已列入精选库" in client.get("/enterprises/profile/").content.decode()
