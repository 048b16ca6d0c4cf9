"""The registers of the service ecosystem (read only, public; docs/ecosystem.md, "API"): filed transfer
institutions with their standing, record and sanctions, and brokers with their status (on a date, if asked).
Identity numbers are never part of a response; a broker's personal contacts only for verified users."""

import datetime
from typing import Annotated

from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from techmarket.api.schemas import MAX_ID, Error
from techmarket.common.permissions import allowed
from techmarket.ecosystem.models import Broker, Institution
from techmarket.ecosystem.services import brokers as broker_service
from techmarket.ecosystem.services import institutions as institution_service

router = Router(tags=["ecosystem"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Page(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class InstitutionQuery(Page):
    q: str = Field("", max_length=100)
    region: str = Field("", max_length=40)
    status: str = Field("", max_length=20)


class BrokerQuery(Page):
    q: str = Field("", max_length=100)
    status: str = Field("", max_length=20)
    on: datetime.date | None = Field(None, description="资格状态的查询日期（默认今天）")


def _sanction(s) -> dict:
    return {"kind": s.kind, "kind_label": s.get_kind_display(), "starts_on": s.starts_on, "ends_on": s.ends_on,
            "article": s.article, "reason": s.reason, "in_force": s.in_force_on(institution_service.today())}


def _institution(i: Institution, full: bool = False) -> dict:
    out = {"id": i.pk, "name": i.name, "organisation": i.organisation.name, "organisation_id": i.organisation_id,
           "region": i.organisation.region.name if i.organisation.region else "", "kind": i.kind,
           "status": i.status, "standing": institution_service.standing_label(i), "approved_on": i.approved_on,
           "closed_on": i.closed_on, "services": i.services, "url": i.get_absolute_url(),
           "sanctions": [_sanction(s) for s in i.sanctions.all()]}
    if full:
        out["record"] = [{"title": c.title, "signed_on": c.signed_on, "technology_amount": str(c.technology_amount),
                          "registered": c.registered} for c in institution_service.record(i)]
        out["annual"] = [{"year": y.year, "contracts": y.contracts, "registered": y.registered,
                          "amount": str(y.amount)} for y in institution_service.annual_figures(i)]
    return out


@router.get("/institutions", summary="技术转移机构名录")
def list_institutions(request, params: Query[InstitutionQuery]):
    qs = institution_service.register(institution_service.RegisterFilters(params.region, params.status, params.q))
    return {"count": qs.count(), "limit": params.limit, "offset": params.offset,
            "items": [_institution(i) for i in qs[params.offset: params.offset + params.limit]]}


@router.get("/institutions/{institution_id}", response={200: dict, 404: Error}, summary="技术转移机构及其成交记录")
def get_institution(request, institution_id: Path[Id]):
    institution = institution_service.register().filter(pk=institution_id).first()
    if institution is None:
        raise HttpError(404, "未找到该机构。")
    return _institution(institution, full=True)


def _broker(request, broker: Broker, on: datetime.date) -> dict:
    out = {"id": broker.pk, "name": broker.name,
           "organisation": broker.organisation.name if broker.organisation else "",
           "institution": broker.institution.name if broker.institution else "",
           "status": broker_service.status_on(broker, on) or "none", "status_label": broker_service.status_label(
               broker, on), "on": on, "url": broker.get_absolute_url(),
           "trainings": [{"trainer": t.trainer, "trained_on": t.trained_on, "assessed_on": t.assessed_on,
                          "result": t.result, "certificate_number": t.certificate_number}
                         for t in broker.trainings.all()],
           "sanctions": [_sanction(s) for s in broker.sanctions.all()]}
    if allowed(request.user, "ecosystem.see_broker_contacts"):
        out["phone"], out["email"] = broker.phone, broker.email
    return out


@router.get("/brokers", summary="技术经纪人名录（可查询某日的资格状态）")
def list_brokers(request, params: Query[BrokerQuery]):
    on = params.on or institution_service.today()
    rows = broker_service.register(broker_service.BrokerFilters(q=params.q))
    items = [b for b, _ in rows if not params.status or (broker_service.status_on(b, on) or "none") == params.status]
    return {"count": len(items), "limit": params.limit, "offset": params.offset,
            "items": [_broker(request, b, on) for b in items[params.offset: params.offset + params.limit]]}


@router.get("/brokers/{broker_id}", response={200: dict, 404: Error}, summary="技术经纪人")
def get_broker(request, broker_id: Path[Id], on: datetime.date | None = None):
    broker = Broker.objects.select_related("organisation", "institution").filter(pk=broker_id).first()
    if broker is None:
        raise HttpError(404, "未找到该技术经纪人。")
    return _broker(request, broker, on or institution_service.today())


def _registry(entry) -> dict:
    r = entry.registry
    return {"code": r.code, "name": r.name, "legal_person": r.legal_person, "active": r.active,
            "provincial": r.is_provincial, "service_area": entry.service_area, "served_regions": entry.served,
            "certified_registrars": entry.certified, "has_premises": r.has_premises,
            "unmet_conditions": [{"clause": c.clause, "condition": c.label, "detail": c.detail} for c in entry.unmet],
            "registered_this_year": {"count": entry.year.count if entry.year else 0,
                                     "amount": str(entry.year.amount) if entry.year else "0.00"},
            "registered_total": {"count": entry.overall.count if entry.overall else 0,
                                 "amount": str(entry.overall.amount) if entry.overall else "0.00"},
            "sanctions": [_sanction(s) for s in entry.sanctions],
            "url": reverse("ecosystem:registry", args=[r.code])}


@router.get("/registries", summary="技术合同登记机构（第十五条条件、服务范围、登记数、第十九条处理）")
def list_registries(request):
    from techmarket.ecosystem.services.registry_register import entries

    found, year = entries()
    return {"year": year, "count": len(found), "items": [_registry(e) for e in found]}
