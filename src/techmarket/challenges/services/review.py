"""Staged review (docs/challenges.md, "Review"): formal check → expert draw (experts.services.assignment.assign,
conflicts excluded and recorded there) → anonymous scoring against the weighted criteria (dispersion flagged) →
stage gate → pitch (路演) scores → decision → public notice with objections (common.notices)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from techmarket.challenges.errors import ChallengeDuplicate, ChallengeError, ChallengeInputError
from techmarket.challenges.models import COMMENT_MAX, SCORE_MAX, Action, Challenge, Mode, Proposal, Score
from techmarket.challenges.rules import expert_of
from techmarket.challenges.services import checks
from techmarket.challenges.services.calls import locked, today
from techmarket.challenges.services.proposals import formal_problems
from techmarket.common import audit, notices
from techmarket.common.bounds import REASON_MAX
from techmarket.common.notifications import notify
from techmarket.common.permissions import allowed, require
from techmarket.experts.services.assignment import assign

S, P, St = Challenge.Status, Proposal.Status, Challenge.Stage
DISPERSION_LIMIT = Decimal(20)  # the spread (highest − lowest total) above which a proposal's scores are flagged
NOT_DEPARTMENT = "只有省科技厅可以组织评审。"


def _require_department(user) -> None:
    require(user, "challenges.manage", message=NOT_DEPARTMENT)


def _stage(challenge: Challenge, *stages: str) -> None:
    if challenge.status != S.REVIEW or challenge.stage not in stages:
        now = challenge.get_stage_display() if challenge.status == S.REVIEW else challenge.get_status_display()
        raise ChallengeError(f"榜单当前为“{now}”，不能进行此步骤。")


def _lock_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=proposal.pk)


def _tell_team(proposal: Proposal, title: str, body: str) -> None:
    if proposal.submitted_by_id:
        notify(proposal.submitted_by, "challenges.proposal", f"{title}：{proposal.challenge.title}", body,
               link=proposal.get_absolute_url())


@transaction.atomic
def formal_check(user, proposal: Proposal, passed: bool = True, reason: str = "") -> Proposal:
    """Pass or refuse a submitted proposal. What formal_problems finds (a required out-of-province partner missing,
    a tender without a price…) refuses it whatever the reviewer chose, with that reason."""
    _require_department(user)
    proposal = _lock_proposal(proposal)
    _stage(proposal.challenge, St.FORMAL)
    if proposal.status != P.SUBMITTED:
        raise ChallengeError(f"方案{proposal.get_status_display()}，不需要形式审查。")
    problems = formal_problems(proposal)
    reason = checks.text(reason, "审查意见", REASON_MAX, required=not passed and not problems)
    status = P.ELIGIBLE if passed and not problems else P.REFUSED
    text = "；".join([*problems, *([reason] if reason else [])])
    proposal.status, proposal.status_reason = status, text
    proposal.save(update_fields=["status", "status_reason", "updated_at"])
    audit.log_action(proposal, Action.FORMAL, user, from_value=P.SUBMITTED, to_value=status, reason=text,
                     data={"automatic": problems})
    _tell_team(proposal, "形式审查通过" if status == P.ELIGIBLE else "形式审查未通过",
               "方案通过形式审查，进入专家评审。" if status == P.ELIGIBLE else f"方案未通过形式审查。理由：{text}")
    return proposal


def eligible(challenge: Challenge):
    return challenge.proposals.filter(status=P.ELIGIBLE).order_by("code")


def parties(challenge: Challenge) -> list[int]:
    """The organisations reviewers must have no conflict with: the challenger, and every unit of the proposals
    under review (leads and partners known to the directory)."""
    ids = {challenge.challenger_id} if challenge.challenger_id else set()
    for proposal in eligible(challenge).prefetch_related("partners"):
        ids |= {p.organisation_id for p in proposal.partners.all() if p.organisation_id} | {proposal.organisation_id}
    return sorted(ids)


@transaction.atomic
def draw_panel(user, challenge: Challenge, *, seed: int | None = None, on: datetime.date | None = None) -> Challenge:
    """Once every proposal is checked, draw the reviewers through the expert pool (conflicted experts excluded and
    recorded with their reasons by experts.services.assignment) and start the scoring."""
    _require_department(user)
    challenge = locked(challenge)
    _stage(challenge, St.FORMAL)
    if challenge.proposals.filter(status=P.SUBMITTED).exists():
        raise ChallengeError("还有方案未完成形式审查。")
    if not eligible(challenge).exists():
        raise ChallengeError("没有通过形式审查的方案，无法组织专家评审。")
    panel = assign(challenge, [challenge.field.code], challenge.reviewers_count, organisation_ids=parties(challenge),
                   seed=seed, assigned_by=user, today=on)
    challenge.panel, challenge.stage = panel, St.SCORING
    challenge.save(update_fields=["panel", "stage", "updated_at"])
    audit.log_action(challenge, Action.DRAW, user, from_value=St.FORMAL, to_value=St.SCORING,
                     data={"assignment": panel.pk, "drawn": [e.expert_id for e in panel.drawn],
                           "excluded": [e.expert_id for e in panel.excluded]})
    _tell_experts(challenge, "评审任务", "您被抽取为榜单评审专家，请登录平台对方案进行评分。")
    return challenge


def panel_experts(challenge: Challenge):
    return [entry.expert for entry in challenge.panel.drawn] if challenge.panel_id else []


def _tell_experts(challenge: Challenge, title: str, body: str) -> None:
    users = get_user_model().objects.filter(expert_profile__in=[e.pk for e in panel_experts(challenge)])
    notify(users, "challenges.review", f"{title}：{challenge.title}", body,
           link=f"{challenge.get_absolute_url()}review/")


def weighted(challenge: Challenge, marks) -> tuple[list[int], Decimal]:
    criteria = challenge.criteria
    if not isinstance(marks, (list, tuple)) or len(marks) != len(criteria):
        raise ChallengeInputError(f"请为全部 {len(criteria)} 项评审要素打分。")
    clean = [checks.integer(m, f"“{c['name']}”的得分", 0, SCORE_MAX) for m, c in zip(marks, criteria, strict=True)]
    total = sum(Decimal(m * c["weight"]) for m, c in zip(clean, criteria, strict=True)) / Decimal(100)
    return clean, total.quantize(Decimal("0.01"), ROUND_HALF_UP)


def score(user, proposal: Proposal, marks, comment: str) -> Score:
    """An assigned expert's scores of a proposal at the challenge's current stage (专家评审 or 路演答辩), once."""
    proposal = Proposal.objects.select_related("challenge").get(pk=proposal.pk)
    challenge = proposal.challenge
    require(user, "challenges.score", challenge, hide=True)
    _stage(challenge, St.SCORING, St.PITCH)
    if proposal.status != P.ELIGIBLE:
        raise ChallengeError(f"方案{proposal.get_status_display()}，不需要评分。")
    stage = Score.Stage.PITCH if challenge.stage == St.PITCH else Score.Stage.REVIEW
    expert = expert_of(user)
    clean, total = weighted(challenge, marks)
    comment = checks.text(comment, "评审意见", COMMENT_MAX)
    existing = Score.objects.filter(proposal=proposal, expert=expert, stage=stage).first()
    if existing is not None:
        if existing.marks == clean and existing.comment == comment:
            return existing
        raise ChallengeDuplicate("您已对该方案评分，评分提交后不能修改。")
    try:
        with transaction.atomic():
            item = Score.objects.create(proposal=proposal, expert=expert, stage=stage, marks=clean, total=total,
                                        comment=comment)
            audit.log_action(proposal, Action.SCORE if stage == Score.Stage.REVIEW else Action.PITCH, user,
                             to_value=str(total), data={"stage": stage, "marks": clean})
    except IntegrityError:
        raise ChallengeDuplicate("您已对该方案评分，评分提交后不能修改。") from None
    return item


@dataclass
class Tally:
    proposal: Proposal
    count: int
    mean: Decimal | None
    spread: Decimal | None

    @property
    def dispersed(self) -> bool:
        return self.spread is not None and self.spread > DISPERSION_LIMIT


def tally(challenge: Challenge, stage: str, proposals=None) -> list[Tally]:
    """Each proposal's mean of the stage's totals and its spread, best first; a spread above DISPERSION_LIMIT is
    flagged (the department should ask the experts to explain before deciding)."""
    proposals = list(proposals if proposals is not None else eligible(challenge))
    totals: dict[int, list[Decimal]] = {p.pk: [] for p in proposals}
    for proposal_id, total in Score.objects.filter(proposal__in=proposals, stage=stage).values_list("proposal",
                                                                                                    "total"):
        totals[proposal_id].append(total)
    out = []
    for proposal in proposals:
        values = totals[proposal.pk]
        mean = (sum(values) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP) if values else None
        out.append(Tally(proposal, len(values), mean, max(values) - min(values) if values else None))
    return sorted(out, key=lambda t: (t.mean is None, -(t.mean or 0), t.proposal.code))


@transaction.atomic
def stage_gate(user, challenge: Challenge, eliminate: list[Proposal], reason: str) -> list[Proposal]:
    """A stage gate during the review (赛马制 and any staged review): the proposals named leave the competition,
    with the reason; the others go on."""
    _require_department(user)
    challenge = locked(challenge)
    _stage(challenge, St.SCORING, St.PITCH)
    reason = checks.text(reason, "淘汰理由", REASON_MAX)
    ids = {p.pk for p in eliminate}
    out = list(challenge.proposals.select_for_update().filter(pk__in=ids, status=P.ELIGIBLE))
    if len(out) != len(ids) or not out:
        raise ChallengeInputError("只能淘汰仍在评审中的方案。")
    if eligible(challenge).count() - len(out) < 1:
        raise ChallengeError("阶段淘汰后须至少保留一个方案。")
    for proposal in out:
        proposal.status, proposal.status_reason = P.ELIMINATED, reason
        proposal.save(update_fields=["status", "status_reason", "updated_at"])
        audit.log_action(proposal, Action.GATE, user, from_value=P.ELIGIBLE, to_value=P.ELIMINATED, reason=reason,
                         data={"stage": challenge.stage})
        _tell_team(proposal, "方案在阶段评审中被淘汰", f"理由：{reason}")
    return out


@transaction.atomic
def open_pitch(user, challenge: Challenge) -> Challenge:
    """After the experts' scoring, the proposals still in the competition defend their plans (路演答辩)."""
    _require_department(user)
    challenge = locked(challenge)
    _stage(challenge, St.SCORING)
    unscored = [t.proposal.code for t in tally(challenge, Score.Stage.REVIEW) if not t.count]
    if unscored:
        raise ChallengeError(f"以下方案还没有专家评分：{'、'.join(unscored)}。")
    challenge.stage = St.PITCH
    challenge.save(update_fields=["stage", "updated_at"])
    audit.log_action(challenge, Action.OPEN_PITCH, user, from_value=St.SCORING, to_value=St.PITCH)
    _tell_experts(challenge, "路演评分", "榜单进入路演答辩，请对路演方案评分。")
    for proposal in eligible(challenge):
        _tell_team(proposal, "进入路演答辩", "方案进入路演答辩，请按通知参加路演。")
    return challenge


