"""A challenge's call (docs/challenges.md, "The call"): drafting (by the department, or by an enterprise for the
department's approval), publication, clarifications and cancellation. Every function is one transaction, locks the
challenge it changes, writes one audit line and notifies whoever waits for the step."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from techmarket.accounts.roles import REVIEWERS
from techmarket.catalogue.models import Field, Listing
from techmarket.challenges.errors import (
    ChallengeDuplicate,
    ChallengeError,
    ChallengeInputError,
)
from techmarket.challenges.models import (
    MAX_NOTICE_DAYS,
    MAX_REVIEWERS,
    MAX_WINNERS,
    PROBLEM_MAX,
    TERMS_MAX,
    Action,
    Challenge,
    Clarification,
    Mode,
)
from techmarket.challenges.services import checks
from techmarket.common import audit
from techmarket.common.bounds import NAME_MAX, REASON_MAX, TITLE_MAX
from techmarket.common.notifications import notify
from techmarket.common.permissions import allowed, require

S = Challenge.Status
MAX_INDICATORS = 20
MAX_CRITERIA = 10
MAX_DEMANDS = 10


def today() -> datetime.date:
    return timezone.localdate()


def department():
    """The users who run challenges, for notifications."""
    return get_user_model().objects.filter(is_active=True).filter(
        Q(is_staff=True) | Q(groups__name=REVIEWERS)).distinct()


def locked(challenge: Challenge) -> Challenge:
    return Challenge.objects.select_for_update(of=("self",)).get(pk=challenge.pk)


@dataclass
class ChallengeInput:
    title: str = ""
    problem: str = ""
    mode: str = Mode.OPEN
    field_code: str = ""
    demand_ids: list[int] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)  # [{"name", "target"}]
    criteria: list[dict] = field(default_factory=list)  # [{"name", "weight"}], weights summing to 100
    public_funds: Decimal | str | None = Decimal(0)
    own_funds: Decimal | str | None = Decimal(0)
    payment_terms: str = ""
    deadline: datetime.date | str | None = None
    eligibility: str = ""
    joint_required: bool = False
    ip_terms: str = ""
    confidentiality: str = ""
    reviewers_count: int = 5
    winners_count: int = 1
    notice_days: int = 5
    listed_in_plan: bool = False
    challenger_id: int | None = None  # the department may name the enterprise that sets the problem


DEFAULT_CRITERIA = [{"name": "技术路线先进性与可行性", "weight": 40}, {"name": "团队能力与合作基础", "weight": 30},
                    {"name": "指标承诺与进度安排", "weight": 20}, {"name": "经费预算合理性", "weight": 10}]


def _indicators(items) -> list[dict]:
    out = []
    for i, item in enumerate(items or [], 1):
        name = checks.text(item.get("name"), f"第{i}项考核指标", NAME_MAX, single_line=True)
        target = checks.text(item.get("target"), f"第{i}项考核指标的目标值", NAME_MAX, single_line=True)
        out.append({"name": name, "target": target})
    if not out:
        raise ChallengeInputError("请至少填写一项可考核指标。")
    if len(out) > MAX_INDICATORS:
        raise ChallengeInputError(f"可考核指标最多 {MAX_INDICATORS} 项。")
    return out


def _criteria(items) -> list[dict]:
    out = []
    for i, item in enumerate(items or DEFAULT_CRITERIA, 1):
        name = checks.text(item.get("name"), f"第{i}项评审要素", NAME_MAX, single_line=True)
        out.append({"name": name, "weight": checks.integer(item.get("weight"), f"“{name}”的权重", 1, 100)})
    if len(out) > MAX_CRITERIA:
        raise ChallengeInputError(f"评审要素最多 {MAX_CRITERIA} 项。")
    if sum(c["weight"] for c in out) != 100:
        raise ChallengeInputError(f"评审要素的权重合计须为 100（现为 {sum(c['weight'] for c in out)}）。")
    return out


def clean(data: ChallengeInput, on: datetime.date) -> dict:
    """The challenge's values, checked; ChallengeInputError names the first wrong field."""
    if data.mode not in Mode.values:
        raise ChallengeInputError("请选择组织方式。")
    field_ = Field.objects.filter(code=data.field_code).first()
    if field_ is None:
        raise ChallengeInputError("请选择所属领域。")
    demands = list(Listing.objects.filter(pk__in=list(data.demand_ids or [])[:MAX_DEMANDS + 1],
                                          kind=Listing.Kind.DEMAND))
    if len(set(data.demand_ids or [])) != len(demands):
        raise ChallengeInputError("来源需求须为需求库中的技术需求。")
    if len(demands) > MAX_DEMANDS:
        raise ChallengeInputError(f"来源需求最多 {MAX_DEMANDS} 项。")
    public = checks.money(data.public_funds or 0, "财政资金")
    own = checks.money(data.own_funds or 0, "企业自筹资金")
    if not public and not own:
        raise ChallengeInputError("请填写榜单资金（财政资金或企业自筹资金）。")
    deadline = checks.date(data.deadline, "截止日期")
    if deadline < on:
        raise ChallengeInputError("截止日期不能早于今天。")
    winners = checks.integer(data.winners_count, "立项支持团队数", 1, MAX_WINNERS)
    if data.mode != Mode.RACE and winners != 1:
        raise ChallengeInputError("只有赛马制可以同时支持多个团队；其他方式立项支持团队数为 1。")
    if data.mode == Mode.RACE and winners < 2:
        raise ChallengeInputError("赛马制须支持至少 2 个团队并行攻关。")
    return {
        "title": checks.text(data.title, "榜单名称", TITLE_MAX, single_line=True),
        "problem": checks.text(data.problem, "攻关任务", PROBLEM_MAX),
        "mode": data.mode, "field": field_, "demands": demands,
        "indicators": _indicators(data.indicators), "criteria": _criteria(data.criteria),
        "public_funds": public, "own_funds": own,
        "payment_terms": checks.text(data.payment_terms, "资金拨付方式", TERMS_MAX, required=False),
        "deadline": deadline,
        "eligibility": checks.text(data.eligibility, "揭榜条件", TERMS_MAX, required=False),
        "joint_required": bool(data.joint_required),
        "ip_terms": checks.text(data.ip_terms, "知识产权约定", TERMS_MAX, required=False),
        "confidentiality": checks.text(data.confidentiality, "保密要求", TERMS_MAX, required=False),
        "reviewers_count": checks.integer(data.reviewers_count, "评审专家人数", 1, MAX_REVIEWERS),
        "winners_count": winners,
        "notice_days": checks.integer(data.notice_days, "公示天数", 1, MAX_NOTICE_DAYS),
        "listed_in_plan": bool(data.listed_in_plan),
    }


