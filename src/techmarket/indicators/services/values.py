"""Values of indicators: manual values (entered with evidence, approved by someone else) and computed snapshots.

A manual value counts only once approved. A newer approved value for the same indicator and period supersedes the
older one, which stays in the history. Computed snapshots never touch manual values."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from techmarket.common.uploads import UploadError, check_upload
from techmarket.indicators.models import Indicator, IndicatorValue
from techmarket.indicators.services.periods import Period

S = IndicatorValue.Status


class IndicatorError(Exception):
    pass


class IndicatorPermissionError(IndicatorError):
    pass


def can_enter(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("indicators.enter_value"))


def can_approve(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("indicators.approve_value"))


def can_see_records(user) -> bool:
    return can_enter(user) or bool(user and user.is_authenticated and user.has_perm("market.oversee_registrations"))


def _decimal(value) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise IndicatorError("数值格式不正确。") from None
    if not result.is_finite() or result < 0:
        raise IndicatorError("数值须为非负数。")
    return result


@transaction.atomic
def submit_manual(user, indicator: Indicator, period: Period, value, evidence, note: str = "") -> IndicatorValue:
    """Enter a value for a period with its evidence (PDF, image or Office file, checked by content); it waits for
    a reviewer's approval."""
    if not can_enter(user):
        raise IndicatorPermissionError("您没有录入指标数值的权限。")
    if evidence is None:
        raise IndicatorError("人工录入的数值必须附佐证材料。")
    try:
        checked = check_upload(evidence)
    except UploadError as exc:
        raise IndicatorError(str(exc)) from None
    item = IndicatorValue(
        indicator=indicator, granularity=period.granularity, period_key=period.key, period_start=period.start,
        period_end=period.end, value=_decimal(value), source=IndicatorValue.Source.MANUAL, status=S.SUBMITTED,
        evidence_name=checked.name, evidence_sha256=checked.sha256, evidence_extension=checked.type.extension,
        note=note.strip(), entered_by=user,
    )
    item.evidence.save("evidence", ContentFile(checked.data), save=False)
    item.save()
    return item


def _lock(item: IndicatorValue) -> IndicatorValue:
    return IndicatorValue.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def approve(user, item: IndicatorValue, reason: str = "") -> IndicatorValue:
    if not can_approve(user):
        raise IndicatorPermissionError("您没有审核指标数值的权限。")
    item = _lock(item)
    if item.status != S.SUBMITTED:
        raise IndicatorError(f"该数值当前为“{item.get_status_display()}”，不能审核。")
    if item.entered_by_id == user.pk:
        raise IndicatorPermissionError("录入人不能审核自己录入的数值，须由另一位审核员审核。")
    previous = IndicatorValue.objects.select_for_update().filter(
        indicator=item.indicator, period_key=item.period_key, source=IndicatorValue.Source.MANUAL,
        status=S.APPROVED).exclude(pk=item.pk)
    item.status, item.approved_by, item.decided_at, item.reason = S.APPROVED, user, timezone.now(), reason.strip()
    item.save()
    previous.update(status=S.SUPERSEDED, superseded_by=item)
    return item


@transaction.atomic
def reject(user, item: IndicatorValue, reason: str) -> IndicatorValue:
    if not can_approve(user):
        raise IndicatorPermissionError("您没有审核指标数值的权限。")
    if not reason.strip():
        raise IndicatorError("退回须说明理由。")
    item = _lock(item)
    if item.status != S.SUBMITTED:
        raise IndicatorError(f"该数值当前为“{item.get_status_display()}”，不能审核。")
    if item.entered_by_id == user.pk:
        raise IndicatorPermissionError("录入人不能审核自己录入的数值。")
    item.status, item.approved_by, item.decided_at, item.reason = S.REJECTED, user, timezone.now(), reason.strip()
    item.save()
    return item


def approved_manual(indicator: Indicator, period: Period, exact: bool) -> IndicatorValue | None:
    """The approved manual value of the period; unless `exact`, the latest approved one ending by the period's end
    (a stock or cumulative figure carried forward)."""
    qs = IndicatorValue.objects.filter(indicator=indicator, source=IndicatorValue.Source.MANUAL, status=S.APPROVED)
    if exact:
        qs = qs.filter(period_key=period.key)
    else:
        qs = qs.filter(period_end__lte=period.end)
    return qs.order_by("-period_end", "-decided_at", "-id").first()


def pending():
    return IndicatorValue.objects.filter(status=S.SUBMITTED).select_related("indicator", "entered_by")


@transaction.atomic
def snapshot(period: Period, rows) -> list[IndicatorValue]:
    """Store the computed figures of the dashboard rows as snapshots of the period (history of what a report
    said). An older snapshot of the same indicator and period is superseded; manual values are never touched."""
    stored = []
    for row in rows:
        if row.computed is None:
            continue
        item = IndicatorValue.objects.create(
            indicator=row.indicator, granularity=period.granularity, period_key=period.key,
            period_start=period.start, period_end=period.end, value=row.computed.value,
            exact_amount=row.computed.exact_amount, records=row.computed.contract_ids,
            source=IndicatorValue.Source.COMPUTED, status=S.SNAPSHOT,
        )
        IndicatorValue.objects.filter(indicator=row.indicator, period_key=period.key,
                                      source=IndicatorValue.Source.COMPUTED, status=S.SNAPSHOT).exclude(
            pk=item.pk).update(status=S.SUPERSEDED, superseded_by=item)
        stored.append(item)
    return stored