def result_text(challenge: Challenge, winners: list[Proposal], reason: str) -> str:
    lines = [f"经形式审查、专家评审{'、路演答辩' if challenge.stage == St.PITCH else ''}，"
             f"榜单“{challenge.title}”（{challenge.get_mode_display()}）拟支持以下团队："]
    lines += [f"{i}. {p.team_name}（牵头单位：{p.organisation.name}；参与单位："
              f"{'、'.join(x.name for x in p.partners.all() if not x.lead) or '无'}）"
              for i, p in enumerate(winners, 1)]
    lines.append(f"决定理由：{reason}")
    lines.append("公示期内，对结果有异议的，请登录平台提出异议并说明理由。")
    return "\n".join(lines)


@transaction.atomic
def decide(user, challenge: Challenge, winners: list[Proposal], reason: str, *,
           on: datetime.date | None = None) -> Challenge:
    """The department's decision: the winning team (several for 赛马制, up to the number the call named), and the
    public notice of the result for the call's period (common.notices: objections filed and resolved there)."""
    _require_department(user)
    on = on or today()
    challenge = locked(challenge)
    _stage(challenge, St.SCORING, St.PITCH)
    reason = checks.text(reason, "决定理由", REASON_MAX)
    ids = list(dict.fromkeys(p.pk for p in winners))
    chosen = list(eligible(challenge).filter(pk__in=ids).select_related("organisation").prefetch_related("partners"))
    if not chosen or len(chosen) != len(ids):
        raise ChallengeInputError("入选方案须为仍在评审中的方案。")
    limit = challenge.winners_count if challenge.mode == Mode.RACE else 1
    if len(chosen) > limit:
        raise ChallengeInputError(f"该榜单最多支持 {limit} 个团队。")
    stage = Score.Stage.PITCH if challenge.stage == St.PITCH else Score.Stage.REVIEW
    missing = [t.proposal.code for t in tally(challenge, stage, chosen) if not t.count]
    if missing:
        raise ChallengeError(f"入选方案须有{Score.Stage(stage).label}评分：{'、'.join(missing)}。")
    for proposal in eligible(challenge).select_for_update(of=("self",)):
        status = P.SELECTED if proposal.pk in ids else P.NOT_SELECTED
        proposal.status = status
        proposal.save(update_fields=["status", "updated_at"])
        _tell_team(proposal, "入选" if status == P.SELECTED else "未入选",
                   "方案拟入选，结果公示期满无异议后签订任务书。" if status == P.SELECTED else "方案未入选。感谢参与。")
    notice = notices.publish_notice(challenge, f"榜单结果公示：{challenge.title}"[:300],
                                    result_text(challenge, chosen, reason), challenge.notice_days, on,
                                    kind="challenge-result", by=user)
    before = challenge.stage
    challenge.status, challenge.stage, challenge.notice = S.NOTICE, St.DECIDED, notice
    challenge.decided_on, challenge.decision_reason = on, reason
    challenge.save(update_fields=["status", "stage", "notice", "decided_on", "decision_reason", "updated_at"])
    audit.log_action(challenge, Action.DECIDE, user, from_value=before, to_value=S.NOTICE, reason=reason,
                     data={"winners": ids, "notice": notice.pk})
    audit.log_action(challenge, Action.NOTICE, user, to_value=f"{notice.opens_on}—{notice.closes_on}")
    return challenge


def can_score(user, challenge: Challenge) -> bool:
    return allowed(user, "challenges.score", challenge) and challenge.status == S.REVIEW and challenge.stage in (
        St.SCORING, St.PITCH)


def my_scores(user, challenge: Challenge) -> dict[int, Score]:
    expert = expert_of(user)
    if expert is None:
        return {}
    stage = Score.Stage.PITCH if challenge.stage == St.PITCH else Score.Stage.REVIEW
    return {s.proposal_id: s for s in Score.objects.filter(proposal__challenge=challenge, expert=expert,
                                                           stage=stage)}

