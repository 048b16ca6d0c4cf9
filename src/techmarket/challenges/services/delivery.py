"""After the notice (docs/challenges.md, "Delivery"): task agreements (任务书) with the selected teams, milestones
with evidence, stage gates among parallel teams (赛马制), acceptance (验收), releases of the funds and the
enterprise's own spending with the task-3 reward — the money through the policy ledger (services/money.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from techmarket.challenges.errors import ChallengeError, ChallengeInputError
from techmarket.challenges.models import Action, Agreement, Challenge, Funding, Milestone, Mode, Proposal
from techmarket.challenges.services import checks, money
from techmarket.challenges.services.calls import department, locked, today
from techmarket.common import audit, notices
from techmarket.common.bounds import DESCRIPTION_MAX, REASON_MAX
from techmarket.common.notifications import notify
from techmarket.common.permissions import require
from techmarket.common.uploads import check_upload

S, P, A, M = Challenge.Status, Proposal.Status, Agreement.Status, Milestone.Status
NOT_DEPARTMENT = "只有省科技厅可以办理此事项。"


def _tell(proposal: Proposal, title: str, body: str) -> None:
    if proposal.submitted_by_id:
        notify(proposal.submitted_by, "challenges.proposal", f"{title}：{proposal.challenge.title}", body,
               link=proposal.get_absolute_url())


def _lock_agreement(agreement: Agreement) -> Agreement:
    return (Agreement.objects.select_for_update(of=("self",)).select_related("proposal__challenge",
                                                                             "proposal__organisation")
            .get(pk=agreement.pk))


@transaction.atomic
def sign_agreement(user, proposal: Proposal, terms: str, *, public_funds=None, own_funds=None,
                   on: datetime.date | None = None) -> Agreement:
    """The task agreement of a selected team, once the notice has passed (period over, every objection dismissed);
    its milestones are the proposal's; the public funds are committed in the policy ledger. Signing again returns
    the agreement."""
    require(user, "challenges.manage", message=NOT_DEPARTMENT)
    on = on or today()
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("challenge", "organisation").get(
        pk=proposal.pk)
    existing = Agreement.objects.filter(proposal=proposal).first()
    if existing is not None:
        return existing
    challenge = locked(proposal.challenge)
    if proposal.status != P.SELECTED or challenge.status not in (S.NOTICE, S.IMPLEMENTING):
        raise ChallengeError("只有入选且结果已公示的方案可以签订任务书。")
    outcome = notices.outcome(challenge.notice, on)
    if outcome != notices.PASSED:
        raise ChallengeError(f"结果公示{notices.OUTCOME_LABELS[outcome]}，暂不能签订任务书。")
    public = checks.money(proposal.budget if public_funds is None else public_funds, "财政资金")
    own = checks.money(0 if own_funds is None else own_funds, "企业自筹资金")
    share = challenge.public_funds - sum((a.public_funds for a in Agreement.objects.filter(
        proposal__challenge=challenge)), Decimal(0))
    if public > share:
        raise ChallengeInputError(f"财政资金不能超过榜单尚未安排的 {share} 元。")
    agreement = Agreement.objects.create(
        proposal=proposal, public_funds=public, own_funds=own, signed_on=on, signed_by=user,
        terms=checks.text(terms, "任务书主要内容", DESCRIPTION_MAX))
    Milestone.objects.bulk_create([
        Milestone(agreement=agreement, position=i, title=m["title"], due_on=datetime.date.fromisoformat(m["due_on"]),
                  amount=Decimal(m["amount"]) if challenge.mode != Mode.POST else Decimal(0))
        for i, m in enumerate(proposal.milestones, 1)])
    funding = money.commit_funds(agreement, user, on)
    if challenge.status == S.NOTICE:
        challenge.status = S.IMPLEMENTING
        challenge.save(update_fields=["status", "updated_at"])
    audit.log_action(agreement, Action.AGREE, user, to_value=A.ACTIVE,
                     data={"public_funds": str(public), "own_funds": str(own),
                           "ledger_entry": funding.ledger_entry_id if funding else None})
    _tell(proposal, "任务书已签订", f"财政资金 {public} 元；请按里程碑提交成果和佐证材料。")
    return agreement


@transaction.atomic
def report_milestone(user, milestone: Milestone, report: str, uploaded=None) -> Milestone:
    """The team reports a milestone done, with evidence (a checked upload)."""
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related(
        "agreement__proposal__challenge").get(pk=milestone.pk)
    proposal = milestone.agreement.proposal
    require(user, "challenges.act_for_team", proposal, hide=True)
    if milestone.agreement.status != A.ACTIVE:
        raise ChallengeError(f"任务书{milestone.agreement.get_status_display()}，不能再提交里程碑成果。")
    if milestone.status not in (M.PLANNED, M.RETURNED):
        raise ChallengeError(f"里程碑{milestone.get_status_display()}，不能重复提交。")
    milestone.report = checks.text(report, "完成情况", DESCRIPTION_MAX)
    if uploaded is not None:
        checked = check_upload(uploaded)
        milestone.evidence_name, milestone.evidence_type = checked.name, checked.type.content_type
        milestone.evidence_extension, milestone.evidence_sha256 = checked.type.extension, checked.sha256
        milestone.evidence.save(checked.name, ContentFile(checked.data), save=False)
    if not milestone.evidence_name:
        raise ChallengeInputError("请上传里程碑成果的佐证材料。")
    before, milestone.status = milestone.status, M.REPORTED
    milestone.save()
    audit.log_action(milestone, Action.REPORT, user, from_value=before, to_value=M.REPORTED,
                     data={"evidence": milestone.evidence_sha256})
    notify(department(), "challenges.department", f"里程碑待审核：{proposal.challenge.title}",
           f"{proposal.team_name}提交了里程碑“{milestone.title}”的成果。", link=proposal.get_absolute_url())
    return milestone


@transaction.atomic
def review_milestone(user, milestone: Milestone, accepted: bool, reason: str = "", *,
                     on: datetime.date | None = None) -> Milestone:
    """The department accepts a reported milestone (its amount is released, except under 后补助) or returns it."""
    require(user, "challenges.manage", message=NOT_DEPARTMENT)
    on = on or today()
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related(
        "agreement__proposal__challenge").get(pk=milestone.pk)
    if milestone.status != M.REPORTED:
        raise ChallengeError(f"里程碑{milestone.get_status_display()}，不在待审核状态。")
    reason = checks.text(reason, "审核意见", REASON_MAX, required=not accepted)
    milestone.status, milestone.review_reason = (M.ACCEPTED if accepted else M.RETURNED), reason
    milestone.save(update_fields=["status", "review_reason"])
    audit.log_action(milestone, Action.MILESTONE, user, from_value=M.REPORTED, to_value=milestone.status,
                     reason=reason)
    agreement = milestone.agreement
    if accepted and milestone.amount:
        money.release(agreement, Funding.Kind.MILESTONE, f"milestone-{milestone.position}", milestone.amount, user,
                      on, f"里程碑“{milestone.title}”通过审核")
        audit.log_action(agreement, Action.RELEASE, user, to_value=str(milestone.amount),
                         data={"milestone": milestone.position})
    _tell(agreement.proposal, "里程碑审核" + ("通过" if accepted else "退回"),
          f"里程碑“{milestone.title}”{'通过审核' if accepted else '退回补充：' + reason}。")
    return milestone


@transaction.atomic
def stage_gate(user, challenge: Challenge, eliminate: list[Agreement], reason: str) -> list[Agreement]:
    """赛马制 during implementation: teams funded in parallel pass a gate, the named ones stop (no more releases)."""
    require(user, "challenges.manage", message=NOT_DEPARTMENT)
    challenge = locked(challenge)
    if challenge.mode != Mode.RACE or challenge.status != S.IMPLEMENTING:
        raise ChallengeError("只有实施中的赛马制榜单设有阶段淘汰。")
    reason = checks.text(reason, "淘汰理由", REASON_MAX)
    active = Agreement.objects.filter(proposal__challenge=challenge, status=A.ACTIVE)
    chosen = list(active.select_for_update(of=("self",)).filter(pk__in=[a.pk for a in eliminate]))
    if not chosen or len(chosen) != len({a.pk for a in eliminate}):
        raise ChallengeInputError("只能淘汰实施中的团队。")
    if active.count() - len(chosen) < 1:
        raise ChallengeError("阶段淘汰后须至少保留一个团队。")
    for agreement in chosen:
        agreement.status, agreement.status_reason = A.ELIMINATED, reason
        agreement.save(update_fields=["status", "status_reason"])
        audit.log_action(agreement, Action.GATE, user, from_value=A.ACTIVE, to_value=A.ELIMINATED, reason=reason)
        _tell(agreement.proposal, "阶段淘汰", f"理由：{reason}")
    return chosen


def _finish_if_done(challenge: Challenge) -> None:
    if not Agreement.objects.filter(proposal__challenge=challenge, status=A.ACTIVE).exists():
        challenge.status = S.FINISHED
        challenge.save(update_fields=["status", "updated_at"])


@transaction.atomic
def accept(user, agreement: Agreement, passed: bool, reason: str, *, on: datetime.date | None = None) -> Agreement:
    """Acceptance review (验收): passes only when every milestone was accepted."""
    require(user, "challenges.manage", message=NOT_DEPARTMENT)
    on = on or today()
    agreement = _lock_agreement(agreement)
    if agreement.status != A.ACTIVE:
        raise ChallengeError(f"任务书{agreement.get_status_display()}，不能验收。")
    reason = checks.text(reason, "验收意见", REASON_MAX)
    open_ = [m.title for m in agreement.milestone_set.exclude(status=M.ACCEPTED)]
    if passed and open_:
        raise ChallengeError(f"以下里程碑尚未通过审核：{'、'.join(open_)}。")
    agreement.status = A.ACCEPTED if passed else A.FAILED
    agreement.status_reason, agreement.accepted_on = reason, on
    agreement.save(update_fields=["status", "status_reason", "accepted_on"])
    audit.log_action(agreement, Action.ACCEPT, user, from_value=A.ACTIVE, to_value=agreement.status, reason=reason)
    _tell(agreement.proposal, "验收" + ("通过" if passed else "未通过"), f"验收意见：{reason}")
    _finish_if_done(locked(agreement.proposal.challenge))
    return agreement


@transaction.atomic
def release_post_funding(user, agreement: Agreement, *, on: datetime.date | None = None) -> Funding:
    """After acceptance, what is left of the committed public funds is paid (后补助: all of it). Once."""
    require(user, "challenges.manage", message=NOT_DEPARTMENT)
    on = on or today()
    agreement = _lock_agreement(agreement)
    existing = agreement.fundings.filter(key="post").first()
    if existing is not None:
        return existing
    if agreement.status != A.ACCEPTED:
        raise ChallengeError("验收通过后方可拨付后补助经费。")
    committed = money.commitment(agreement)
    left = (committed.amount if committed else Decimal(0)) - money.released(agreement)
    if left <= 0:
        raise ChallengeError("财政资金已全部拨付。")
    funding = money.release(agreement, Funding.Kind.POST, "post", left, user, on, "验收通过后拨付")
    audit.log_action(agreement, Action.RELEASE, user, to_value=str(left), data={"post": True})
    _tell(agreement.proposal, "经费已拨付", f"验收通过后拨付财政资金 {left} 元。")
    return funding


@transaction.atomic
def record_spending(user, agreement: Agreement, year: int, amount, note: str, *,
                    on: datetime.date | None = None) -> tuple[Funding, Funding | None]:
    """The enterprise's own spending on the project in a year (one record per year), recorded by the department
    from the audited figures; for a challenge set by an enterprise and listed in the provincial plan, the task-3
    reward is computed by the policy engine from it and committed in the ledger."""
    require(user, "challenges.manage", message=NOT_DEPARTMENT)
    on = on or today()
    agreement = _lock_agreement(agreement)
    challenge = agreement.proposal.challenge
    if challenge.challenger_id is None or not challenge.own_funds:
        raise ChallengeError("只有企业出资的榜单登记自有资金投入。")
    year = checks.integer(year, "年度", 2000, 2100)
    amount = checks.money(amount, "自有资金投入")
    if not amount:
        raise ChallengeInputError("自有资金投入须大于 0。")
    key = f"spending-{year}"
    existing = agreement.fundings.filter(key=key).first()
    if existing is not None:
        if existing.amount == amount:
            return existing, agreement.fundings.filter(key=f"reward-{key}").first()
        raise ChallengeError(f"{year}年度的自有资金投入已登记（{existing.amount} 元）。")
    spending = Funding.objects.create(agreement=agreement, kind=Funding.Kind.SPENDING, key=key, year=year,
                                      amount=amount, recorded_by=user,
                                      note=checks.text(note, "依据（审计报告等）", REASON_MAX))
    reward = None
    if challenge.listed_in_plan:
        reward = money.reward_for_spending(agreement, spending, user, on)
    audit.log_action(agreement, Action.SPEND, user, to_value=str(amount),
                     data={"year": year, "reward": str(reward.amount) if reward else None})
    return spending, reward


CONTRACT_TYPE = "development-commissioned"  # data/market/registration.yaml: 技术开发合同（委托开发）


def record_contract(user, agreement: Agreement):
    """The winning team's task agreement as a technology contract in the market (技术开发合同（委托开发）: the team
    研究开发方, the enterprise that set the challenge 委托方, the enterprise's own funds the contract amount), recorded
    by a member of the team through the market's service, from where it goes to registration. Once per
    agreement: asking again returns the contract recorded."""
    from techmarket.market.models import Contract
    from techmarket.market.services import contracts

    proposal = agreement.proposal
    require(user, "challenges.act_for_team", proposal, message="只有揭榜团队的成员可以录入合同。")
    with transaction.atomic():
        agreement = _lock_agreement(agreement)
        if agreement.contract_id:
            return Contract.objects.get(pk=agreement.contract_id)
        challenge = agreement.proposal.challenge
        if challenge.challenger_id is None or not agreement.own_funds:
            raise ChallengeError("本榜单没有企业出资，任务书不构成双方的技术合同（财政资金按任务书拨付）。")
        if agreement.status in (A.ELIMINATED, A.FAILED):
            raise ChallengeError("该任务书已终止，不能转为技术合同。")
        data = contracts.ContractInput(
            title=f"{challenge.title}（任务书）"[:200], contract_type=CONTRACT_TYPE, signed_on=agreement.signed_on,
            total_amount=agreement.own_funds, technology_amount=agreement.own_funds, field=challenge.field,
            summary=agreement.terms[:2000],
            parties=[contracts.PartyInput(agreement.proposal.organisation, "developer", is_registering_party=True),
                     contracts.PartyInput(challenge.challenger, "commissioner")],
            milestones=[contracts.MilestoneInput("payment", "企业自筹资金", agreement.own_funds)],
            intent_key=f"challenge-agreement-{agreement.pk}")
        try:
            contract = contracts.create_contract(user, data)
        except contracts.AlreadyDone as done:
            contract = done.existing
        agreement.contract_id = contract.pk
        agreement.save(update_fields=["contract_id"])
        audit.log_action(challenge, Action.CONTRACT, user, to_value=str(contract.pk),
                         data={"agreement": agreement.pk, "contract": contract.pk})
    return contract
