"""Teams answer a challenge with a one-page standard proposal (docs/challenges.md, "Proposals"): until the end of
the deadline day, never after; withdrawn before the deadline; one live proposal per lead organisation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction

from techmarket.challenges.errors import ChallengeDuplicate, ChallengeError, ChallengeInputError
from techmarket.challenges.models import APPROACH_MAX, TRL_MAX, TRL_MIN, Action, Challenge, Partner, Proposal
from techmarket.challenges.services import checks
from techmarket.challenges.services.calls import department, locked, today
from techmarket.common import audit
from techmarket.common.bounds import NAME_MAX, REASON_MAX, TITLE_MAX
from techmarket.common.notifications import notify
from techmarket.common.permissions import require
from techmarket.directory.models import Organisation, Region

P = Proposal.Status
MAX_PARTNERS = 20
MAX_MILESTONES = 12


@dataclass
class ProposalInput:
    team_name: str = ""
    leader_name: str = ""
    approach: str = ""
    trl_now: int = 1
    trl_promised: int = 1
    partners: list[dict] = field(default_factory=list)  # [{"name", "region" (code), "role", "organisation_id"?}]
    milestones: list[dict] = field(default_factory=list)  # [{"title", "due_on", "amount"}]
    budget: Decimal | str | None = None
    price: Decimal | str | None = None  # tenders only


def late_message(challenge: Challenge) -> str:
    return f"榜单已于 {challenge.deadline:%Y年%m月%d日} 截止揭榜，不再接受方案。"


def _partners(items, lead: Organisation) -> list[dict]:
    regions = {r.code: r for r in Region.objects.all()}
    if lead.region_id is None:
        raise ChallengeInputError(f"牵头单位“{lead.name}”尚未登记所在地，请先在单位信息中补充。")
    out = [{"name": lead.name, "organisation": lead, "region": lead.region, "lead": True, "role": "牵头"}]
    for i, item in enumerate(items or [], 1):
        name = checks.text(item.get("name"), f"第{i}个合作单位名称", NAME_MAX, single_line=True)
        region = regions.get(item.get("region") or "")
        if region is None:
            raise ChallengeInputError(f"请选择合作单位“{name}”的所在地。")
        organisation = None
        if item.get("organisation_id"):
            organisation = Organisation.objects.filter(pk=item["organisation_id"]).first()
        out.append({"name": name, "organisation": organisation, "region": region, "lead": False,
                    "role": checks.text(item.get("role"), f"“{name}”的分工", NAME_MAX, required=False,
                                        single_line=True)})
    if len(out) > MAX_PARTNERS:
        raise ChallengeInputError(f"参与单位最多 {MAX_PARTNERS} 个。")
    return out


def _milestones(items, deadline: datetime.date) -> list[dict]:
    out = []
    for i, item in enumerate(items or [], 1):
        title = checks.text(item.get("title"), f"第{i}个里程碑", TITLE_MAX, single_line=True)
        due = checks.date(item.get("due_on"), f"里程碑“{title}”的计划完成日期")
        if due <= deadline:
            raise ChallengeInputError(f"里程碑“{title}”的计划完成日期须晚于揭榜截止日期。")
        amount = checks.money(item.get("amount") or 0, f"里程碑“{title}”完成后拨付的金额")
        out.append({"title": title, "due_on": due.isoformat(), "amount": str(amount)})
    if not out:
        raise ChallengeInputError("请至少填写一个里程碑。")
    if len(out) > MAX_MILESTONES:
        raise ChallengeInputError(f"里程碑最多 {MAX_MILESTONES} 个。")
    return sorted(out, key=lambda m: m["due_on"])


def clean(challenge: Challenge, lead: Organisation, data: ProposalInput) -> dict:
    trl_now = checks.integer(data.trl_now, "现有技术成熟度", TRL_MIN, TRL_MAX)
    trl_promised = checks.integer(data.trl_promised, "承诺技术成熟度", TRL_MIN, TRL_MAX)
    if trl_promised < trl_now:
        raise ChallengeInputError("承诺技术成熟度不能低于现有技术成熟度。")
    budget = checks.money(data.budget, "经费预算")
    price = checks.money(data.price, "投标报价", required=challenge.is_tender)
    milestones = _milestones(data.milestones, challenge.deadline)
    if sum(Decimal(m["amount"]) for m in milestones) > budget:
        raise ChallengeInputError("各里程碑拨付金额之和不能超过经费预算。")
    return {
        "team_name": checks.text(data.team_name, "团队名称", NAME_MAX, single_line=True),
        "leader_name": checks.text(data.leader_name, "团队负责人", 100, single_line=True),
        "approach": checks.text(data.approach, "技术路线", APPROACH_MAX),
        "trl_now": trl_now, "trl_promised": trl_promised, "budget": budget,
        "price": price if challenge.is_tender else None, "milestones": milestones,
        "partners": _partners(data.partners, lead),
    }


def _next_code(challenge: Challenge) -> str:
    return f"方案{challenge.proposals.count() + 1:02d}"


def submit(user, challenge: Challenge, data: ProposalInput, *, on: datetime.date | None = None) -> Proposal:
    """Register a team and its proposal, for the user's organisation (the lead). Refused after the deadline day,
    and a second live proposal of the same organisation (the same one again is returned: a repeated request)."""
    on = on or today()
    with transaction.atomic():
        challenge = locked(challenge)
        if challenge.status == Challenge.Status.PUBLISHED and on > challenge.deadline:
            raise ChallengeError(late_message(challenge), title="已截止")
        closed = challenge.is_public and challenge.status != Challenge.Status.PUBLISHED
        require(user, "challenges.propose", challenge,
                message=late_message(challenge) if closed else "只有已核验单位的用户可以揭榜。")
        lead = Organisation.objects.get(pk=user.organisation_id)
        values = clean(challenge, lead, data)
        existing = challenge.proposals.exclude(status=P.WITHDRAWN).filter(organisation=lead).first()
        if existing is not None:
            if existing.team_name == values["team_name"] and existing.approach == values["approach"]:
                return existing
            raise ChallengeDuplicate(f"本单位已对该榜单提交方案（{existing.code}），如需修改请先撤回。")
        partners = values.pop("partners")
        try:
            with transaction.atomic():
                proposal = Proposal.objects.create(challenge=challenge, organisation=lead, submitted_by=user,
                                                   code=_next_code(challenge), **values)
        except IntegrityError:
            raise ChallengeDuplicate("本单位已对该榜单提交方案。") from None
        Partner.objects.bulk_create([Partner(proposal=proposal, **p) for p in partners])
        audit.log_action(proposal, Action.PROPOSE, user, to_value=P.SUBMITTED,
                         data={"challenge": challenge.pk, "budget": str(values["budget"]),
                               "price": str(values["price"]) if values["price"] is not None else None})
    notify(user, "challenges.proposal", f"方案已提交：{challenge.title}",
           f"您为“{challenge.title}”提交的方案（{proposal.code}）已收到，截止日期前可以撤回。",
           link=proposal.get_absolute_url())
    return proposal


@transaction.atomic
def withdraw(user, proposal: Proposal, reason: str = "", *, on: datetime.date | None = None) -> Proposal:
    on = on or today()
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=proposal.pk)
    require(user, "challenges.act_for_team", proposal, hide=True)
    if proposal.status == P.WITHDRAWN:
        return proposal
    challenge = proposal.challenge
    if on > challenge.deadline or challenge.status != Challenge.Status.PUBLISHED:
        raise ChallengeError(f"榜单已于 {challenge.deadline:%Y年%m月%d日} 截止，方案不能再撤回。")
    reason = checks.text(reason, "撤回原因", REASON_MAX, required=False)
    before, proposal.status, proposal.status_reason = proposal.status, P.WITHDRAWN, reason
    proposal.save(update_fields=["status", "status_reason", "updated_at"])
    audit.log_action(proposal, Action.WITHDRAW, user, from_value=before, to_value=P.WITHDRAWN, reason=reason)
    return proposal


@transaction.atomic
def close_call(user, challenge: Challenge, *, on: datetime.date | None = None) -> Challenge:
    """After the deadline day the department closes the call: review starts with the formal check."""
    require(user, "challenges.manage", message="只有省科技厅可以截止征集。")
    on = on or today()
    challenge = locked(challenge)
    if challenge.status != Challenge.Status.PUBLISHED:
        raise ChallengeError(f"榜单{challenge.get_status_display()}，不在征集中。")
    if on <= challenge.deadline:
        raise ChallengeError(f"截止日期 {challenge.deadline:%Y-%m-%d} 尚未过去，不能提前截止征集。")
    live = challenge.proposals.filter(status=P.SUBMITTED)
    if not live.exists():
        raise ChallengeError("没有收到任何有效方案，请撤销榜单或修改后重新发布。")
    challenge.status, challenge.stage = Challenge.Status.REVIEW, Challenge.Stage.FORMAL
    challenge.save(update_fields=["status", "stage", "updated_at"])
    audit.log_action(challenge, Action.CLOSE, user, from_value=Challenge.Status.PUBLISHED,
                     to_value=Challenge.Status.REVIEW, data={"proposals": live.count()})
    notify(department(), "challenges.department", f"榜单进入形式审查：{challenge.title}",
           f"共收到 {live.count()} 份有效方案。", link=challenge.get_absolute_url())
    return challenge


def out_of_province(proposal: Proposal) -> list[Partner]:
    return [p for p in proposal.partners.all() if not p.region.in_qinghai]


def in_province(proposal: Proposal) -> list[Partner]:
    return [p for p in proposal.partners.all() if p.region.in_qinghai]


def formal_problems(proposal: Proposal) -> list[str]:
    """What the formal check refuses by itself, in words."""
    challenge, problems = proposal.challenge, []
    if challenge.joint_required:
        if not out_of_province(proposal):
            problems.append("榜单要求省内单位联合省外单位揭榜，方案中没有省外合作单位")
        if not in_province(proposal):
            problems.append("榜单要求省内单位联合省外单位揭榜，方案中没有省内单位")
    if challenge.is_tender and proposal.price is None:
        problems.append("技术招标须填写投标报价")
    if challenge.public_funds and challenge.mode != "tender" and proposal.budget > challenge.total_funds:
        problems.append("经费预算超过榜单资金总额")
    return problems
