"""Open challenges (榜单; read only, public; docs/api.md, "Challenges", and docs/challenges.md): the published
calls with their answered clarifications and figures and, once the result notice (公示) is out, the result. Nothing
confidential is served here: no proposal, score, comment, reviewer, asker or contact; drafts and challenges waiting
for approval answer 404, as on the pages."""

from typing import Annotated

from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from techmarket.api.schemas import MAX_ID, Error
from techmarket.challenges.models import Challenge, Mode, Proposal
from techmarket.challenges.services import calls, search, statistics
from techmarket.common import notices

router = Router(tags=["challenges"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
HIDDEN = (Challenge.Status.DRAFT, Challenge.Status.PENDING, Challenge.Status.REJECTED)
PUBLIC = [s for s in Challenge.Status.values if s not in HIDDEN]


class ChallengeQuery(Schema):
    q: str = Field("", max_length=100, description="检索词（榜单名称、攻关任务）")
    mode: str = Field("", max_length=20, pattern=f"^({'|'.join(['', *Mode.values])})$",
                      description="组织方式：entrust、open、race、post、tender")
    status: str = Field("", max_length=20, pattern=f"^({'|'.join(['', *PUBLIC])})$",
                        description="状态：published、review、notice、implementing、finished、cancelled")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


def public():
    return Challenge.objects.filter(status__in=PUBLIC).select_related("field", "challenger", "notice")


def _summary(c: Challenge) -> dict:
    return {"id": c.pk, "title": c.title, "mode": c.mode, "mode_label": c.get_mode_display(),
            "status": c.status, "status_label": c.get_status_display(), "field": c.field.name,
            "challenger": c.challenger.name if c.challenger else "", "public_funds": str(c.public_funds),
            "own_funds": str(c.own_funds), "deadline": c.deadline, "published_on": c.published_on,
            "joint_required": c.joint_required, "url": c.get_absolute_url()}


def _result(c: Challenge) -> dict | None:
    """After the notice: who was selected (team and lead organisation), why, and the notice with its outcome."""
    if c.notice_id is None:
        return None
    winners = c.proposals.filter(status=Proposal.Status.SELECTED).select_related("organisation").order_by("pk")
    return {"decided_on": c.decided_on, "reason": c.decision_reason,
            "winners": [{"team": p.team_name, "organisation": p.organisation.name} for p in winners],
            "notice": {"title": c.notice.title, "opens_on": c.notice.opens_on, "closes_on": c.notice.closes_on,
                       "outcome": notices.outcome(c.notice),
                       "outcome_label": notices.OUTCOME_LABELS[notices.outcome(c.notice)],
                       "url": notices.notice_url(c.notice)}}


def _detail(c: Challenge) -> dict:
    figures = statistics.call_figures(c)
    return {**_summary(c), "problem": c.problem, "indicators": c.indicators, "criteria": c.criteria,
            "payment_terms": c.payment_terms, "eligibility": c.eligibility, "ip_terms": c.ip_terms,
            "confidentiality": c.confidentiality, "reviewers_count": c.reviewers_count,
            "winners_count": c.winners_count, "notice_days": c.notice_days,
            "clarifications": [{"question": item.question, "answer": item.answer, "answered_at": item.answered_at}
                               for item in calls.public_clarifications(c)],
            "figures": {"registrations": figures.registrations, "withdrawn": figures.withdrawn,
                        "regions": [{"region": name, "count": n} for name, n in figures.regions],
                        "trend": [{"day": day, "count": n} for day, n in figures.trend]},
            "result": _result(c)}


@router.get("", summary="榜单列表（已发布）")
def list_challenges(request, params: Query[ChallengeQuery]):
    qs = public()
    if params.mode:
        qs = qs.filter(mode=params.mode)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.q.strip():
        rank = {hit.pk: i for i, hit in enumerate(search.search(params.q))}
        items = sorted(qs.filter(pk__in=list(rank)), key=lambda c: rank[c.pk])
        return {"count": len(items), "limit": params.limit, "offset": params.offset,
                "items": [_summary(c) for c in items[params.offset: params.offset + params.limit]]}
    return {"count": qs.count(), "limit": params.limit, "offset": params.offset,
            "items": [_summary(c) for c in qs[params.offset: params.offset + params.limit]]}


@router.get("/{challenge_id}", response={200: dict, 404: Error},
            summary="榜单详情：榜单内容、澄清问答、报名情况，公示后含评审结果")
def get_challenge(request, challenge_id: Path[Id]):
    challenge = public().filter(pk=challenge_id).first()
    if challenge is None:
        raise HttpError(404, "未找到该榜单。")
    return _detail(challenge)