def _apply(challenge: Challenge, values: dict) -> None:
    demands = values.pop("demands")
    for name, value in values.items():
        setattr(challenge, name, value)
    challenge.save()
    challenge.demands.set(demands)


def create_challenge(user, data: ChallengeInput, *, on: datetime.date | None = None) -> Challenge:
    """A draft by the department (for itself or a named enterprise) or by an enterprise's verified member (for their
    organisation). The same author and title again returns the existing challenge (a repeated request)."""
    require(user, "challenges.create", message="请先完成单位核验，再起草榜单。")
    is_department = allowed(user, "challenges.manage")
    values = clean(data, on or today())
    challenger_id = data.challenger_id if is_department else user.organisation_id
    existing = Challenge.objects.filter(created_by=user, title=values["title"]).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            challenge = Challenge(created_by=user, challenger_id=challenger_id)
            _apply(challenge, values)
            audit.log_action(challenge, Action.CREATE, user, to_value=S.DRAFT)
    except IntegrityError:
        existing = Challenge.objects.filter(created_by=user, title=values["title"]).first()
        if existing is None:
            raise ChallengeDuplicate() from None
        return existing
    return challenge


@transaction.atomic
def update_challenge(user, challenge: Challenge, data: ChallengeInput, *, on: datetime.date | None = None) -> Challenge:
    challenge = locked(challenge)
    require(user, "challenges.edit", challenge, message="只有起草单位可以修改未发布的榜单。",
            hide=not challenge.is_public)
    if challenge.status not in (S.DRAFT, S.REJECTED, S.PENDING):
        raise ChallengeError(f"榜单{challenge.get_status_display()}，不能再修改。")
    values = clean(data, on or today())
    _apply(challenge, values)
    audit.log_action(challenge, Action.UPDATE, user)
    return challenge


