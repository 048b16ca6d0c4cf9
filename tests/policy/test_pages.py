"""The policy pages: rules, the calculator, applying, reviewing and the ledger, and who may see what."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from techmarket.common.models import AuditEntry
from techmarket.policy.models import Application, LedgerEntry
from tests.policy.evidence import submit_with_evidence, with_evidence

pytestmark = pytest.mark.django_db

CALCULATOR = reverse("policy:calculator")


def page(response) -> str:
    return response.content.decode()


def deal_form(**changes) -> dict:
    return {"type": "technology-contract", "kind": "transfer", "date": "2019-06-01", "role": "buyer",
            "amount": "5000000", "others": "技术经纪人：经纪人张三\n卖方：中国科学院青海盐湖研究所",
            "flags": ["online", "registered", "delivered"], "project": "HT-1", **changes}


def test_the_rules_page_lists_every_rule_with_its_article(client):
    response = client.get(reverse("policy:index"))
    assert response.status_code == 200
    text = page(response)
    for snippet in ("青政办〔2016〕226号", "第三十三条", "第三十四条", "青政〔2025〕13号", "不良贷款本金余额的30%—40%",
                    "网上技术交易买方补助", "科技型中小微企业不良贷款风险补偿", "有效期至２０２１年１２月３１日"):
        assert snippet in text


def test_the_calculator_needs_a_login(client):
    response = client.get(CALCULATOR)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_what_could_i_get_for_a_2019_deal(login, member):
    response = login(member).post(CALCULATOR, deal_form())
    text = page(response)
    assert response.status_code == 200
    assert "¥100,000.00" in text and "第三十三条" in text and "第三十四条" in text
    # The broker typed into the form is in no register: article 34 does not pay an unqualified broker.
    assert "经纪人张三在事件日期不具备技术经纪人资格" in text and "¥50,000.00" not in text
    assert "每个项目上限 ¥100,000.00" in text
    assert "以本单位名义提交申请" in text
    event = json.loads(response.context["event_json"])
    assert event["parties"][0] == {"role": "buyer", "name": "青海大学", "organisation_id": member.organisation_id}
    assert event["parties"][1] == {"role": "broker", "name": "经纪人张三"}


def test_the_same_deal_in_2022_says_why_nothing_applies(login, member):
    text = page(login(member).post(CALCULATOR, deal_form(date="2022-03-01")))
    assert "按现行条款，此事件没有可获得的奖补" in text
    assert "该条款有效期至2021-12-31，事件日期2022-03-01不在有效期内；目前没有接续的现行条款" in text
    assert "以本单位名义提交申请" not in text


def test_calculator_input_errors_are_shown(login, member, reviewer):
    response = login(member).post(CALCULATOR, deal_form(others="顾客：某人"))
    assert "第1行应为“角色：名称”" in page(response)
    response = login(reviewer).post(CALCULATOR, deal_form(advanced='{"type": "technology-contract"}'))
    assert "事件数据有误：事件须有日期 date。" in page(response)
    response = login(reviewer).post(CALCULATOR, deal_form(advanced="{oops"))
    assert "不是有效的事件数据：第1行第2列格式有误。" in page(response)


def test_the_advanced_event_data_is_used_as_is(login, reviewer):
    event = {"type": "recognition", "kind": "high-tech-enterprise", "date": "2025-10-01",
             "parties": [{"role": "recipient", "name": "青海大学"}]}
    response = login(reviewer).post(CALCULATOR, deal_form(advanced=json.dumps(event, ensure_ascii=False)))
    assert "新认定高新技术企业奖励" in page(response) and "¥100,000.00" in page(response)


def test_unverified_users_calculate_but_may_not_apply(login, unverified):
    client = login(unverified)
    response = client.post(CALCULATOR, deal_form())
    assert "¥100,000.00" in page(response) and "以本单位名义提交申请" not in page(response)
    event = {"type": "technology-contract", "date": "2019-06-01"}
    assert client.post(reverse("policy:apply"), {"event": json.dumps(event)}).status_code == 403
    assert not Application.objects.exists()


def test_apply_review_adjust_and_ledger_through_the_pages(client, login, member, reviewer):
    response = login(member).post(CALCULATOR, deal_form())
    response = client.post(reverse("policy:apply"), with_evidence({"event": response.context["event_json"]}))
    application = Application.objects.get()
    detail = reverse("policy:application", args=[application.pk])
    assert response.status_code == 302 and response.url == detail
    text = page(client.get(detail))
    assert "待审核" in text and "¥100,000.00" in text and "第三十三条" in text
    assert page(client.get(reverse("policy:my-applications"))).count(detail) == 1

    login(reviewer)
    assert str(application.pk) in page(client.get(reverse("policy:review")))
    response = client.post(detail, {"action": "adjust", "adjust-amount_0": "80000", "adjust-reason": ""})
    assert response.status_code == 200 and "这个字段是必填项" in page(response)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    response = client.post(detail, {"action": "adjust", "adjust-amount_0": "80000", "adjust-reason": "核减交割金额",
                                     "adjust-evidence_checked": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decided_total, application.reason) == (
        Application.Status.ADJUSTED, Decimal("80000.00"), "核减交割金额")
    text = page(client.get(detail))
    assert "调整后核准" in text and "核减交割金额" in text and "¥80,000.00" in text

    response = client.get(reverse("policy:ledger"))
    assert "省级财政科技专项资金" in page(response) and "¥80,000.00" in page(response)
    assert "¥625,000,000.00" in page(response) and "未设定" in page(response)
    assert response.context["totals"]["committed"] == sum(e.amount for e in LedgerEntry.objects.all())
    detail_rows = client.get(reverse("policy:ledger"), {"programme": "provincial-st-fund", "year": 2019})
    assert list(detail_rows.context["entries"]) == list(LedgerEntry.objects.all())

    response = client.post(detail, {"action": "pay", "pay-year": "2019"})
    assert response.status_code == 302
    assert LedgerEntry.objects.filter(kind="paid").get().amount == Decimal("80000.00")

    login(member)
    assert "核减交割金额" in page(client.get(detail))


def test_reviewers_approve_and_reject_through_the_pages(client, login, member, reviewer, qinghai_university):
    event = {"type": "recognition", "kind": "high-tech-enterprise", "date": "2025-10-01",
             "parties": [{"role": "recipient", "name": qinghai_university.name}]}
    first = submit_with_evidence(member, event)
    second = submit_with_evidence(member, {**event, "kind": "sci-tech-little-giant"})
    login(reviewer)
    assert client.post(reverse("policy:application", args=[first.pk]),
                       {"action": "approve", "approve-reason": "", "approve-evidence_checked": "on"}).status_code == 302
    response = client.post(reverse("policy:application", args=[second.pk]),
                           {"action": "reject", "reject-reason": ""})
    assert response.status_code == 200
    client.post(reverse("policy:application", args=[second.pk]),
                {"action": "reject", "reject-reason": "尚未完成省级认定公示"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.reason) == ("approved", "rejected", "尚未完成省级认定公示")
    assert AuditEntry.objects.filter(action="rejected", reason="尚未完成省级认定公示").exists()
    assert str(first.pk) in page(client.get(reverse("policy:review"), {"tab": "decided"}))


@pytest.mark.parametrize("who", ["member", "outsider", "unverified"])
def test_non_reviewers_may_not_review_or_see_the_ledger(request, login, who, member, qinghai_university):
    application = submit_with_evidence(member, {
        "type": "recognition", "kind": "high-tech-enterprise", "date": "2025-10-01",
        "parties": [{"role": "recipient", "name": qinghai_university.name}]})
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("policy:review")).status_code == 403
    assert client.get(reverse("policy:ledger")).status_code == 403
    response = client.post(reverse("policy:application", args=[application.pk]), {"action": "approve"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    visible = client.get(reverse("policy:application", args=[application.pk])).status_code
    assert visible == (200 if who == "member" else 403)


def test_anonymous_users_are_sent_to_log_in(client):
    for url in (reverse("policy:review"), reverse("policy:ledger"), reverse("policy:my-applications"),
                reverse("policy:application", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
