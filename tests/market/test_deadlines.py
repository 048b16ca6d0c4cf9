"""The decision is due 30 days after receipt; overdue applications are visible and reported."""

import datetime

import pytest
from django.utils import timezone

from techmarket.market.models import Registration
from techmarket.market.services import registration as reg


@pytest.fixture
def submitted(make_contract, seller, seller_org, buyer_org, registry):
    return reg.submit(seller, make_contract(seller, seller_org, buyer_org), registry("xining"))


def test_due_thirty_days_after_receipt():
    assert reg.decision_due(datetime.date(2027, 1, 5)) == datetime.date(2027, 2, 4)
    assert reg.decision_due(datetime.date(2027, 2, 10)) == datetime.date(2027, 3, 12)


def test_overdue_and_days_left(submitted):
    received = submitted.received_on
    assert reg.days_left(submitted, received) == 30
    assert not reg.is_overdue(submitted, received + datetime.timedelta(days=30))
    assert reg.is_overdue(submitted, received + datetime.timedelta(days=31))
    assert reg.days_left(submitted, received + datetime.timedelta(days=33)) == -3


def test_a_decided_application_is_never_overdue(submitted, xining_registrar):
    registration = reg.register(xining_registrar, reg.accept(xining_registrar, submitted))
    assert not reg.is_overdue(registration, registration.due_on + datetime.timedelta(days=100))
    assert reg.days_left(registration) is None


def test_late_decisions_are_marked_and_reported(submitted, xining_registrar):
    Registration.objects.filter(pk=submitted.pk).update(
        received_on=timezone.localdate() - datetime.timedelta(days=40),
        due_on=timezone.localdate() - datetime.timedelta(days=10))
    submitted.refresh_from_db()
    assert list(reg.overdue()) == [submitted]
    registration = reg.refuse(xining_registrar, submitted, "材料不全。")
    assert registration.decided_late
    assert list(reg.decided_late()) == [registration]
    assert list(reg.overdue()) == []


def test_staff_queue_by_deadline(make_contract, seller, seller_org, buyer_org, org, make_user, registry,
                                 xining_registrar, provincial_registrar):
    later = reg.submit(seller, make_contract(seller, seller_org, buyer_org), registry("xining"))
    earlier = reg.submit(seller, make_contract(seller, seller_org, buyer_org, total="2000000"), registry("xining"))
    Registration.objects.filter(pk=earlier.pk).update(due_on=later.due_on - datetime.timedelta(days=5))
    elsewhere = reg.submit(seller, make_contract(seller, seller_org, buyer_org, total="3000000"), registry("qinghai"))
    assert list(reg.staff_queue(xining_registrar)) == [earlier, later]
    assert list(reg.staff_queue(provincial_registrar)) == [elsewhere]
    reg.refuse(xining_registrar, earlier, "材料不全。")
    assert list(reg.staff_queue(xining_registrar)) == [later]
    assert set(reg.staff_queue(xining_registrar, include_decided=True)) == {earlier, later}


def test_reconsiderations_reach_the_provincial_queue(submitted, seller, xining_registrar, provincial_registrar):
    registration = reg.refuse(xining_registrar, submitted, "非技术合同。")
    registration = reg.request_reconsideration(seller, registration, "不服。")
    assert list(reg.staff_queue(provincial_registrar)) == [registration]
    assert registration.due_on == timezone.localdate() + datetime.timedelta(days=60)