@transaction.atomic
def submit_for_approval(user, challenge: Challenge) -> Challenge:
    """An enterprise's draft goes to the department for approval."""
    challenge = locked(challenge)
    require(user, "challenges.edit", challenge, message="只有起草单位可以提交审批。", hide=True)
    if challenge.status not in (S.DRAFT, S.REJECTED):
        raise ChallengeError(f"榜单{challenge.get_status_display()}，不能提交审批。")
    before, challenge.status = challenge.status, S.PENDING
    challenge.save(update_fields=["status", "updated_at"])
    audit.log_action(challenge, Action.SUBMIT, user, from_value=before, to_value=S.PENDING)
    notify(department(), "challenges.department", f"榜单待审批：{challenge.title}",
           f"{challenge.challenger.name if challenge.challenger else ''}提交的榜单“{challenge.title}”等待审批。",
           link=challenge.get_absolute_url())
    return challenge


def _publish(user, challenge: Challenge, on: datetime.date, action: str, reason: str = "") -> Challenge:
    if challenge.deadline < on:
        raise ChallengeError(f"截止日期 {challenge.deadline:%Y-%m-%d} 已过，请先修改截止日期。")
    before = challenge.status
    challenge.status, challenge.published_on, challenge.approved_by = S.PUBLISHED, on, user
    challenge.status_reason = reason
    challenge.save(update_fields=["status", "published_on", "approved_by", "status_reason", "updated_at"])
    audit.log_action(challenge, action, user, from_value=before, to_value=S.PUBLISHED, reason=reason)
    if challenge.created_by_id and challenge.created_by_id != user.pk:
        notify(challenge.created_by, "challenges.call", f"榜单已发布：{challenge.title}",
               f"榜单“{challenge.title}”已发布，{challenge.deadline:%Y-%m-%d} 截止揭榜。",
               link=challenge.get_absolute_url())
    return challenge


@transaction.atomic
def approve(user, challenge: Challenge, reason: str = "", *, on: datetime.date | None = None) -> Challenge:
    """The department approves an enterprise's challenge, which is published at once."""
    require(user, "challenges.manage", message="只有省科技厅可以审批榜单。")
    challenge = locked(challenge)
    if challenge.status != S.PENDING:
        raise ChallengeError(f"榜单{challenge.get_status_display()}，不在待审批状态。")
    reason = checks.text(reason, "审批意见", REASON_MAX, required=False)
    return _publish(user, challenge, on or today(), Action.APPROVE, reason)


@transaction.atomic
def reject(user, challenge: Challenge, reason: str) -> Challenge:
    require(user, "challenges.manage", message="只有省科技厅可以审批榜单。")
    challenge = locked(challenge)
    if challenge.status != S.PENDING:
        raise ChallengeError(f"榜单{challenge.get_status_display()}，不在待审批状态。")
    reason = checks.text(reason, "不予批准的理由", REASON_MAX)
    challenge.status, challenge.status_reason = S.REJECTED, reason
    challenge.save(update_fields=["status", "status_reason", "updated_at"])
    audit.log_action(challenge, Action.REJECT, user, from_value=S.PENDING, to_value=S.REJECTED, reason=reason)
    if challenge.created_by_id:
        notify(challenge.created_by, "challenges.call", f"榜单未获批准：{challenge.title}",
               f"榜单“{challenge.title}”未获批准。理由：{reason}", link=challenge.get_absolute_url())
    return challenge


