"""Migrations on a populated database: the schema is taken back to before the latest migrations of each app,
rows are written through the historical models (as a site's database held them), and migrating forward keeps
them, with the data migrations' corrections: out-of-bounds budgets and dates cleared or clamped, double
submissions of indicator values superseded by the newest."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.seedstate import ensure_seed

# The state before the bounds, clamping and one-record-per-intent migrations.
BEFORE = [("catalogue", "0001_initial"), ("directory", "0001_initial"), ("indicators", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture(scope="module")
def reseed(django_db_setup, django_db_blocker):
    """This module's test is transactional: the database is emptied after it; the seed's rows are put back for
    the tests that follow."""
    yield
    with django_db_blocker.unblock():
        ensure_seed()


@pytest.mark.django_db(transaction=True)
@pytest.mark.long(50)
def test_migrating_a_populated_database_keeps_and_corrects_its_rows(reseed):
    try:
        old = migrate(BEFORE)
        listings = populate_listings(old)
        values = populate_indicator_values(old)
        new = migrate(latest())
        check_listings(new, listings)
        check_indicator_values(new, values)
    finally:
        migrate(latest())


def populate_listings(apps) -> dict:
    Listing = apps.get_model("catalogue", "Listing")
    Organisation = apps.get_model("directory", "Organisation")
    Organisation.objects.create(name="迁移测试单位")

    def make(reference, **values):
        return Listing.objects.create(reference=f"migration/{reference}", kind="demand", status="published",
                                      title=f"迁移测试 {reference}", description="迁移前的数据。", **values).pk

    return {
        "ok": make("ok", budget_wan=Decimal("120.50"), valid_until=datetime.date(2027, 6, 30)),
        "budget": make("budget", budget_wan=Decimal("99999999.00"), grade="B", grade_basis={
            "method": "computed", "score": 3,
            "criteria": [{"code": "scale", "points": 1}, {"code": "field", "points": 2}]}),
        "negative": make("negative", budget_wan=Decimal("-5.00")),
        "forever": make("forever", valid_until=datetime.date(9999, 12, 31)),
        "ancient": make("ancient", valid_until=datetime.date(1970, 1, 1)),
    }


def check_listings(apps, ids: dict) -> None:
    Listing = apps.get_model("catalogue", "Listing")
    rows = {key: Listing.objects.get(pk=pk) for key, pk in ids.items()}
    ok = rows["ok"]
    assert (ok.budget_wan, ok.valid_until, ok.title) == (Decimal("120.50"), datetime.date(2027, 6, 30), "迁移测试 ok")
    assert rows["budget"].budget_wan is None
    assert rows["budget"].grade == "B" and rows["budget"].grade_basis["score"] == 2  # the scale point is gone
    assert [c["code"] for c in rows["budget"].grade_basis["criteria"]] == ["field"]
    assert rows["negative"].budget_wan is None
    today = datetime.date.today()
    try:
        ten_years = today.replace(year=today.year + 10)
    except ValueError:  # 29 February
        ten_years = today.replace(year=today.year + 10, day=28)
    assert rows["forever"].valid_until == ten_years  # "never expires": the longest validity now accepted
    assert rows["ancient"].valid_until is None
    assert all(row.status == "published" and row.description == "迁移前的数据。" for row in rows.values())
    assert apps.get_model("directory", "Organisation").objects.filter(name="迁移测试单位").exists()


def populate_indicator_values(apps) -> dict:
    Indicator = apps.get_model("indicators", "Indicator")
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    indicator = Indicator.objects.create(
        code="migration-test", name="迁移测试指标", unit="项", plan_code="migration", plan_name="迁移测试",
        comparator="gte", target_value=Decimal("10"), target_year=2027, aggregation="sum")
    now = timezone.now()

    def value(amount, status, minutes_ago, source="manual", period="2026Q1"):
        return IndicatorValue.objects.create(
            indicator=indicator, granularity="quarter", period_key=period, period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 3, 31), value=Decimal(amount), source=source, status=status,
            entered_at=now - datetime.timedelta(minutes=minutes_ago)).pk

    return {
        "older": value("3", "submitted", 30),
        "newer": value("4", "submitted", 10),
        "approved": value("2", "approved", 60),
        "other_period": value("5", "submitted", 20, period="2026Q2"),
        "snapshot_old": value("7", "snapshot", 50, source="computed"),
        "snapshot_new": value("8", "snapshot", 5, source="computed"),
    }


def check_indicator_values(apps, ids: dict) -> None:
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    rows = {key: IndicatorValue.objects.get(pk=pk) for key, pk in ids.items()}
    assert (rows["older"].status, rows["older"].superseded_by_id) == ("superseded", ids["newer"])
    assert (rows["snapshot_old"].status, rows["snapshot_old"].superseded_by_id) == ("superseded",
                                                                                    ids["snapshot_new"])
    for key in ("newer", "approved", "other_period", "snapshot_new"):
        assert rows[key].superseded_by_id is None, key
    assert [rows[k].status for k in ("newer", "approved", "other_period", "snapshot_new")] == [
        "submitted", "approved", "submitted", "snapshot"]
    assert {key: rows[key].value for key in rows} == {
        "older": 3, "newer": 4, "approved": 2, "other_period": 5, "snapshot_old": 7, "snapshot_new": 8}
