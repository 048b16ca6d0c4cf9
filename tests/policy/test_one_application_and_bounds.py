"""One application per organisation and event, whatever the clicks or the load, and a reviewer's adjustment
within what the rule allows (issue 9), through the pages and the API."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from techmarket.common.audit import history_for
from techmarket.common.models import AuditEntry
from techmarket.directory.models import Organisation
from techmarket.policy.models import Application, LedgerEntry
from techmarket.policy.services import applications
from techmarket.policy.services.applications import ApplicationError
from tests.market.concurrency import at_once, committed_db, postgres_only  # noqa: F401 (fixture)
from tests.policy.evidence import decide_checked, submit_with_evidence, with_evidence

APPLY = reverse("policy:apply")
TOO_MUCH = "99999999999999.99"


def deal(organisation, **changes) -> dict:
    return {
        "type": "technology-contract", "kind": "transfer", "date": "2019-06-01", "amount": "5000000",
        "project": "HT-2019-001",
        "parties": [{"role": "buyer", "name": organisation.name},
                  {"role": "broker", "name": "经纪人张三", "qualifications": ["broker"]}],
        "flags": {"online": True, "registered": True, "delivered": True}, **changes,
    }


def loan_loss(organisation) -> dict:
    return {"type": "loan-loss", "date": "2026-03-31", "amount": "1000000",
            "parties": [{"role": "bank", "name": organisation.name}], "flags": {"sme_borrower": True}}


@pytest.mark.django_db
def test_a_double_submitted_application_is_made_once(login, member, qinghai_university):
    client = login(member)
    event = json.dumps(deal(qinghai_university), ensure_ascii=False)
    first = client.post(APPLY, with_evidence({"event": event}))
    second = client.post(APPLY, with_evidence({"event": event}), follow=True)
    application = Application.objects.get()
    detail = reverse("policy:application", args=[application.pk])
    assert first.status_code == 302 and first.url == detail
    assert second.redirect_chain == [(detail, 302)] and second.status_code == 200
    assert f"本单位已就同一事件提交过申请（编号 {application.pk}），未重复提交。" in second.content.decode()
    assert AuditEntry.objects.filter(action="submitted").count() == 1


@pytest.mark.django_db
def test_the_same_event_with_keys_in_another_order_is_the_same_application(member, qinghai_university):
    data = deal(qinghai_university)
    submit_with_evidence(member, data)
    reordered = dict(reversed(list(data.items())))
    with pytest.raises(applications.DuplicateApplication):
        submit_with_evidence(member, reordered)
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_after_a_rejection_the_event_may_be_applied_for_again(member, reviewer, qinghai_university):
    first = submit_with_evidence(member, deal(qinghai_university))
    decide_checked(first, reviewer, "reject", "材料不全")
    second = submit_with_evidence(member, deal(qinghai_university))
    assert second.pk != first.pk and Application.objects.count() == 2


@postgres_only()
def test_eight_concurrent_applications_for_one_event_make_one(committed_db):  # noqa: F811 (the fixture)
    User = get_user_model()
    organisation = Organisation.objects.create(name="并发测试技术转移有限公司", kind=Organisation.Kind.ENTERPRISE)
    user = User.objects.create_user(username="concurrent-applicant", password="Qinghai-2026-test",
                                    is_verified=True, organisation=organisation)
    event = json.dumps(deal(organisation, project="CONCURRENT-1"), ensure_ascii=False)
    try:
        def apply(_):
            client = Client()
            client.force_login(user)
            response = client.post(APPLY, with_evidence({"event": event}))
            return response.status_code, response.get("Location")

        results = at_once(8, apply)
        application = Application.objects.get(organisation=organisation)
        detail = reverse("policy:application", args=[application.pk])
        assert results == [(302, detail)] * 8
        assert history_for(application).count() == 1
    finally:
        history_for(Application.objects.filter(organisation=organisation)).delete()
        Application.objects.filter(organisation=organisation).delete()
        user.delete()
        organisation.delete()


@pytest.mark.django_db
@pytest.mark.parametrize("amount, message", [
    (TOO_MUCH, "金额须在 0 到 1000 亿元（100,000,000,000.00 元）之间"),
    ("100000.01", "不能超过条款允许的最高额 ¥100,000.00"),
])
def test_an_adjustment_beyond_what_the_rule_allows_is_refused(client, login, member, reviewer, qinghai_university,
                                                              amount, message):
    application = submit_with_evidence(member, deal(qinghai_university))
    assert application.computed_total == Decimal("100000.00")
    detail = reverse("policy:application", args=[application.pk])
    login(reviewer)
    page = client.get(detail).content.decode()
    assert "条款允许的最高额 ¥100,000.00" in page
    response = client.post(detail, {"action": "adjust", "adjust-amount_0": amount, "adjust-reason": "按合同核增"})
    assert response.status_code == 200 and message in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and application.decided_total is None
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_an_adjustment_beyond_the_rule_too(member, reviewer, qinghai_university):
    application = submit_with_evidence(member, deal(qinghai_university))
    key = "tm2016-art33-buyer|buyer"
    with pytest.raises(ApplicationError, match="不能超过条款允许的最高额 ¥100,000.00"):
        decide_checked(application, reviewer, "adjust", "核增", {key: Decimal(TOO_MUCH)})
    application.refresh_from_db()
    assert application.is_open and not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_a_ranged_rule_may_be_adjusted_up_to_the_top_of_its_range(member, reviewer, qinghai_university):
    """30%—40% of a ¥1,000,000 loan loss: ¥300,000 at the default, at most ¥400,000."""
    application = submit_with_evidence(member, loan_loss(qinghai_university))
    assert application.computed_total == Decimal("300000.00")
    key = "oc2025-14-loan-risk-compensation|bank"
    assert applications.maximum_awards(application)[key] == Decimal("400000.00")
    with pytest.raises(ApplicationError, match="¥400,000.00"):
        decide_checked(application, reviewer, "adjust", "按40%", {key: Decimal("400000.01")})
    decided = decide_checked(application, reviewer, "adjust", "按40%", {key: Decimal("400000")})
    assert decided.decided_total == Decimal("400000.00") and decided.status == Application.Status.ADJUSTED


@pytest.mark.django_db
def test_the_calculator_refuses_amounts_and_dates_beyond_the_bounds(login, member):
    client = login(member)
    form = {"type": "technology-contract", "kind": "transfer", "date": "2019-06-01", "role": "buyer",
            "amount": TOO_MUCH, "others": "", "project": ""}
    text = client.post(reverse("policy:calculator"), form).content.decode()
    assert "金额须在 0 到 1000 亿元（100,000,000,000.00 元）之间" in text
    text = client.post(reverse("policy:calculator"), {**form, "amount": "1000", "date": "0001-01-01"}).content.decode()
    assert "日期须在 1985 年 1 月 1 日之后" in text
    event = deal(member.organisation, amount=TOO_MUCH)
    response = client.post(APPLY, with_evidence({"event": json.dumps(event, ensure_ascii=False)}), follow=True)
    assert "金额不能超过 1000 亿元" in response.content.decode() and not Application.objects.exists()


@pytest.mark.django_db
def test_the_rewards_api_answers_400_for_an_amount_beyond_the_limit(client):
    response = client.post("/api/policy/rewards", {"type": "technology-contract", "date": "2019-06-01",
                                                   "amount": "1e20"}, content_type="application/json")
    assert response.status_code == 400
    assert "金额不能超过 1000 亿元" in response.json()["detail"]
    response = client.post("/api/policy/rewards", {"type": "technology-contract", "date": "0001-01-01"},
                           content_type="application/json")
    assert response.status_code == 400 and "1985" in response.json()["detail"]
