"""Enterprise services (docs/enterprises.md): the caller's innovation points with their derivation, financing needs
(the enterprise's own, or those shared with the caller's financial institution) and posting one, the province's open
needs as aggregates, and a check-up's report. Everything the services allow on the pages, nothing more: a need is
seen by its enterprise, the institutions it chose and the department; others get 404."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from techmarket.api.schemas import MAX_ID, Error
from techmarket.api.security import session_auth
from techmarket.common.bounds import MAX_AMOUNT
from techmarket.common.permissions import allowed
from techmarket.enterprises.models import MAX_TERM_MONTHS, EnterpriseSize, FinancingKind, FinancingNeed, Security
from techmarket.enterprises.services import checkups, financing, points
from techmarket.enterprises.services.financing import NeedInput

router = Router(tags=["enterprises"])
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class EnterprisePointsLineOut(Schema):
    group: str
    name: str
    value: str | None
    unit: str
    weight: str
    points: str
    explanation: str


class EnterprisePointsOut(Schema):
    organisation: str
    total: str
    confirmed: bool
    lines: list[EnterprisePointsLineOut]
    history: list[dict]


class EnterpriseNeedIn(Schema):
    kind: Literal[tuple(FinancingKind.values)]
    amount: Decimal = Field(..., gt=0, le=MAX_AMOUNT, max_digits=14, decimal_places=2, description="金额（元）")
    use: str = Field(..., min_length=1, max_length=2000)
    term_months: int = Field(..., ge=1, le=MAX_TERM_MONTHS)
    security: Literal[tuple(Security.values)]
    security_note: str = Field("", max_length=300)
    field: str = Field(..., min_length=1, max_length=50, description="顶层领域代码")
    size: Literal[tuple(EnterpriseSize.values)]
    share_with: list[Id] = Field(default_factory=list, max_length=100, description="可查看企业信息的金融机构")


class EnterpriseResponseOut(Schema):
    institution: str
    status: str
    granted_amount: str | None
    rate: str | None
    granted_on: datetime.date | None


class EnterpriseNeedOut(Schema):
    id: int
    enterprise: str
    kind: str
    amount: str
    use: str
    term_months: int
    security: str
    status: str
    created_on: datetime.date
    responses: list[EnterpriseResponseOut]
    url: str


class EnterpriseAggregateOut(Schema):
    kind: str
    count: int
    total: str


class EnterpriseReportLineOut(Schema):
    label: str
    value: str | None
    peer_median: str | None


class EnterpriseReportOut(Schema):
    id: int
    enterprise: str
    completed_on: datetime.date
    run_by: str
    field: str
    peers: str
    comparisons: list[EnterpriseReportLineOut]


def _need_out(user, need: FinancingNeed) -> dict:
    responses = need.responses.select_related("institution")
    if not (allowed(user, "enterprises.manage_need", need) or allowed(user, "enterprises.verify_recognition")):
        responses = responses.filter(institution_id=user.organisation_id)  # an institution sees its own response
    return {"id": need.pk, "enterprise": need.organisation.name, "kind": need.get_kind_display(),
            "amount": f"{need.amount:.2f}", "use": need.use, "term_months": need.term_months,
            "security": need.get_security_display(), "status": need.get_status_display(),
            "created_on": need.created_at.date(), "url": need.get_absolute_url(),
            "responses": [{"institution": r.institution.name, "status": r.get_status_display(),
                           "granted_amount": None if r.granted_amount is None else f"{r.granted_amount:.2f}",
                           "rate": None if r.rate is None else f"{r.rate}", "granted_on": r.granted_on}
                          for r in responses]}


@router.get("/points", response={200: EnterprisePointsOut, 401: Error, 403: Error}, auth=session_auth,
            summary="本企业的创新积分及计算过程")
def my_points(request):
    user = request.auth
    if not allowed(user, "enterprises.run_checkup"):
        raise HttpError(403, checkups.NOT_MEMBER)
    facts, _ = points.facts_of(user.organisation)
    total, lines = points.compute(facts)
    return {"organisation": user.organisation.name, "total": f"{total:.2f}",
            "confirmed": points.weights().source.confirmed,
            "lines": [{**line.as_dict(), "explanation": line.explanation} for line in lines],
            "history": [{"year": h.year, "total": f"{h.total:.2f}", "computed_at": h.computed_at.isoformat()}
                        for h in points.history(user.organisation)]}


@router.get("/financing/statistics", response={200: list[EnterpriseAggregateOut]},
            summary="全省征集中的融资需求汇总（不足五项不公布）")
def financing_statistics(request):
    names = dict(FinancingKind.choices)
    return [{"kind": names[kind], "count": count, "total": f"{total:.2f}"}
            for kind, (count, total) in financing.aggregates().items()]


@router.get("/financing/needs", response={200: list[EnterpriseNeedOut], 401: Error}, auth=session_auth,
            summary="本企业的融资需求，或企业向本机构开放的融资需求")
def needs(request):
    user = request.auth
    if allowed(user, "enterprises.lend"):
        items = (FinancingNeed.objects.filter(shared_with=user.organisation_id).select_related("organisation")
                 .order_by("-created_at", "-id")[:200])
    else:
        items = financing.needs_of(user)[:200]
    return [_need_out(user, need) for need in items]


@router.post("/financing/needs", response={201: EnterpriseNeedOut, 400: Error, 401: Error, 403: Error, 409: Error},
             auth=session_auth, summary="发布融资需求（同类征集中的需求至多一项）")
def post_need(request, payload: EnterpriseNeedIn):
    need = financing.post_need(request.auth, NeedInput(**payload.dict()))
    return Status(201, _need_out(request.auth, need))


@router.get("/financing/needs/{need_id}", response={200: EnterpriseNeedOut, 401: Error, 404: Error},
            auth=session_auth, summary="融资需求详情")
def need_detail(request, need_id: Id):
    return _need_out(request.auth, financing.need_for(request.auth, need_id))


@router.get("/checkups/{checkup_id}", response={200: EnterpriseReportOut, 401: Error, 404: Error}, auth=session_auth,
            summary="科技体检报告（与五家以上同类企业的中位数比较）")
def checkup_report(request, checkup_id: Id):
    from techmarket.enterprises.models import Checkup

    checkup = Checkup.objects.select_related("organisation").filter(pk=checkup_id).first()
    if checkup is None or not allowed(request.auth, "enterprises.view_checkup", checkup):
        raise HttpError(404, "未找到，或您无权查看。")
    report = checkups.report(checkup)
    return {"id": checkup.pk, "enterprise": checkup.organisation.name, "completed_on": checkup.completed_at.date(),
            "run_by": checkup.get_run_by_display(), "field": report.field_name, "peers": report.peers,
            "comparisons": [{"label": c.label, "value": None if c.value is None else f"{c.value:.2f}",
                             "peer_median": None if c.peer_median is None else f"{c.peer_median:.2f}"}
                            for c in report.comparisons]}