@transaction.atomic
def publish(user, challenge: Challenge, *, on: datetime.date | None = None) -> Challenge:
    """The department publishes its own draft (or an enterprise's, which approves it)."""
    require(user, "challenges.manage", message="只有省科技厅可以发布榜单。")
    challenge = locked(challenge)
    if challenge.status == S.PUBLISHED:
        return challenge
    if challenge.status not in (S.DRAFT, S.PENDING, S.REJECTED):
        raise ChallengeError(f"榜单{challenge.get_status_display()}，不能发布。")
    return _publish(user, challenge, on or today(), Action.PUBLISH)


@transaction.atomic
def cancel(user, challenge: Challenge, reason: str) -> Challenge:
    require(user, "challenges.manage", message="只有省科技厅可以撤销榜单。")
    challenge = locked(challenge)
    if challenge.status in (S.IMPLEMENTING, S.FINISHED, S.CANCELLED):
        raise ChallengeError(f"榜单{challenge.get_status_display()}，不能撤销。")
    reason = checks.text(reason, "撤销理由", REASON_MAX)
    before, challenge.status, challenge.status_reason = challenge.status, S.CANCELLED, reason
    challenge.save(update_fields=["status", "status_reason", "updated_at"])
    audit.log_action(challenge, Action.CANCEL, user, from_value=before, to_value=S.CANCELLED, reason=reason)
    teams = get_user_model().objects.filter(pk__in=challenge.proposals.values("submitted_by"))
    notify(teams, "challenges.proposal", f"榜单已撤销：{challenge.title}", f"撤销理由：{reason}",
           link=challenge.get_absolute_url())
    return challenge


# --- Clarifications ----------------------------------------------------------------------------------------

def ask(user, challenge: Challenge, question: str) -> Clarification:
    """A question about a published challenge; the same question again returns the first."""
    require(user, "challenges.ask", challenge, message="请先完成单位核验，再就榜单提问。")
    if challenge.status != S.PUBLISHED:
        raise ChallengeError("榜单已截止征集，不再接受澄清问题。")
    question = checks.text(question, "问题", REASON_MAX)
    with transaction.atomic():
        item, created = Clarification.objects.get_or_create(challenge=challenge, asked_by=user, question=question)
        if created:
            audit.log_action(item, Action.ASK, user, data={"challenge": challenge.pk})
            notify(department(), "challenges.department", f"榜单澄清问题待答复：{challenge.title}", question,
                   link=challenge.get_absolute_url())
    return item


@transaction.atomic
def answer(user, clarification: Clarification, text: str) -> Clarification:
    """The department's answer, public to every bidder; those who asked or registered are told."""
    require(user, "challenges.manage", message="只有省科技厅可以答复澄清问题。")
    item = Clarification.objects.select_for_update().select_related("challenge").get(pk=clarification.pk)
    if item.answer:
        raise ChallengeError("该问题已答复。")
    item.answer = checks.text(text, "答复", REASON_MAX)
    item.answered_by, item.answered_at = user, timezone.now()
    item.save(update_fields=["answer", "answered_by", "answered_at"])
    audit.log_action(item, Action.ANSWER, user, data={"challenge": item.challenge_id})
    challenge = item.challenge
    waiting = get_user_model().objects.filter(
        Q(pk__in=challenge.proposals.values("submitted_by")) | Q(pk__in=challenge.clarifications.values("asked_by")))
    notify(waiting, "challenges.clarification", f"榜单澄清答复：{challenge.title}",
           f"问：{item.question}\n答：{item.answer}", link=challenge.get_absolute_url())
    return item


def public_clarifications(challenge: Challenge):
    return challenge.clarifications.exclude(answer="").order_by("answered_at", "pk")
