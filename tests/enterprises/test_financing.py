"""Financing needs (issue 19's acceptance, service level): a financial institution records a product, sees the
need an enterprise shared with it matched to the product with the enterprise's innovation points, responds and
records a loan; the loan turns bad and the 青信融 risk compensation is computed by the policy engine's rule from
the recorded loan, with its derivation. Institutions not chosen see aggregates only; bounds and double requests."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from techmarket.common.audit import history_for
from techmarket.common.errors import Conflict, InvalidInput, NotFound, Refused
from techmarket.common.models import Notification
from techmarket.directory.models import Organisation, Region
from techmarket.enterprises.models import BadLoan, FinancingNeed, FinancingResponse
from techmarket.enterprises.services import checkups, financing
from techmarket.enterprises.services.financing import NeedInput, OutcomeInput, ProductInput
from tests.enterprises.conftest import BOTTLENECKS, answers

LOSS_DAY = datetime.date(2026, 6, 30)


@pytest.fixture
def bank(db):
    return Organisation.objects.create(name="青海银行股份有限公司", region=Region.objects.get(code="xining"),
                                       kind=Organisation.Kind.FINANCIAL_INSTITUTION)


@pytest.fixture
def other_bank(db):
    return Organisation.objects.create(name="西宁农村商业银行", region=Region.objects.get(code="xining"),
                                       kind=Organisation.Kind.FINANCIAL_INSTITUTION)


@pytest.fixture
def banker(make_user, bank):
    return make_user("banker", organisation=bank)


@pytest.fixture
def other_banker(make_user, other_bank):
    return make_user("other-banker", organisation=other_bank)


def need_input(**changes) -> NeedInput:
    data = {"kind": "loan", "amount": Decimal("5000000"), "use": "购置提锂吸附剂生产线设备", "term_months": 36,
            "security": "ip-pledge", "security_note": "发明专利 3 件质押", "field": "salt-lake", "size": "small"}
    data.update(changes)
    return NeedInput(**data)


def product(banker, **changes):
    data = {"name": "科创知识产权质押贷", "kind": "loan", "min_amount": Decimal("1000000"),
            "max_amount": Decimal("10000000"), "max_term_months": 60, "fields": ["salt-lake"],
            "securities": ["ip-pledge", "credit"]}
    data.update(changes)
    return financing.add_product(banker, ProductInput(**data))


def test_bank_sees_matched_need_responds_records_loan_and_claims_compensation(
        enterprise_member, enterprise, banker, bank, other_banker):
    checkups.complete(enterprise_member, answers(), BOTTLENECKS)  # facts of the innovation points
    loan_product = product(banker)
    need = financing.post_need(enterprise_member, need_input(share_with=[bank.pk]))
    assert Notification.objects.filter(recipient=banker, topic="enterprises.need-shared").count() == 1

    desk = financing.desk(banker)
    assert [(n.pk, [p.pk for p in products]) for n, products in desk.matched] == [(need.pk, [loan_product.pk])]
    figures = financing.figures(need)
    assert figures.score > 0 and figures.revenue_wan == "50000 万元"

    financing.respond(banker, need, "interested", loan_product.pk, "可提供知识产权质押贷款，请准备材料。")
    response = financing.record_outcome(banker, need, OutcomeInput(
        Decimal("4000000"), Decimal("3.85"), 36, datetime.date(2026, 1, 15)))
    need.refresh_from_db()
    assert need.status == FinancingNeed.Status.GRANTED
    assert response.status == FinancingResponse.Status.GRANTED and response.rate == Decimal("3.85")
    topics = list(Notification.objects.filter(recipient=enterprise_member).values_list("topic", flat=True))
    assert topics.count("enterprises.need-progress") == 2

    bad = financing.record_bad_loan(banker, response, Decimal("1000000"), LOSS_DAY)
    assert financing.record_bad_loan(banker, response, Decimal("1000000"), LOSS_DAY) == bad  # once
    result = financing.compensation(banker, bad)
    [award] = result.awards
    assert award.rule_id == "oc2025-14-loan-risk-compensation"
    assert award.amount == Decimal("300000.00")  # 30 %, the documented default of 30 %–40 %
    derivation = "\n".join(award.steps)
    assert "1,000,000.00" in derivation and "30%" in derivation and "默认取下限30%" in derivation
    assert "二、(五)14" in award.source.article
    assert ("借款人为科技型中小微企业" in dict(result.facts).get("成立的条件事实", ""))

    actions = [e.action for e in history_for(need)]
    assert actions == ["post", "share", "respond", "grant", "bad-loan"]
    with pytest.raises(NotFound):
        financing.bad_loan_for(other_banker, bad.pk)


def test_large_borrower_gets_no_compensation(enterprise_member, banker, bank):
    product(banker)
    need = financing.post_need(enterprise_member, need_input(size="large", share_with=[bank.pk]))
    financing.respond(banker, need, "interested")
    response = financing.record_outcome(banker, need, OutcomeInput(
        Decimal("2000000"), Decimal("4.2"), 24, datetime.date(2026, 2, 1)))
    bad = financing.record_bad_loan(banker, response, Decimal("500000"), LOSS_DAY)
    result = financing.compensation(banker, bad)
    assert result.awards == []
    assert [n.code for n in result.not_applied] == ["condition"]


def test_unchosen_institution_sees_aggregates_only(enterprise_member, make_user, banker, bank, other_banker):
    product(banker)
    product(other_banker)
    need = financing.post_need(enterprise_member, need_input(share_with=[bank.pk]))
    desk = financing.desk(other_banker)
    assert desk.matched == [] and desk.others_count == 1 and desk.others_total is None  # fewer than five
    for user in (other_banker, make_user("anyone", organisation=None)):
        with pytest.raises(NotFound):
            financing.need_for(user, need.pk)
        with pytest.raises(NotFound):
            financing.respond(user, need, "interested")
    for i in range(4):
        org = Organisation.objects.create(name=f"海东科技企业{i}", kind=Organisation.Kind.ENTERPRISE)
        financing.post_need(make_user(f"ent-{i}", organisation=org), need_input())
    desk = financing.desk(other_banker)
    assert desk.others_count == 5 and desk.others_total == Decimal("25000000")
    # The enterprise takes the figures back from the first bank: it no longer sees the need.
    financing.share(enterprise_member, need, [])
    with pytest.raises(NotFound):
        financing.need_for(banker, need.pk)


def test_one_open_need_per_kind_and_bounds(enterprise_member, banker, enterprise):
    first = financing.post_need(enterprise_member, need_input())
    assert financing.post_need(enterprise_member, need_input()) == first  # a double submission
    with pytest.raises(Conflict):
        financing.post_need(enterprise_member, need_input(amount=Decimal("6000000")))
    with pytest.raises(IntegrityError), transaction.atomic():
        FinancingNeed.objects.create(organisation=enterprise, kind="loan", amount=1, use="x", term_months=1,
                                     security="credit", field="salt-lake", size="small")
    financing.close(enterprise_member, first)
    for bad in (dict(amount=Decimal("0")), dict(amount=Decimal("100000000001")), dict(term_months=0),
                dict(term_months=361), dict(use=""), dict(field="nowhere"), dict(security="none")):
        with pytest.raises(InvalidInput):
            financing.post_need(enterprise_member, need_input(**bad))
    with pytest.raises(InvalidInput):
        product(banker, min_amount=Decimal("5"), max_amount=Decimal("1"))
    with pytest.raises(Exception):  # noqa: B017  (the institution is no enterprise)
        financing.post_need(banker, need_input())


def test_outcome_and_bad_loan_refusals(enterprise_member, banker, bank):
    product(banker)
    need = financing.post_need(enterprise_member, need_input(share_with=[bank.pk]))
    with pytest.raises(Refused):
        financing.record_outcome(banker, need, OutcomeInput(Decimal("1"), Decimal("4"), 12, datetime.date(2026, 1, 1)))
    financing.respond(banker, need, "interested")
    with pytest.raises(InvalidInput):
        financing.record_outcome(banker, need, OutcomeInput(Decimal("1"), Decimal("40"), 12, datetime.date(2026, 1, 1)))
    outcome = OutcomeInput(Decimal("3000000"), Decimal("4"), 12, datetime.date(2026, 1, 1))
    response = financing.record_outcome(banker, need, outcome)
    assert financing.record_outcome(banker, need, outcome) == response  # repeated
    with pytest.raises(InvalidInput):
        financing.record_bad_loan(banker, response, Decimal("3000001"), LOSS_DAY)  # above the loan
    with pytest.raises(InvalidInput):
        financing.record_bad_loan(banker, response, Decimal("1000"), datetime.date(2025, 12, 31))  # before it
    assert BadLoan.objects.count() == 0
