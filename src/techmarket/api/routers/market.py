"""Technology contracts and their registration (read only), and the public statistics (docs/market.md, "API").

Contracts and registrations are answered to the users who may see them on the site: verified members of a party,
staff of the registry that examines them, administrators; anyone else gets 401 (anonymous) or an empty list / 404.
Statistics are public aggregates: counts and amounts, no contract, organisation or person. Amounts are decimal
strings in yuan."""

import datetime
from typing import Annotated, Literal

from django.db.models import Prefetch
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from techmarket.api.schemas import MAX_ID, Error
from techmarket.common import audit
from techmarket.common.bounds import DateIn
from techmarket.market.models import ContractParty, Registration
from techmarket.market.services import contracts as contract_service
from techmarket.market.services import payments as payment_service
from techmarket.market.services import registration as registration_service
from techmarket.market.services.rules import rules
from techmarket.market.services.statistics import Filters, statistics

router = Router(tags=["market"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
RegistrationStatus = Literal[tuple(Registration.Status.values)]


def _require_login(request) -> None:
    if not request.user.is_authenticated:
        raise HttpError(401, "请先登录。")


class Page(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class RegistrationQuery(Page):
    status: RegistrationStatus | None = Field(None, description="登记状态")


class StatisticsQuery(Schema):
    start: DateIn | None = Field(None, description="登记日期起（1985-01-01 起）")
    end: DateIn | None = Field(None, description="登记日期止")
    contract_type: str = Field("", max_length=40, pattern=r"^[a-z-]*$", description="合同类型代码")
    registry: str = Field("", max_length=40, pattern=r"^[a-z0-9-]*$", description="登记机构代码")
    field: str = Field("", max_length=60, pattern=r"^[A-Za-z0-9._-]*$", description="技术领域代码")
    on_platform: bool | None = Field(None, description="是否经平台成交")


class PartyOut(Schema):
    organisation_id: int
    name: str
    role: str
    role_name: str
    side: str
    location: str
    registering: bool


class MilestoneOut(Schema):
    kind: str
    description: str
    amount: str | None
    due_on: datetime.date | None
    done_on: datetime.date | None


class RegistrationRef(Schema):
    id: int
    status: str
    number: str | None


class ContractOut(Schema):
    id: int
    title: str
    contract_type: str
    type_name: str
    signed_on: datetime.date
    total_amount: str
    technology_amount: str
    made_on_platform: bool
    field: str | None
    listings: list[str]
    parties: list[PartyOut]
    milestones: list[MilestoneOut]
    registrations: list[RegistrationRef]


class PaymentOut(Schema):
    id: int
    received_on: datetime.date
    amount: str
    evidence: dict = Field(description="到账凭证：id、文件名、下载地址")
    note: str
    organisation: dict = Field(description="记录单位")
    recorded_at: datetime.datetime
    withdrawn: bool
    withdrawn_at: datetime.datetime | None
    withdrawal_reason: str


class PaymentsOut(Schema):
    contract_id: int
    total_amount: str
    paid_total: str = Field(description="实际到位金额：未撤回的到账记录之和（元）")
    items: list[PaymentOut]


class ContractPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ContractOut]


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    reason: str
    at: datetime.datetime


class RegistrationOut(Schema):
    id: int
    contract_id: int
    contract_title: str
    registry: dict
    organisation: dict
    status: str
    status_label: str
    number: str | None
    external: bool
    external_registry: str
    external_number: str
    received_on: datetime.date
    due_on: datetime.date
    overdue: bool
    decided_at: datetime.datetime | None
    decided_late: bool
    registered_on: datetime.date | None
    technology_amount: str | None
    reasons: str
    cancel_kind: str
    events: list[EventOut]


class RegistrationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RegistrationOut]


class BucketOut(Schema):
    key: str
    label: str
    count: int
    amount: str
    total_amount: str


class TableOut(Schema):
    key: str
    title: str
    items: list[BucketOut]


class FigureOut(Schema):
    count: int
    amount: str


class StatisticsOut(Schema):
    count: int
    amount: str = Field(description="认定技术交易额合计（元）")
    total_amount: str
    absorbed: FigureOut = Field(description="吸纳省外技术：买方在省内、卖方在省外或境外")
    introduced: FigureOut = Field(description="引进技术成果：吸纳中的技术转让、技术许可合同")
    on_platform: FigureOut
    tables: list[TableOut]


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def contract_out(contract) -> dict:
    r = rules()
    return {
        "id": contract.pk, "title": contract.title, "contract_type": contract.contract_type,
        "type_name": r.type_name(contract.contract_type), "signed_on": contract.signed_on,
        "total_amount": _money(contract.total_amount), "technology_amount": _money(contract.technology_amount),
        "made_on_platform": contract.made_on_platform, "field": contract.field.code if contract.field_id else None,
        "listings": [listing.reference for listing in contract.listings.all()],
        "parties": [{"organisation_id": p.organisation_id, "name": p.organisation.name, "role": p.role,
                     "role_name": r.role_name(contract.contract_type, p.role),
                     "side": r.side_of(contract.contract_type, p.role), "location": p.location,
                     "registering": p.is_registering_party} for p in contract.parties.all()],
        "milestones": [{"kind": m.kind, "description": m.description, "amount": _money(m.amount), "due_on": m.due_on,
                        "done_on": m.done_on} for m in contract.milestones.all()],
        "registrations": [{"id": reg.pk, "status": reg.status, "number": reg.number}
                          for reg in contract.registrations.all()],
    }


def registration_out(registration) -> dict:
    return {
        "id": registration.pk, "contract_id": registration.contract_id, "contract_title": registration.contract.title,
        "registry": {"code": registration.registry.code, "name": registration.registry.name},
        "organisation": {"id": registration.organisation_id, "name": registration.organisation.name},
        "status": registration.status, "status_label": registration.get_status_display(),
        "number": registration.number, "external": registration.external,
        "external_registry": registration.external_registry, "external_number": registration.external_number,
        "received_on": registration.received_on, "due_on": registration.due_on,
        "overdue": registration_service.is_overdue(registration), "decided_at": registration.decided_at,
        "decided_late": registration.decided_late, "registered_on": registration.registered_on,
        "technology_amount": _money(registration.technology_amount), "reasons": registration.reasons,
        "cancel_kind": registration.cancel_kind,
        "events": [{"action": e.action, "label": e.action_label, "from_status": e.from_value,
                    "to_status": e.to_value, "reason": e.reason, "at": e.at} for e in audit.history_for(registration)],
    }


def _contracts(request):
    return contract_service.visible_contracts(request.user).select_related("field").prefetch_related(
        Prefetch("parties", queryset=ContractParty.objects.select_related("organisation")),
        "milestones", "listings", "registrations",
    ).order_by("-created_at", "-id")


def _registrations(request):
    return registration_service.visible_registrations(request.user).select_related(
        "registry", "organisation", "contract").order_by("-submitted_at", "-id")


@router.get("/contracts", response={200: ContractPage, 401: Error}, summary="我可查看的技术合同")
def list_contracts(request, params: Query[Page]):
    _require_login(request)
    qs = _contracts(request)
    return {"count": qs.count(), "limit": params.limit, "offset": params.offset,
            "items": [contract_out(c) for c in qs[params.offset: params.offset + params.limit]]}


@router.get("/contracts/{contract_id}", response={200: ContractOut, 401: Error, 404: Error}, summary="技术合同详情")
def get_contract(request, contract_id: Path[Id]):
    _require_login(request)
    contract = _contracts(request).filter(pk=contract_id).first()
    if contract is None:
        raise HttpError(404, "未找到该合同。")
    return contract_out(contract)


def payment_out(payment) -> dict:
    evidence = payment.evidence
    return {
        "id": payment.pk, "received_on": payment.received_on, "amount": _money(payment.amount),
        "evidence": {"id": evidence.pk, "name": evidence.name,
                     "url": reverse("market:attachment", args=[evidence.pk])},
        "note": payment.note, "organisation": {"id": payment.organisation_id, "name": payment.organisation.name},
        "recorded_at": payment.created_at, "withdrawn": payment.withdrawn_at is not None,
        "withdrawn_at": payment.withdrawn_at, "withdrawal_reason": payment.withdrawal_reason,
    }


@router.get("/contracts/{contract_id}/payments", response={200: PaymentsOut, 401: Error, 404: Error},
            summary="合同的到账记录（到位金额）")
def get_contract_payments(request, contract_id: Path[Id]):
    """The payments recorded against a contract, withdrawn ones included (marked), oldest first, and the total
    of the current ones; to whoever may see the contract."""
    _require_login(request)
    contract = contract_service.visible_contracts(request.user).filter(pk=contract_id).first()
    if contract is None:
        raise HttpError(404, "未找到该合同。")
    payments = contract.payments.select_related("evidence", "organisation").order_by("received_on", "id")
    return {"contract_id": contract.pk, "total_amount": _money(contract.total_amount),
            "paid_total": _money(payment_service.paid_total(contract)),
            "items": [payment_out(p) for p in payments]}


@router.get("/registrations", response={200: RegistrationPage, 401: Error}, summary="我可查看的登记申请")
def list_registrations(request, params: Query[RegistrationQuery]):
    _require_login(request)
    qs = _registrations(request)
    if params.status:
        qs = qs.filter(status=params.status)
    return {"count": qs.count(), "limit": params.limit, "offset": params.offset,
            "items": [registration_out(r) for r in qs[params.offset: params.offset + params.limit]]}


@router.get("/registrations/{registration_id}", response={200: RegistrationOut, 401: Error, 404: Error},
            summary="登记申请详情及记录")
def get_registration(request, registration_id: Path[Id]):
    _require_login(request)
    registration = _registrations(request).filter(pk=registration_id).first()
    if registration is None:
        raise HttpError(404, "未找到该登记申请。")
    return registration_out(registration)


@router.get("/statistics", response=StatisticsOut, summary="技术合同登记统计（公开汇总数据）")
def get_statistics(request, params: Query[StatisticsQuery]):
    result = statistics(Filters(start=params.start, end=params.end, contract_type=params.contract_type,
                                registry=params.registry, field=params.field, on_platform=params.on_platform))

    def figure(f):
        return {"count": f.count, "amount": _money(f.amount)}

    return {
        "count": result.count, "amount": _money(result.amount), "total_amount": _money(result.total_amount),
        "absorbed": figure(result.absorbed), "introduced": figure(result.introduced),
        "on_platform": figure(result.on_platform),
        "tables": [{"key": key, "title": title, "items": [
            {"key": b.key, "label": b.label, "count": b.count, "amount": _money(b.amount),
             "total_amount": _money(b.total_amount)} for b in buckets]}
            for key, (title, buckets) in result.tables.items()],
    }
