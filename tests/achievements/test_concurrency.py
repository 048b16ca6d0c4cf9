"""Concurrent requests on PostgreSQL (tests/market/concurrency.py): the same step taken four times at once leaves
one record — one offer listing per achievement, one running evaluation, one open price notice, one annual report
per unit and year, one achievement per title — and the other requests are told why."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from techmarket.achievements.errors import AchievementDuplicate
from techmarket.achievements.models import Achievement, AnnualReport, Evaluation, PriceNotice, ReportingUnit
from techmarket.achievements.services import evaluation, pricing, records, reports
from techmarket.catalogue.models import Listing
from techmarket.common.models import Notice
from techmarket.directory.models import Organisation
from tests.achievements import world as w
from tests.market.concurrency import at_once, committed_db, postgres_only  # noqa: F401 (fixture)


@pytest.fixture
def unit(committed_db):  # noqa: F811 (the fixture)
    User = get_user_model()
    university = Organisation.objects.create(name="并发测试成果大学", kind=Organisation.Kind.UNIVERSITY)
    supervisor = Organisation.objects.create(name="并发测试主管厅", kind=Organisation.Kind.GOVERNMENT)
    owner = User.objects.create_user(username="concurrent-ach-owner", password="x", is_verified=True,
                                     organisation=university)
    try:
        yield university, supervisor, owner
    finally:
        achievements = Achievement.objects.filter(owner=university)
        listings = list(achievements.exclude(listing=None).values_list("listing_id", flat=True))
        AnnualReport.objects.filter(organisation=university).delete()
        ReportingUnit.objects.filter(organisation=university).delete()
        notices = list(PriceNotice.objects.filter(achievement__in=achievements).values_list("notice_id", flat=True))
        PriceNotice.objects.filter(notice_id__in=notices).delete()
        Notice.objects.filter(pk__in=notices).delete()
        achievements.delete()
        Listing.objects.filter(pk__in=listings).delete()
        User.objects.filter(username="concurrent-ach-owner").delete()
        Organisation.objects.filter(pk__in=[university.pk, supervisor.pk]).delete()


def _duplicates(results) -> None:
    assert all(isinstance(r, AchievementDuplicate) for r in results if isinstance(r, Exception)), results
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1, results


@postgres_only()
def test_one_record_per_step_at_once(unit):
    university, supervisor, owner = unit
    _duplicates(at_once(4, lambda i: records.create(owner, w.achievement_input(field_code=""))))
    achievement = Achievement.objects.get(owner=university)

    _duplicates(at_once(4, lambda i: records.publish_offer(owner, Achievement.objects.get(pk=achievement.pk))))
    assert Listing.objects.filter(owner=university).count() == 1

    _duplicates(at_once(4, lambda i: evaluation.request(owner, Achievement.objects.get(pk=achievement.pk),
                                                        Evaluation.Mode.PANEL)))
    assert Evaluation.objects.filter(achievement=achievement).count() == 1

    _duplicates(at_once(4, lambda i: pricing.publish(owner, Achievement.objects.get(pk=achievement.pk),
                                                     Decimal("100"), "某受让企业", 15)))
    assert PriceNotice.objects.filter(achievement=achievement).count() == 1

    reports.set_supervisor(owner, university, supervisor)
    year = datetime.date.today().year - 1
    data = reports.ReportInput(year=year, contracts_count=1, contracts_amount=Decimal("10"), income=Decimal("5"),
                               rewards=Decimal("1"), summary="并发测试。", achievement_ids=[achievement.pk])
    _duplicates(at_once(4, lambda i: reports.submit(owner, data)))
    assert AnnualReport.objects.filter(organisation=university, year=year).count() == 1
