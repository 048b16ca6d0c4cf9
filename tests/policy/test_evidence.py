"""Evidence and budgets (issue 14): each rule names the evidence it needs; an application carries it (uploaded, or
vouched for by a platform record) before it is submitted; the reviewer confirms the checklist before committing
money; commitments past a year's budget need an explicit override with its reason."""

from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from techmarket.common.audit import history_for
from techmarket.policy.models import Application, ApplicationEvidence, Budget, LedgerEntry
from techmarket.policy.services import applications
from techmarket.policy.services.applications import ApplicationError
from techmarket.policy.services.data import rulebook, sync_policy_data
from techmarket.policy.services.ledger import ledger_rows, set_budget
from tests.market.conftest import pdf_upload
from tests.policy.evidence import decide_checked, evidence_files, submit_with_evidence

pytestmark = pytest.mark.django_db

RD = "oc2025-3-self-funded-rd"  # needs 研发项目立项文件 and 研发投入专项审计报告


def rd_event(organisation, amount="5000000", date="2025-06-01") -> dict:
    return {"type": "rd-spending", "date": date, "amounts": {"amount": amount},
            "flags": {"self_funded": True, "listed_in_provincial_plan": True},
            "parties": [{"role": "recipient", "name": organisation.name}]}


def test_every_rule_names_evidence_from_the_vocabulary():
    book = rulebook()
    assert all(rule.evidence for rule in book.rules)
    assert {code for rule in book.rules for code in rule.evidence} <= set(book.vocabulary.evidence)
    assert book.rule(RD).evidence == ("rd-project-approval", "rd-audit")


def test_an_application_without_its_evidence_is_refused_and_leaves_nothing(member, qinghai_university):
    with pytest.raises(ApplicationError, match="请上传以下证明材料：研发项目立项文件、研发投入专项审计报告"):
        applications.submit(member, rd_event(qinghai_university))
    with pytest.raises(ApplicationError, match="研发投入专项审计报告"):
        applications.submit(member, rd_event(qinghai_university), {"rd-project-approval": pdf_upload("立项")})
    assert not Application.objects.exists() and not ApplicationEvidence.objects.exists()


def test_an_unacceptable_file_is_refused_naming_the_item(member, qinghai_university):
    files = {"rd-project-approval": pdf_upload("立项"),
             "rd-audit": SimpleUploadedFile("audit.pdf", b"just text, not a PDF", content_type="application/pdf")}
    with pytest.raises(ApplicationError, match="研发投入专项审计报告：不支持的文件类型"):
        applications.submit(member, rd_event(qinghai_university), files)
    assert not Application.objects.exists() and not ApplicationEvidence.objects.exists()


def test_the_needed_uploads_are_kept_and_make_the_checklist(member, qinghai_university):
    application = applications.submit(member, rd_event(qinghai_university), evidence_files())
    assert application.evidence_required == ["rd-project-approval", "rd-audit"]
    assert sorted(application.evidence.values_list("code", flat=True)) == ["rd-audit", "rd-project-approval"]
    items = applications.checklist(application)
    assert [(i.label, i.present, bool(i.upload), i.vouched) for i in items] == [
        ("研发项目立项文件", True, True, ""), ("研发投入专项审计报告", True, True, "")]
    assert application.facts["declared"] and not application.facts["source"]  # every fact typed: declared


def test_approval_needs_the_checklist_confirmed(member, reviewer, qinghai_university):
    application = submit_with_evidence(member, rd_event(qinghai_university))
    with pytest.raises(ApplicationError, match="逐项核对"):
        applications.decide(application, reviewer, "approve")
    with pytest.raises(ApplicationError, match="逐项核对"):
        applications.decide(application, reviewer, "adjust", "核减", {f"{RD}|recipient": Decimal("1")})
    assert not LedgerEntry.objects.exists()
    applications.decide(application, reviewer, "reject", "材料与立项不符")  # rejecting needs no confirmation
    again = submit_with_evidence(member, rd_event(qinghai_university))
    decided = applications.decide(again, reviewer, "approve", evidence_checked=True)
    assert decided.status == Application.Status.APPROVED
    assert history_for(decided).last().data["evidence_checked"] is True


