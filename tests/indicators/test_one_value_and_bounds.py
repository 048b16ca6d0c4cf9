"""Indicator values (issue 9): one value per intent (a double submission or concurrent entries make one pending
value), values within bounds that read back exactly, and the dashboard readable with the largest amounts."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from techmarket.accounts.roles import REVIEWERS
from techmarket.common.audit import history_for
from techmarket.indicators.models import Indicator, IndicatorValue
from techmarket.indicators.services import values
from tests.market.concurrency import at_once, committed_db, postgres_only  # noqa: F401 (fixture)
from tests.market.conftest import pdf_upload

CODE = "a2027-key-technologies"


def entry(period, value="3", **more):
    return {"indicator": Indicator.objects.get(code=CODE).pk, "period": period.key, "value": value,
            "evidence": pdf_upload("evidence"), "note": "验收", **more}


@pytest.mark.django_db
def test_a_value_entered_twice_is_one_pending_value(staff, this_quarter, client):
    client.force_login(staff[0])
    assert client.post(reverse("indicators:enter"), entry(this_quarter)).status_code == 302
    assert client.post(reverse("indicators:enter"), entry(this_quarter)).status_code == 302
    assert IndicatorValue.objects.filter(indicator__code=CODE).count() == 1
    # A different value for the same period while one waits: refused with a message naming the pending one.
    response = client.post(reverse("indicators:enter"), entry(this_quarter, value="4"))
    assert response.status_code == 200 and "已有待审核的数值 3" in response.content.decode()
    assert IndicatorValue.objects.filter(indicator__code=CODE).count() == 1


@pytest.mark.django_db
def test_a_newer_approved_value_supersedes_the_older_one(staff, this_quarter):
    entering, approving = staff
    indicator = Indicator.objects.get(code=CODE)
    first = values.approve(approving, values.submit_manual(entering, indicator, this_quarter, "3", pdf_upload()))
    second = values.approve(approving, values.submit_manual(entering, indicator, this_quarter, "5", pdf_upload()))
    first.refresh_from_db()
    assert (first.status, first.superseded_by) == (IndicatorValue.Status.SUPERSEDED, second)
    assert IndicatorValue.objects.filter(indicator=indicator, status="approved").get() == second
    # Each step is in the audit log, with who and from what to what.
    assert [(e.action, e.actor, e.from_value, e.to_value) for e in history_for(first)] == [
        ("submitted", entering, "", "submitted"), ("approved", approving, "submitted", "approved"),
        ("superseded", approving, "approved", "superseded")]
    assert history_for(second).last().action_label == "审核通过"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["10000000000.0001", "99999999999999.99", "1.00001", "-1"])
def test_a_value_beyond_the_bounds_is_refused(staff, this_quarter, client, value):
    client.force_login(staff[0])
    response = client.post(reverse("indicators:enter"), entry(this_quarter, value=value))
    assert response.status_code == 200 and "数值须在 0 到 10,000,000,000 之间" in response.content.decode()
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_the_largest_value_reads_back_exactly(staff, this_quarter, client):
    entering, approving = staff
    indicator = Indicator.objects.get(code=CODE)
    item = values.submit_manual(entering, indicator, this_quarter, "9999999999.9999", pdf_upload())
    values.approve(approving, item)
    assert IndicatorValue.objects.get(pk=item.pk).value == Decimal("9999999999.9999")
    assert client.get(reverse("indicators:dashboard")).status_code == 200
    assert client.get("/api/indicators").status_code == 200


@pytest.mark.django_db
def test_largest_registered_amounts_keep_the_dashboard_and_report_readable(absorb, staff, this_quarter, client):
    absorb(technology="100000000000.00", total="100000000000.00")
    absorb(technology="99999999999.98", total="99999999999.98")
    assert client.get(reverse("indicators:dashboard")).status_code == 200
    client.force_login(staff[0])
    response = client.get(reverse("indicators:report"), {"period": this_quarter.key, "format": "xlsx"})
    assert response.status_code == 200
    snapshot = IndicatorValue.objects.get(indicator__code="a2027-absorbed-transactions", status="snapshot")
    # ¥2,000 亿 is beyond the bound of one amount: the value in 亿元 is kept, the exact yuan is not.
    assert snapshot.value == Decimal("2000.0000") and snapshot.exact_amount is None


@postgres_only()
def test_concurrent_entries_of_one_value_make_one(committed_db, tmp_path, settings, this_quarter):  # noqa: F811 (the fixture)
    settings.MEDIA_ROOT = tmp_path
    user = get_user_model().objects.create_user(username="concurrent-reviewer", password="x", is_verified=True)
    user.groups.add(Group.objects.get(name=REVIEWERS))
    indicator = Indicator.objects.get(code=CODE)
    try:
        clients = []
        for _ in range(8):
            client = Client()
            client.force_login(user)
            clients.append(client)
        results = at_once(8, lambda i: clients[i].post(reverse("indicators:enter"), entry(this_quarter)).status_code)
        assert results == [302] * 8
        assert IndicatorValue.objects.filter(indicator=indicator, entered_by=user).count() == 1
    finally:
        IndicatorValue.objects.filter(entered_by=user).delete()
        user.delete()
