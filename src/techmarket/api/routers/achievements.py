"""Achievements (科技成果; docs/achievements.md, "API"): the public part of the records with their latest completed
evaluation, the confidential part only for the owner's members, the evaluators and reviewers (as on the pages);
publishing an agreed-price notice (协议定价公示, at least 15 days: shorter is refused by the schema and the
service); the year's annual-report totals."""

from decimal import Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status

from techmarket.achievements.models import Achievement
from techmarket.achievements.services import evaluation, pricing, records, reports
from techmarket.achievements.services.criteria import reporting
from techmarket.api.schemas import MAX_ID, Error
from techmarket.api.security import session_auth
from techmarket.common import notices
from techmarket.common.bounds import MAX_BUDGET_WAN, NAME_MAX

router = Router(tags=["achievements"])
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class AchievementQuery(Schema):
    kind: str = Field("", max_length=20, pattern=f"^({'|'.join(['', *Achievement.Kind.values])})$",
                      description="成果类型：" + "、".join(Achievement.Kind.values))
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class AchievementCriterionOut(Schema):
    code: str
    name: str
    max: int
    average: float | None


class AchievementEvaluationOut(Schema):
    mode: str
    mode_label: str
    completed_at: str
    total: Decimal
    level: str
    criteria: list[AchievementCriterionOut]


class AchievementSummaryOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    ip_number: str
    ip_status: str
    ip_status_label: str
    trl: int
    field: str
    owner: str
    public_funds: bool
    listing: str | None
    url: str
    evaluation: AchievementEvaluationOut | None


class AchievementCompleterOut(Schema):
    name: str
    share: Decimal


class AchievementOut(AchievementSummaryOut):
    summary: str
    confidential: str | None = Field(None, description="仅持有单位成员、评估专家和审核人员可见")
    completers: list[AchievementCompleterOut] | None = None


class AchievementPageOut(Schema):
    total: int
    items: list[AchievementSummaryOut]


class AchievementPriceNoticeIn(Schema):
    price: Decimal = Field(..., ge=0, le=MAX_BUDGET_WAN, max_digits=10, decimal_places=2,
                           description="拟交易价格（万元）")
    buyer: str = Field(..., min_length=1, max_length=NAME_MAX, description="拟受让方")
    days: int = Field(..., ge=reporting().price_notice_min_days, le=reporting().price_notice_max_days,
                      description="公示期（日），不少于 15 日")


class AchievementPriceNoticeOut(Schema):
    id: int
    title: str
    opens_on: str
    closes_on: str
    outcome: str
    url: str


class AchievementReportTotalsOut(Schema):
    year: int
    units: int
    contracts: int
    contracts_amount: Decimal
    income: Decimal
    rewards: Decimal
    achievements: int


def _evaluation(a: Achievement) -> dict | None:
    done = evaluation.latest_completed(a)
    if done is None:
        return None
    return {"mode": done.mode, "mode_label": done.get_mode_display(), "completed_at": done.completed_at.isoformat(),
            "total": done.total, "level": done.level, "criteria": evaluation.criteria_rows(done)}


def _summary(a: Achievement) -> dict:
    return {"id": a.pk, "title": a.title, "kind": a.kind, "kind_label": a.get_kind_display(),
            "ip_number": a.ip_number, "ip_status": a.ip_status, "ip_status_label": a.get_ip_status_display(),
            "trl": a.trl, "field": a.field.name if a.field else "", "owner": a.owner.name,
            "public_funds": a.public_funds, "listing": a.listing.reference if a.listing_id else None,
            "url": a.get_absolute_url(), "evaluation": _evaluation(a)}


@router.get("", response=AchievementPageOut, summary="科技成果列表（公开部分）")
def achievement_list(request, query: Query[AchievementQuery]):
    qs = records.public_list().select_related("listing")
    if query.kind:
        qs = qs.filter(kind=query.kind)
    return {"total": qs.count(), "items": [_summary(a) for a in qs[query.offset:query.offset + query.limit]]}


@router.get("/report-totals/{year}", response=AchievementReportTotalsOut,
            summary="某年度科技成果转化年度报告汇总（已报送和已转报的报告）")
def report_totals(request, year: int = Path(..., ge=2000, le=2100)):
    return reports.year_totals(year)


@router.get("/{achievement_id}", response={200: AchievementOut, 404: Error}, summary="科技成果详情")
def achievement_detail(request, achievement_id: Id):
    a = get_object_or_404(Achievement.objects.select_related("owner", "field", "listing"), pk=achievement_id)
    body = {**_summary(a), "summary": a.summary}
    if records.can_see_confidential(request.user, a):
        body["confidential"] = a.confidential
        body["completers"] = [{"name": c.name, "share": c.share} for c in a.completers.all()]
    return body


@router.post("/{achievement_id}/price-notices",
             response={201: AchievementPriceNoticeOut, 400: Error, 401: Error, 403: Error, 404: Error, 409: Error},
             auth=session_auth, summary="发布协议定价公示（公示期不少于 15 日）")
def publish_price_notice(request, payload: AchievementPriceNoticeIn, achievement_id: Id):
    a = get_object_or_404(Achievement, pk=achievement_id)
    record = pricing.publish(request.auth, a, payload.price, payload.buyer, payload.days)
    n = record.notice
    return Status(201, {"id": n.pk, "title": n.title, "opens_on": n.opens_on.isoformat(),
                        "closes_on": n.closes_on.isoformat(), "outcome": notices.outcome(n),
                        "url": notices.notice_url(n)})