def test_evidence_downloads_to_the_organisation_and_reviewers_only(client, login, member, reviewer, outsider,
                                                                  make_user, qinghai_university):
    application = submit_with_evidence(member, rd_event(qinghai_university))
    evidence = application.evidence.get(code="rd-audit")
    url = reverse("policy:evidence", args=[application.pk, evidence.pk])
    for user in (member, reviewer):
        response = login(user).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
        assert quote("研发投入专项审计报告.pdf") in response["Content-Disposition"]
    for user in (outsider, make_user("other-unit-member", organisation=None)):
        assert login(user).get(url).status_code == 403
    assert login(member).get(reverse("policy:evidence", args=[application.pk + 1, evidence.pk])).status_code == 404


def test_the_reviewer_sees_the_checklist_and_must_tick_it_on_the_page(client, login, member, reviewer,
                                                                      qinghai_university):
    application = submit_with_evidence(member, rd_event(qinghai_university))
    detail = reverse("policy:application", args=[application.pk])
    html = login(reviewer).get(detail).content.decode()
    assert 'id="evidence-checklist"' in html and "研发投入专项审计报告" in html and "申请人上传" in html
    assert "已逐项核对上述证明材料" in html
    response = client.post(detail, {"action": "approve", "approve-reason": ""})
    assert response.status_code == 200 and "逐项核对" in response.content.decode()
    assert client.post(detail, {"action": "approve", "approve-reason": "",
                                "approve-evidence_checked": "on"}).status_code == 302


# --- Budgets -----------------------------------------------------------------------------------------------

def test_a_reviewer_records_a_budget_from_a_document(reviewer, member):
    budget = set_budget(reviewer, "open-cooperation-2025", 2025, Decimal("6000000"), "青科发〔2025〕1号 年度预算")
    assert (budget.amount, budget.entered_by) == (Decimal("6000000"), reviewer)
    assert history_for(budget).last().to_value == "6000000.00"
    for args, message in [
        (("open-cooperation-2025", 1999, Decimal(1), "文件"), "年度须在"),
        (("open-cooperation-2025", 2025, Decimal(0), "文件"), "预算金额须大于 0"),
        (("open-cooperation-2025", 2025, Decimal("1.001"), "文件"), "最多两位小数"),
        (("open-cooperation-2025", 2025, Decimal(1), "  "), "请填写预算依据"),
        (("no-such-programme", 2025, Decimal(1), "文件"), "请选择资金项目"),
        (("provincial-st-fund", 2017, Decimal(1), "文件"), "由规则文件给出"),
    ]:
        with pytest.raises(ApplicationError, match=message):
            set_budget(reviewer, *args)
    with pytest.raises(ApplicationError, match="审核人员"):
        set_budget(member, "open-cooperation-2025", 2026, Decimal(1), "文件")
    sync_policy_data()  # the files' sync keeps a budget a reviewer recorded
    assert Budget.objects.get(programme__code="open-cooperation-2025", year=2025).amount == Decimal("6000000")


def test_approval_past_the_budget_needs_an_override_with_its_reason(member, reviewer, qinghai_university):
    set_budget(reviewer, "open-cooperation-2025", 2025, Decimal("600000"), "青科发〔2025〕1号 年度预算")
    first = submit_with_evidence(member, rd_event(qinghai_university, amount="2000000"))
    award = first.awards[0]
    decide_checked(first, reviewer, "approve")
    second = submit_with_evidence(member, rd_event(qinghai_university, amount="3000000", date="2025-07-01"))
    with pytest.raises(ApplicationError, match="核准后将超出预算：科技开放合作三年行动奖补"):
        decide_checked(second, reviewer, "approve")
    with pytest.raises(ApplicationError, match="超出预算核准须填写理由"):
        decide_checked(second, reviewer, "approve", over_budget=True)
    decided = decide_checked(second, reviewer, "approve", "年度预算追加文件待下达，先行承诺", over_budget=True)
    assert decided.status == Application.Status.APPROVED
    [excess] = history_for(decided).last().data["over_budget"]
    assert excess.startswith("科技开放合作三年行动奖补（2025—2027） 2025年度预算 ¥600,000.00")
    [row] = [r for r in ledger_rows("open-cooperation-2025", 2025)]
    assert row.committed == Decimal(award["amount"]) + decided.decided_total and row.over_budget
