"""Statistics agree with the contracts in the database, the Excel export agrees with the statistics, and the
absorbed-into-Qinghai figures count what they say."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.utils import timezone
from openpyxl import load_workbook

from techmarket.market.models import Contract, Location, Registration
from techmarket.market.services import registration as reg
from techmarket.market.services.exports import statistics_workbook
from techmarket.market.services.statistics import (
    Filters,
    absorbed_transactions,
    statistics,
    technologies_introduced,
)

S = Registration.Status


@pytest.fixture
def deals(make_contract, make_user, org, seller, seller_org, buyer, buyer_org, qinghai_university, registry,
          xining_registrar, provincial_registrar):
    """Seven contracts: five in force (one changed), one cancelled, one still pending."""
    beijing = org("北京先进储能技术有限公司", "beijing")
    jiangsu = org("江苏工业设计咨询有限公司", "jiangsu")
    beijing_user = make_user("beijing-user", organisation=beijing)
    jiangsu_user = make_user("jiangsu-user", organisation=jiangsu)
    university_user = make_user("university-user", organisation=qinghai_university)

    def registered(user, contract, registry_code, registrar, external=False):
        extra = ("北京技术市场管理办公室", f"EXT{contract.pk}") if external else ()
        registration = reg.submit(user, contract, registry(registry_code), *extra)
        return reg.register(registrar, reg.accept(registrar, registration))

    made = {}
    made["transfer"] = registered(seller, make_contract(seller, seller_org, buyer_org, total="1000000",
                                                        technology="800000"), "xining", xining_registrar)
    made["licence-in"] = registered(beijing_user, make_contract(
        beijing_user, beijing, buyer_org, contract_type="licensing", total="300000", technology="300000"),
        "qinghai", provincial_registrar, external=True)
    made["consulting-in"] = registered(jiangsu_user, make_contract(
        jiangsu_user, jiangsu, qinghai_university, contract_type="consulting", total="60000", technology="50000"),
        "qinghai", provincial_registrar, external=True)
    made["development-out"] = registered(seller, make_contract(
        seller, seller_org, beijing, contract_type="development-commissioned", total="2500000",
        technology="2000000"), "xining", xining_registrar)
    changed = registered(university_user, make_contract(
        university_user, qinghai_university, buyer_org, contract_type="service", total="100000",
        technology="90000"), "qinghai", provincial_registrar)
    made["changed"] = reg.register_change(provincial_registrar, changed, "补充协议。",
                                          technology_amount=Decimal("70000"))
    cancelled = registered(seller, make_contract(seller, seller_org, buyer_org, total="5000",
                                                 technology="5000"), "xining", xining_registrar)
    made["cancelled"] = reg.cancel(xining_registrar, cancelled, "terminated", "解除。")
    made["pending"] = reg.submit(seller, make_contract(seller, seller_org, buyer_org, total="7000",
                                                       technology="7000"), registry("xining"))
    Contract.objects.filter(pk=made["transfer"].contract_id).update(made_on_platform=True)
    return made


def in_force():
    return Registration.objects.filter(status__in=[S.REGISTERED, S.CHANGED])


def test_totals_agree_with_the_database(deals):
    result = statistics()
    db = in_force().aggregate(count=Count("id"), amount=Sum("technology_amount"), total=Sum("contract__total_amount"))
    assert result.count == db["count"] == 5
    assert result.amount == db["amount"] == Decimal("3220000")
    assert result.total_amount == db["total"]
    assert result.on_platform.count == 1 and result.on_platform.amount == Decimal("800000")


def test_by_type_agrees_with_the_database(deals):
    by_type = {b.key: (b.count, b.amount) for b in statistics().tables["type"][1] if b.count}
    db = {row["contract__contract_type"]: (row["n"], row["amount"]) for row in in_force().values(
        "contract__contract_type").annotate(n=Count("id"), amount=Sum("technology_amount"))}
    assert by_type == db


def test_every_table_adds_up(deals):
    result = statistics()
    for key, (_, buckets) in result.tables.items():
        assert sum(b.count for b in buckets) == result.count, key
        assert sum(b.amount for b in buckets) == result.amount, key


def test_locations(deals):
    result = statistics()
    sellers = {b.key: b.count for b in result.tables["seller_location"][1]}
    buyers = {b.key: b.count for b in result.tables["buyer_location"][1]}
    assert sellers == {Location.QINGHAI: 3, Location.OTHER_PROVINCE: 2, Location.ABROAD: 0}
    assert buyers == {Location.QINGHAI: 4, Location.OTHER_PROVINCE: 1, Location.ABROAD: 0}
    prefectures = {b.label: b.count for b in result.tables["prefecture"][1]}
    assert prefectures == {"西宁市": 2, "青海省（省本级）": 3}
    month = timezone.localdate().strftime("%Y-%m")
    assert [(b.key, b.count) for b in result.tables["month"][1]] == [(month, 5)]


def test_absorbed_into_qinghai(deals):
    today = timezone.localdate()
    absorbed = absorbed_transactions(today, today)
    assert absorbed.count == 2
    assert absorbed.amount == Decimal("350000")
    assert set(absorbed.contract_ids) == {deals["licence-in"].contract_id, deals["consulting-in"].contract_id}
    introduced = technologies_introduced(today, today)
    assert introduced.contract_ids == [deals["licence-in"].contract_id] and introduced.amount == Decimal("300000")
    tomorrow = today + datetime.timedelta(days=1)
    assert absorbed_transactions(tomorrow, None).count == 0
    assert absorbed_transactions(None, today - datetime.timedelta(days=1)).count == 0


def test_filters(deals):
    assert statistics(Filters(contract_type="transfer")).count == 1
    assert statistics(Filters(registry="qinghai")).count == 3
    assert statistics(Filters(on_platform=True)).amount == Decimal("800000")
    assert statistics(Filters(on_platform=False)).count == 4
    assert statistics(Filters(start=timezone.localdate() + datetime.timedelta(days=1))).count == 0


def test_excel_export_agrees(deals):
    result = statistics()
    workbook = load_workbook(io.BytesIO(statistics_workbook(result)))
    summary = {row[0]: row[1] for row in workbook["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["合同数"] == result.count == 5
    assert Decimal(str(summary["技术交易额（元）"])) == result.amount
    assert Decimal(str(summary["吸纳省外技术交易额（元）"])) == Decimal("350000")
    assert summary["引进技术成果合同数（吸纳中的技术转让、技术许可）"] == 1
    for key, (title, buckets) in result.tables.items():
        rows = list(workbook[title].iter_rows(min_row=2, values_only=True))
        assert [(r[0], r[1], Decimal(str(r[2]))) for r in rows] == [(b.label, b.count, b.amount) for b in buckets], key
    by_type = {r[0]: (r[1], Decimal(str(r[2]))) for r in workbook["按合同类型"].iter_rows(min_row=2, values_only=True)}
    assert by_type["技术转让合同"] == (1, Decimal("800000"))
    assert by_type["技术许可合同"] == (1, Decimal("300000"))
    assert by_type["技术服务合同"] == (1, Decimal("70000"))  # the changed amount
    assert by_type["技术开发合同（合作开发）"] == (0, Decimal("0"))
