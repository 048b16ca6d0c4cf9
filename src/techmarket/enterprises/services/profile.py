"""The enterprise profile (docs/enterprises.md, "Enterprise profile"): the organisation's record in the directory
(name, credit code, region), its R&D figures by year and its recognitions as the enterprise entered them, and the
platform's own record of it, read through the other domains' services. Every entry and change is in the audit log
(the history, with the values before and after); the figures feed the innovation points, recomputed on every
change; a recognition counts once the department has verified it against the certificate uploaded."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from techmarket.common.audit import history_for, log_action
from techmarket.common.bounds import REASON_MAX
from techmarket.common.errors import Conflict, InvalidInput, NotFound, Refused, checked_model
from techmarket.common.permissions import allowed, require
from techmarket.common.uploads import check_upload
from techmarket.directory.models import Organisation
from techmarket.enterprises.models import ProfileAction, Recognition, YearFigures

A = ProfileAction
NOT_MEMBER = "请先登录，并由省科技厅核验为本企业成员后再填报企业档案。"
NOT_REVIEWER = "只有省科技厅审核人员可以核验资质认定。"
FIGURE_FIELDS = ("employees", "rd_staff", "revenue_wan", "rd_spending_wan", "invention_patents", "other_ip")


def _text(name: str, value) -> str:
    """A figure as text, the same whether it came from a form or from the database (1500 and 1500.00 are equal)."""
    if value is None:
        return ""
    return f"{Decimal(str(value)):.2f}" if name.endswith("_wan") else str(value)


def _recompute(organisation) -> None:
    from techmarket.enterprises.services.points import recompute

    recompute(organisation)


@transaction.atomic
def save_figures(user, year: int, values: dict) -> YearFigures:
    """Enter or correct the figures of one year; the change (before → after) goes to the history and the innovation
    points are recomputed. Saving the same figures again changes nothing."""
    require(user, "enterprises.edit_profile", message=NOT_MEMBER)
    organisation = Organisation.objects.select_for_update().get(pk=user.organisation_id)
    if not isinstance(year, int) or not 2000 <= year <= timezone.localdate().year:
        raise InvalidInput(f"年度须在 2000 年到 {timezone.localdate().year} 年之间。")
    row = YearFigures.objects.filter(organisation=organisation, year=year).first()
    before = {name: _text(name, getattr(row, name)) for name in FIGURE_FIELDS} if row else {}
    row = row or YearFigures(organisation=organisation, year=year)
    for name in FIGURE_FIELDS:
        setattr(row, name, values.get(name))
    row.entered_by = user
    checked_model(row, exclude=["organisation", "entered_by"])
    if row.rd_staff > row.employees:
        raise InvalidInput("研发人员不能多于职工总数。")
    after = {name: _text(name, getattr(row, name)) for name in FIGURE_FIELDS}
    if before == after:
        return row
    row.save()
    log_action(row, A.FIGURES, user, data={"before": before, "after": after})
    _recompute(organisation)
    return row


def latest_figures(organisation) -> YearFigures | None:
    return YearFigures.objects.filter(organisation=organisation).order_by("-year").first()


@dataclass
class RecognitionInput:
    kind: str
    certificate_number: str
    recognised_on: datetime.date
    valid_until: datetime.date | None
    document: object  # an uploaded file


def add_recognition(user, data: RecognitionInput) -> Recognition:
    """Declare a recognition with its certificate (checked by common/uploads.py); it waits for the department's
    verification. The same certificate declared twice is one record."""
    require(user, "enterprises.edit_profile", message=NOT_MEMBER)
    number = (data.certificate_number or "").strip()
    existing = Recognition.objects.filter(organisation_id=user.organisation_id, kind=data.kind,
                                          certificate_number=number).first()
    if existing is not None:
        raise Conflict(f"已申报过该证书（{existing.get_kind_display()}，证书编号 {number}），未重复提交。")
    if data.recognised_on and data.recognised_on > timezone.localdate():
        raise InvalidInput("认定日期不能晚于今天。")
    if data.valid_until and data.recognised_on and data.valid_until < data.recognised_on:
        raise InvalidInput("有效期不能早于认定日期。")
    checked = check_upload(data.document)
    recognition = Recognition(organisation_id=user.organisation_id, kind=data.kind, certificate_number=number,
                              recognised_on=data.recognised_on, valid_until=data.valid_until,
                              document_name=checked.name, document_type=checked.type.content_type,
                              entered_by=user)
    checked_model(recognition, exclude=["organisation", "entered_by", "document", "decided_by"])
    try:
        with transaction.atomic():
            recognition.document.save(f"recognition{checked.type.extension}", ContentFile(checked.data), save=False)
            recognition.save()
            log_action(recognition, A.RECOGNITION, user, to_value=recognition.get_kind_display())
    except IntegrityError:
        raise Conflict("已申报过该证书，未重复提交。") from None
    return recognition


@transaction.atomic
def decide_recognition(user, recognition: Recognition, verified: bool, reason: str = "") -> Recognition:
    """The department verifies the recognition against its certificate, or returns it with a reason."""
    require(user, "enterprises.verify_recognition", message=NOT_REVIEWER)
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    if recognition.status != Recognition.Status.PENDING:
        raise Refused(f"该资质认定已{recognition.get_status_display()}。")
    reason = (reason or "").strip()[:REASON_MAX]
    if not verified and not reason:
        raise InvalidInput("退回时请写明理由。")
    recognition.status = Recognition.Status.VERIFIED if verified else Recognition.Status.REJECTED
    recognition.reason, recognition.decided_by = reason, user
    recognition.save(update_fields=["status", "reason", "decided_by"])
    log_action(recognition, A.VERIFY if verified else A.REJECT, user, reason=reason)
    return recognition


def recognition_for(user, pk: int) -> Recognition:
    recognition = Recognition.objects.select_related("organisation").filter(pk=pk).first()
    if recognition is None or not allowed(user, "enterprises.view_recognition", recognition):
        raise NotFound()
    return recognition


def pending_recognitions():
    return Recognition.objects.filter(status=Recognition.Status.PENDING).select_related("organisation").order_by(
        "created_at", "id")


@dataclass
class PlatformRecord:
    """What the platform itself knows of the enterprise, from the other domains' services."""

    published_listings: int
    registered_contracts: int
    partners_outside: list[str]  # other parties of its registered contracts located outside Qinghai


def platform_record(organisation) -> PlatformRecord:
    from techmarket.catalogue.models import Listing
    from techmarket.market.services.statistics import registered_contract_count, registered_contracts

    partners = set()
    for contract in registered_contracts():
        names = {p.name for p in contract.parties}
        if organisation.name in names:
            partners |= {p.name for p in contract.parties
                         if p.name != organisation.name and p.location != "qinghai"}
    published = Listing.objects.filter(owner=organisation, status=Listing.Status.PUBLISHED).count()
    return PlatformRecord(published, registered_contract_count(organisation.pk), sorted(partners))


def history(organisation):
    """The profile's history: every entry and change of its figures and recognitions, newest first."""
    return history_for(YearFigures.objects.filter(organisation=organisation),
                       Recognition.objects.filter(organisation=organisation)).order_by("-at", "-id")
