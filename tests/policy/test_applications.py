"""Applications: apply, review (approve, adjust with a reason, reject), the ledger and its totals, payments."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from techmarket.common.audit import history_for
from techmarket.policy.models import Application, ApplicationAction, LedgerEntry, Rule
from techmarket.policy.services import applications
from techmarket.policy.services.applications import ApplicationError
from techmarket.policy.services.data import ensure_synced, rulebook
from techmarket.policy.services.events import parse_event
from techmarket.policy.services.ledger import DatabaseLedger, ledger_rows, ledger_totals
from tests.policy.evidence import decide_checked, submit_with_evidence

pytestmark = pytest.mark.django_db

S = Application.Status


def deal(organisation, **changes) -> dict:
    return {
        "type": "technology-contract", "kind": "transfer", "date": "2019-06-01", "amount": "5000000",
        "project": "HT-2019-001",
        "parties": [{"role": "buyer", "name": organisation.name},
                  {"role": "broker", "name": "经纪人张三", "qualifications": ["broker"]}],
        "flags": {"online": True, "registered": True, "delivered": True}, **changes,
    }


def platform(organisation, **changes) -> dict:
    return {"type": "recognition", "kind": "national-innovation-platform", "date": "2025-09-01", "project": "NP-1",
            "parties": [{"role": "recipient", "name": organisation.name}], **changes}


def committed(**filters) -> Decimal:
    return sum((e.amount for e in LedgerEntry.objects.filter(kind="committed", **filters)), Decimal(0))


def test_reviewers_hold_the_review_permission(reviewer, member):
    assert reviewer.has_perm("policy.review_application")
    assert not member.has_perm("policy.review_application")
    assert Permission.objects.get(codename="review_application").group_set.filter(name="省科技厅审核员").exists()


def test_rules_are_in_the_database_with_their_source(db):
    ensure_synced()
    rule = Rule.objects.get(rule_id="tm2016-art33-buyer")
    assert (rule.document_number, rule.article, rule.active) == ("青政办〔2016〕226号", "第三十三条", True)
    assert rule.content_hash == rulebook().rule("tm2016-art33-buyer").hash
    assert Rule.objects.filter(active=True).count() == len(rulebook().rules)


def test_an_application_claims_only_the_applicants_awards(member, qinghai_university):
    application = submit_with_evidence(member, deal(qinghai_university))
    assert application.status == S.SUBMITTED
    assert application.organisation == qinghai_university
    assert [a["rule"] for a in application.awards] == ["tm2016-art33-buyer"]
    assert application.computed_total == Decimal("100000.00")
    assert application.event["parties"][0]["organisation_id"] == qinghai_university.pk
    assert history_for(application).get().action == ApplicationAction.SUBMITTED


def test_an_adjustment_is_recorded_with_its_reason_and_the_ledger_adds_up(member, reviewer, qinghai_university):
    application = submit_with_evidence(member, deal(qinghai_university))
    key = "tm2016-art33-buyer|buyer"
    with pytest.raises(ApplicationError, match="须填写理由"):
        decide_checked(application, reviewer, "adjust", "  ", {key: Decimal("80000")})
    application = decide_checked(application, reviewer, "adjust", "交割金额核减为400万元", {key: Decimal("80000")})

    assert (application.status, application.reason, application.reviewer) == (S.ADJUSTED, "交割金额核减为400万元",
                                                                            reviewer)
    assert application.decided_total == Decimal("80000.00")
    assert application.decided_awards[0]["computed"] == "100000.00"
    event = history_for(application).get(action=ApplicationAction.ADJUSTED)
    assert event.reason == "交割金额核减为400万元" and event.actor == reviewer
    assert event.data["awards"] == [{"rule": "tm2016-art33-buyer", "computed": "100000.00", "amount": "80000.00"}]

    (entry,) = application.ledger_entries.all()
    assert (entry.year, entry.amount, entry.kind, entry.note) == (2019, Decimal("80000.00"), "committed",
                                                                 "交割金额核减为400万元")
    assert entry.programme.code == "provincial-st-fund" and entry.organisation == qinghai_university
    rows = ledger_rows()
    assert [(r.programme.code, r.year, r.committed) for r in rows if r.committed] == [
        ("provincial-st-fund", 2019, Decimal("80000.00"))]
    assert ledger_totals(rows)["committed"] == committed() == application.decided_total


def test_rejection_needs_a_reason_and_commits_nothing(member, reviewer, qinghai_university):
    application = submit_with_evidence(member, deal(qinghai_university))
    with pytest.raises(ApplicationError):
        decide_checked(application, reviewer, "reject", "")
    application = decide_checked(application, reviewer, "reject", "合同未在登记系统登记")
    assert application.status == S.REJECTED and application.reason == "合同未在登记系统登记"
    assert not LedgerEntry.objects.exists()
    assert history_for(application).last().action == ApplicationAction.REJECTED
    with pytest.raises(ApplicationError, match="已处理"):
        decide_checked(application, reviewer, "approve")


def test_only_reviewers_decide(member, qinghai_university):
    application = submit_with_evidence(member, deal(qinghai_university))
    with pytest.raises(ApplicationError, match="审核人员"):
        decide_checked(application, member, "approve")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_who_may_apply(unverified, outsider, member, qinghai_university):
    for user in (unverified, outsider):
        with pytest.raises(ApplicationError, match="已核验并关联单位"):
            submit_with_evidence(user, deal(qinghai_university))
    with pytest.raises(ApplicationError, match="当事方中须有本单位"):
        submit_with_evidence(member, deal(qinghai_university, parties=[{"role": "buyer", "name": "别的企业"}]))
    with pytest.raises(ApplicationError, match="没有可申请的奖补"):
        submit_with_evidence(member, deal(qinghai_university, date="2022-03-01"))
    submit_with_evidence(member, deal(qinghai_university))
    with pytest.raises(ApplicationError, match="已就同一事件提交过申请"):
        submit_with_evidence(member, deal(qinghai_university))


def test_a_cap_holds_across_applications(member, reviewer, qinghai_university):
    first = submit_with_evidence(member, deal(qinghai_university, amount="2000000"))
    second = submit_with_evidence(member, deal(qinghai_university, amount="2500000", date="2019-08-01"))
    assert (first.computed_total, second.computed_total) == (Decimal("60000.00"), Decimal("75000.00"))
    decide_checked(first, reviewer, "approve")
    # The second was computed before the first was committed: approval recomputes against today's ledger.
    second = decide_checked(second, reviewer, "approve")
    assert second.decided_total == Decimal("40000.00")
    assert committed(rule__rule_id="tm2016-art33-buyer", project="HT-2019-001") == Decimal("100000.00")
    with pytest.raises(ApplicationError, match="没有可申请的奖补"):
        submit_with_evidence(member, deal(qinghai_university, amount="1000000", date="2019-10-01"))


def test_a_multi_year_award_is_committed_year_by_year_and_paid(member, reviewer, qinghai_university):
    application = submit_with_evidence(member, platform(qinghai_university))
    assert application.computed_total == Decimal("10000000.00")
    decide_checked(application, reviewer, "approve", "")
    assert [(e.year, e.amount) for e in application.ledger_entries.all()] == [
        (year, Decimal("2000000.00")) for year in range(2025, 2030)]
    assert applications.payable_years(application) == [2025, 2026, 2027, 2028, 2029]

    applications.record_payment(application, reviewer, 2025)
    assert applications.payable_years(application) == [2026, 2027, 2028, 2029]
    with pytest.raises(ApplicationError):
        applications.record_payment(application, reviewer, 2025)
    rows = {(r.programme.code, r.year): r for r in ledger_rows()}
    assert (rows[("open-cooperation-2025", 2025)].committed, rows[("open-cooperation-2025", 2025)].paid) == (
        Decimal("2000000.00"), Decimal("2000000.00"))
    assert rows[("open-cooperation-2025", 2026)].paid == 0
    assert history_for(application).last().data == {"year": 2025, "total": "2000000.00"}


def test_a_cut_multi_year_award_shortens_the_schedule(member, reviewer, qinghai_university):
    application = submit_with_evidence(member, platform(qinghai_university))
    decide_checked(application, reviewer, "adjust", "建设期核定为3年",
                        {"oc2025-5-national-platform|recipient": Decimal("6000000")})
    assert [(e.year, e.amount) for e in application.ledger_entries.all()] == [
        (2025, Decimal("2000000.00")), (2026, Decimal("2000000.00")), (2027, Decimal("2000000.00"))]


def test_the_ledger_adds_up_across_programmes_years_and_budgets(member, reviewer, qinghai_university):
    decided = [
        decide_checked(submit_with_evidence(member, deal(qinghai_university, date="2017-05-01", project="A")),
                            reviewer, "approve"),
        decide_checked(submit_with_evidence(member, deal(qinghai_university, project="B")), reviewer, "adjust",
                            "核减", {"tm2016-art33-buyer|buyer": Decimal("12345.67")}),
        decide_checked(submit_with_evidence(member, platform(qinghai_university)), reviewer, "approve"),
    ]
    rows = ledger_rows()
    totals = ledger_totals(rows)
    assert totals["committed"] == committed() == sum(a.decided_total for a in decided) == Decimal("10112345.67")
    by_key = {(r.programme.code, r.year): r for r in rows}
    budget_2017 = by_key[("provincial-st-fund", 2017)]
    assert budget_2017.budget == Decimal("625000000.00")
    assert budget_2017.remaining == Decimal("625000000.00") - Decimal("100000.00")
    assert by_key[("provincial-st-fund", 2019)].budget is None
    for programme in {r.programme.code for r in rows}:
        assert sum(r.committed for r in ledger_rows(programme)) == committed(programme__code=programme)
    assert sum(r.committed for r in ledger_rows(year=2027)) == committed(year=2027) == Decimal("2000000.00")


def test_members_see_only_their_organisations_records_in_calculations(member, reviewer, qinghai_university,
                                                                       make_user):
    decide_checked(submit_with_evidence(member, deal(qinghai_university)), reviewer, "approve")
    party = applications.resolve_parties(parse_event(deal(qinghai_university), rulebook())).parties[0]
    assert DatabaseLedger().prior("tm2016-art33-buyer", party, project="HT-2019-001").amount == Decimal("100000.00")
    assert DatabaseLedger({-1}).prior("tm2016-art33-buyer", party, project="HT-2019-001").amount == 0
    _, result = applications.calculate(deal(qinghai_university, date="2019-07-01"), member)
    assert "tm2016-art33-buyer" in {n.rule_id for n in result.not_applied if n.code == "cap"}
    _, anonymous_result = applications.calculate(deal(qinghai_university, date="2019-07-01"), make_user("other"))
    assert "tm2016-art33-buyer" in {a.rule_id for a in anonymous_result.awards}
