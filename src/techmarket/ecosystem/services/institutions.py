"""Technology transfer institutions (技术转移机构): filing (第二十条 conditions, 第二十二条 window), review by the
provincial department, change and closure filings (第二十四条), the public register with each institution's
record (contracts brokered on the platform, read through techmarket.market.services.brokered) and annual figures.

Each write opens its transaction, locks what it changes, acts, writes one audit line and notifies."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from techmarket.accounts.roles import REVIEWERS
from techmarket.common import uploads
from techmarket.common.audit import log_action
from techmarket.common.notifications import notify
from techmarket.common.permissions import allowed, require
from techmarket.ecosystem.models import EcosystemAction as A
from techmarket.ecosystem.models import Institution, InstitutionCase, InstitutionChange, Sanction
from techmarket.ecosystem.services import conditions
from techmarket.ecosystem.services.errors import EcosystemError, EcosystemInputError
from techmarket.market.services.brokered import BrokeredContract, brokered_contracts

S = Institution.Status
NOT_MEMBER = "只有本单位已核验的成员可以办理本机构的备案。"
NOT_REVIEWER = "只有省科技厅审核人员可以审核备案。"
TOPIC = "ecosystem.filing"


def today() -> datetime.date:
    return timezone.localdate()


def reviewers() -> QuerySet:
    return get_user_model().objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(groups__name=REVIEWERS)).distinct()


def members(organisation_id: int) -> QuerySet:
    return get_user_model().objects.filter(is_active=True, is_verified=True, organisation_id=organisation_id)


@dataclass
class FilingInput:
    name: str
    kind: str
    founded_on: datetime.date
    services: str
    business_years: Decimal
    full_time_staff: int
    managers_total: int
    managers_college: int
    st_staff: int
    contact_phone: str = ""
    cases: list = field(default_factory=list)  # (title, uploaded file) pairs


def _checked_cases(cases) -> list[tuple[str, uploads.CheckedFile]]:
    checked = []
    for title, uploaded in cases:
        title = (title or "").strip()
        if not title:
            raise EcosystemInputError("请填写每个成功案例的名称。")
        checked.append((title, uploads.check_upload(uploaded)))
    return checked


def _save_case(institution: Institution, title: str, checked: uploads.CheckedFile) -> InstitutionCase:
    from django.core.files.base import ContentFile

    case = InstitutionCase(institution=institution, title=title[:200], file_name=checked.name[:200],
                           content_type=checked.type.content_type, extension=checked.type.extension,
                           sha256=checked.sha256)
    case.file.save(f"{checked.sha256}{checked.type.extension}", ContentFile(checked.data), save=False)
    case.save()
    return case


def _apply(institution: Institution, data: FilingInput) -> None:
    if data.kind not in Institution.Kind.values:
        raise EcosystemInputError("请选择机构类型。")
    if data.managers_college > data.managers_total:
        raise EcosystemInputError("具有大专以上学历的管理人员不能多于管理人员总数。")
    if data.st_staff > data.full_time_staff:
        raise EcosystemInputError("科技人员不能多于专职从业人员总数。")
    for name in ("name", "kind", "founded_on", "services", "business_years", "full_time_staff", "managers_total",
                 "managers_college", "st_staff", "contact_phone"):
        setattr(institution, name, getattr(data, name))


def _assess(institution: Institution, filed_on: datetime.date) -> None:
    """The 第二十二条 window and the 第二十条 conditions, kept on the filing for the reviewer and the register."""
    institution.filed_on = filed_on
    institution.days_late = conditions.window("filing", institution.founded_on, filed_on).days_late
    institution.unmet = [item.as_dict() for item in conditions.unmet(institution.figures())]


def file_institution(user, data: FilingInput) -> Institution:
    """A filing by a verified member of the organisation; late filings are accepted and flagged."""
    require(user, "ecosystem.file_institution", message=NOT_MEMBER)
    checked = _checked_cases(data.cases)
    with transaction.atomic():
        institution = Institution(organisation_id=user.organisation_id, created_by=user, filed_on=today())
        _apply(institution, data)
        institution.full_clean(exclude=["unmet", "filed_on"])
        institution.save()
        for title, item in checked:
            _save_case(institution, title, item)
        _assess(institution, today())
        institution.save()
        log_action(institution, A.FILE, user, to_value=S.SUBMITTED,
                   data={"days_late": institution.days_late, "unmet": [u["message"] for u in institution.unmet]})
        notify(reviewers(), TOPIC, f"技术转移机构备案待审核：{institution.name}",
               _summary(institution), institution.get_absolute_url())
    return institution


def _summary(institution: Institution) -> str:
    lines = []
    if institution.days_late:
        lines.append(f"逾期备案 {institution.days_late} 日（第二十二条）。")
    lines += [u["message"] for u in institution.unmet]
    return "\n".join(lines) or "按期备案，第二十条所列条件均满足。"


def _locked(institution: Institution) -> Institution:
    return Institution.objects.select_for_update().get(pk=institution.pk)


def add_case(user, institution: Institution, title: str, uploaded) -> InstitutionCase:
    require(user, "ecosystem.edit_institution", institution, message=NOT_MEMBER)
    [(title, checked)] = _checked_cases([(title, uploaded)])
    with transaction.atomic():
        institution = _locked(institution)
        if institution.status not in (S.SUBMITTED, S.RETURNED):
            raise EcosystemError("备案审核后不能再补充成功案例；如有变化请办理变更备案。")
        case = _save_case(institution, title, checked)
        institution.unmet = [item.as_dict() for item in conditions.unmet(institution.figures())]
        institution.save(update_fields=["unmet", "updated_at"])
        log_action(institution, A.ADD_CASE, user, data={"case": case.title})
    return case


def resubmit(user, institution: Institution, data: FilingInput) -> Institution:
    """A returned filing corrected and submitted again (its window still counts from founding)."""
    require(user, "ecosystem.edit_institution", institution, message=NOT_MEMBER)
    checked = _checked_cases(data.cases)
    with transaction.atomic():
        institution = _locked(institution)
        if institution.status != S.RETURNED:
            raise EcosystemError("只有被退回的备案可以修改后重新提交。")
        _apply(institution, data)
        institution.full_clean(exclude=["unmet"])
        for title, item in checked:
            _save_case(institution, title, item)
        _assess(institution, today())
        institution.status = S.SUBMITTED
        institution.return_reason = ""
        institution.save()
        log_action(institution, A.RESUBMIT, user, from_value=S.RETURNED, to_value=S.SUBMITTED,
                   data={"days_late": institution.days_late})
        notify(reviewers(), TOPIC, f"技术转移机构备案重新提交：{institution.name}", _summary(institution),
               institution.get_absolute_url())
    return institution


def approve(user, institution: Institution) -> Institution:
    """准予备案: the institution enters the public register. Refused while a 第二十条 condition is unmet."""
    require(user, "ecosystem.review", message=NOT_REVIEWER)
    with transaction.atomic():
        institution = _locked(institution)
        if institution.status != S.SUBMITTED:
            raise EcosystemError(f"该备案当前为“{institution.get_status_display()}”，不能准予备案。")
        institution.unmet = [item.as_dict() for item in conditions.unmet(institution.figures())]
        if institution.unmet:
            institution.save(update_fields=["unmet", "updated_at"])
            raise EcosystemError("不满足第二十条所列条件，不能准予备案：" +
                                 "；".join(u["message"] for u in institution.unmet))
        institution.status = S.FILED
        institution.approved_on = today()
        institution.save()
        log_action(institution, A.APPROVE, user, from_value=S.SUBMITTED, to_value=S.FILED)
        notify(members(institution.organisation_id), TOPIC, f"技术转移机构已备案：{institution.name}",
               "已列入技术转移机构名录。", institution.get_absolute_url())
    return institution


def return_filing(user, institution: Institution, reason: str) -> Institution:
    require(user, "ecosystem.review", message=NOT_REVIEWER)
    reason = (reason or "").strip()
    if not reason:
        raise EcosystemInputError("请填写退回理由。")
    with transaction.atomic():
        institution = _locked(institution)
        if institution.status != S.SUBMITTED:
            raise EcosystemError(f"该备案当前为“{institution.get_status_display()}”，不能退回。")
        institution.status = S.RETURNED
        institution.return_reason = reason
        institution.save()
        log_action(institution, A.RETURN, user, from_value=S.SUBMITTED, to_value=S.RETURNED, reason=reason)
        notify(members(institution.organisation_id), TOPIC, f"技术转移机构备案被退回：{institution.name}", reason,
               institution.get_absolute_url())
    return institution


# --- Change and closure filings (第二十四条) ------------------------------------------------------------------

def file_change(user, institution: Institution, kind: str, changed_on: datetime.date, description: str,
                new_name: str = "", new_services: str = "") -> InstitutionChange:
    require(user, "ecosystem.edit_institution", institution, message=NOT_MEMBER)
    if kind not in InstitutionChange.Kind.values:
        raise EcosystemInputError("请选择变更备案或歇业备案。")
    if changed_on > today():
        raise EcosystemInputError("变更（歇业）日期不能晚于今天。")
    with transaction.atomic():
        institution = _locked(institution)
        if institution.status != S.FILED:
            raise EcosystemError("只有已备案的机构可以办理变更或歇业备案。")
        if institution.changes.filter(status=InstitutionChange.Status.SUBMITTED).exists():
            raise EcosystemError("已有一项变更（歇业）备案待审核，请待其审核后再提交。")
        window = conditions.window("change", changed_on, today())
        change = InstitutionChange(institution=institution, kind=kind, changed_on=changed_on,
                                   description=description.strip(), new_name=new_name.strip(),
                                   new_services=new_services.strip(), filed_on=today(),
                                   days_late=window.days_late, created_by=user)
        change.full_clean()
        change.save()
        log_action(institution, A.FILE_CHANGE, user, to_value=change.kind,
                   data={"change": change.pk, "changed_on": changed_on.isoformat(), "days_late": window.days_late})
        notify(reviewers(), TOPIC, f"{change.get_kind_display()}待审核：{institution.name}",
               window.message, institution.get_absolute_url())
    return change


def decide_change(user, change: InstitutionChange, accept: bool, reason: str = "") -> InstitutionChange:
    require(user, "ecosystem.review", message=NOT_REVIEWER)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise EcosystemInputError("请填写退回理由。")
    with transaction.atomic():
        change = InstitutionChange.objects.select_for_update().get(pk=change.pk)
        institution = _locked(change.institution)
        if change.status != InstitutionChange.Status.SUBMITTED:
            raise EcosystemError("该变更（歇业）备案已审核。")
        if accept:
            change.status = InstitutionChange.Status.ACCEPTED
            before = institution.status
            if change.new_name:
                institution.name = change.new_name
            if change.new_services:
                institution.services = change.new_services
            if change.kind == InstitutionChange.Kind.CLOSURE:
                institution.status = S.CLOSED
                institution.closed_on = change.changed_on
            institution.save()
            log_action(institution, A.ACCEPT_CHANGE, user, from_value=before, to_value=institution.status,
                       data={"change": change.pk})
        else:
            change.status = InstitutionChange.Status.RETURNED
            change.return_reason = reason
            log_action(institution, A.RETURN_CHANGE, user, reason=reason, data={"change": change.pk})
        change.save()
        notify(members(institution.organisation_id), TOPIC,
               f"{change.get_kind_display()}{'已备案' if accept else '被退回'}：{institution.name}", reason,
               institution.get_absolute_url())
    return change


# --- Reading ----------------------------------------------------------------------------------------------

def sanctions_in_force(institution: Institution, on: datetime.date | None = None) -> list[Sanction]:
    on = on or today()
    return [s for s in institution.sanctions.all() if s.in_force_on(on)]


def standing_label(institution: Institution, on: datetime.date | None = None) -> str:
    """What the register says of the institution on a day: 已备案, 暂停（至…）, 已撤销备案, 已歇业…"""
    on = on or today()
    if institution.status != S.FILED:
        return institution.get_status_display()
    for sanction in sanctions_in_force(institution, on):
        if sanction.kind == Sanction.Kind.REVOCATION:
            return "已撤销备案"
        if sanction.kind == Sanction.Kind.SUSPENSION:
            return f"暂停（至 {sanction.ends_on:%Y-%m-%d}）" if sanction.ends_on else "暂停"
    return S.FILED.label


@dataclass
class RegisterFilters:
    region: str = ""
    status: str = ""
    q: str = ""


def register(filters: RegisterFilters | None = None) -> QuerySet[Institution]:
    """The public register: filed institutions and those closed or revoked (so that their record stays)."""
    filters = filters or RegisterFilters()
    qs = Institution.objects.filter(status__in=[S.FILED, S.CLOSED, S.REVOKED]).select_related(
        "organisation", "organisation__region").prefetch_related("sanctions")
    if filters.region:
        qs = qs.filter(Q(organisation__region__code=filters.region)
                       | Q(organisation__region__parent__code=filters.region))
    if filters.status in (S.FILED, S.CLOSED, S.REVOKED):
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(organisation__name__icontains=filters.q))
    return qs.order_by("name", "pk")


def review_queue() -> QuerySet[Institution]:
    return Institution.objects.filter(
        Q(status=S.SUBMITTED) | Q(changes__status=InstitutionChange.Status.SUBMITTED)).distinct().select_related(
        "organisation").order_by("filed_on", "pk")


def my_filings(user) -> QuerySet[Institution]:
    if not allowed(user, "ecosystem.file_institution"):
        return Institution.objects.none()
    return Institution.objects.filter(organisation_id=user.organisation_id).order_by("-created_at")


def record(institution: Institution) -> list[BrokeredContract]:
    """Contracts on the platform the institution's organisation brokered (the market's record)."""
    return brokered_contracts(institution.organisation_id)


@dataclass
class YearFigures:
    year: int
    contracts: int = 0
    registered: int = 0
    amount: Decimal = Decimal("0.00")  # technology transaction amount, yuan


def annual_figures(institution: Institution) -> list[YearFigures]:
    """Per year signed, newest first: contracts brokered, of which registered, and their amount."""
    years: OrderedDict[int, YearFigures] = OrderedDict()
    for contract in record(institution):
        figures = years.setdefault(contract.signed_on.year, YearFigures(contract.signed_on.year))
        figures.contracts += 1
        figures.registered += int(contract.registered)
        figures.amount += contract.technology_amount
    return sorted(years.values(), key=lambda f: -f.year)
