"""Values of indicators: manual values (entered with evidence, approved by someone else) and computed snapshots.

A manual value counts only once approved. A newer approved value for the same indicator and period supersedes the
older one, which stays in the history. Computed snapshots never touch manual values."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from techmarket.common import audit
from techmarket.common.bounds import MAX_AMOUNT, validate_text
from techmarket.common.errors import Conflict, NotAllowed, Refused
from techmarket.common.permissions import allowed
from techmarket.common.uploads import UploadError, check_upload
from techmarket.indicators.models import MAX_VALUE, VALUE_MESSAGE, Indicator, IndicatorValue
from techmarket.indicators.services.periods import Period

S = IndicatorValue.Status


class IndicatorError(Refused):
    """A refused step; the message is for the user (Chinese)."""


class IndicatorPermissionError(NotAllowed, IndicatorError):
    pass


def can_enter(user) -> bool:
    return allowed(user, "indicators.enter")


def can_approve(user) -> bool:
    return allowed(user, "indicators.approve")


def can_see_records(user) -> bool:
    return allowed(user, "indicators.see_records")


def _decimal(value) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise IndicatorError("数值格式不正确。") from None
    if not result.is_finite() or result < 0:
        raise IndicatorError("数值须为非负数。")
    if result > MAX_VALUE or result.as_tuple().exponent < -4:
        raise IndicatorError(VALUE_MESSAGE)
    return result


def _lock_indicator(indicator: Indicator) -> Indicator:
    """Writes of an indicator's values wait for each other (one pending, approved or snapshot value per period)."""
    return Indicator.objects.select_for_update().get(pk=indicator.pk)


def pending_for(indicator: Indicator, period_key: str) -> IndicatorValue | None:
    return IndicatorValue.objects.filter(indicator=indicator, period_key=period_key,
                                         source=IndicatorValue.Source.MANUAL, status=S.SUBMITTED).first()


class DuplicateValue(Conflict, IndicatorError):
    """A value for the indicator and period is already waiting for review."""

    def __init__(self, existing: IndicatorValue):
        super().__init__(f"“{existing.indicator.name}”{existing.period_key} 已有待审核的数值 {existing.value}"
                         f"（{existing.entered_by or '—'} 录入），请先审核或退回后再录入。")
        self.existing = existing


@transaction.atomic
def submit_manual(user, indicator: Indicator, period: Period, value, evidence, note: str = "") -> IndicatorValue:
    """Enter a value for a period with its evidence (PDF, image or Office file, checked by content); it waits for
    a reviewer's approval. One value per indicator and period waits at a time: the same user entering the same
    value again (a double submission) gets the one already entered; anything else is refused with a message."""
    if not can_enter(user):
        raise IndicatorPermissionError("您没有录入指标数值的权限。")
    number = _decimal(value)
    note = (note or "").strip()
    try:
        validate_text(note)
    except ValidationError as exc:
        raise IndicatorError(exc.messages[0]) from None
    indicator = _lock_indicator(indicator)
    existing = pending_for(indicator, period.key)
    if existing is not None:
        if existing.entered_by_id == user.pk and existing.value == number:
            return existing
        raise DuplicateValue(existing)
    if evidence is None:
        raise IndicatorError("人工录入的数值必须附佐证材料。")
    try:
        checked = check_upload(evidence)
    except UploadError as exc:
        raise IndicatorError(str(exc)) from None
    item = IndicatorValue(
        indicator=indicator, granularity=period.granularity, period_key=period.key, period_start=period.start,
        period_end=period.end, value=number, source=IndicatorValue.Source.MANUAL, status=S.SUBMITTED,
        evidence_name=checked.name, evidence_sha256=checked.sha256, evidence_extension=checked.type.extension,
        note=note, entered_by=user,
    )
    item.evidence.save("evidence", ContentFile(checked.data), save=False)
    try:
        with transaction.atomic():
            item.save()
            audit.log_action(item, "submitted", user, to_value=S.SUBMITTED, reason=note,
                             data={"value": str(number), "period": period.key})
    except IntegrityError:  # a concurrent request got past the lock (it cannot on PostgreSQL): show its value
        existing = pending_for(indicator, period.key)
        if existing is None:
            raise
        if existing.entered_by_id == user.pk and existing.value == number:
            return existing
        raise DuplicateValue(existing) from None
    return item


def _lock(item: IndicatorValue) -> IndicatorValue:
    return IndicatorValue.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def approve(user, item: IndicatorValue, reason: str = "") -> IndicatorValue:
    if not can_approve(user):
        raise IndicatorPermissionError("您没有审核指标数值的权限。")
    _lock_indicator(item.indicator)
    item = _lock(item)
    if item.status != S.SUBMITTED:
        raise IndicatorError(f"该数值当前为“{item.get_status_display()}”，不能审核。")
    if item.entered_by_id == user.pk:
        raise IndicatorPermissionError("录入人不能审核自己录入的数值，须由另一位审核员审核。")
    previous = list(IndicatorValue.objects.select_for_update().filter(
        indicator=item.indicator, period_key=item.period_key, source=IndicatorValue.Source.MANUAL,
        status=S.APPROVED).exclude(pk=item.pk).values_list("pk", flat=True))
    # The old value stops being the approved one before the new one becomes it (one approved value per period).
    IndicatorValue.objects.filter(pk__in=previous).update(status=S.SUPERSEDED)
    item.status, item.approved_by, item.decided_at, item.reason = S.APPROVED, user, timezone.now(), reason.strip()
    item.save()
    IndicatorValue.objects.filter(pk__in=previous).update(superseded_by=item)
    audit.log_action(item, "approved", user, from_value=S.SUBMITTED, to_value=S.APPROVED, reason=item.reason)
    for old in IndicatorValue.objects.filter(pk__in=previous):
        audit.log_action(old, "superseded", user, from_value=S.APPROVED, to_value=S.SUPERSEDED,
                         data={"by": item.pk})
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
    audit.log_action(item, "rejected", user, from_value=S.SUBMITTED, to_value=S.REJECTED, reason=item.reason)
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
        value, exact = row.computed.value, row.computed.exact_amount
        if not 0 <= value <= MAX_VALUE:
            continue  # not storable as a value; the report still shows it
        if exact is not None and not 0 <= exact <= MAX_AMOUNT:
            exact = None  # a sum beyond the bound of one amount: the value (亿元) is kept, the exact yuan not
        _lock_indicator(row.indicator)
        older = list(IndicatorValue.objects.filter(
            indicator=row.indicator, period_key=period.key, source=IndicatorValue.Source.COMPUTED,
            status=S.SNAPSHOT).values_list("pk", flat=True))
        IndicatorValue.objects.filter(pk__in=older).update(status=S.SUPERSEDED)
        item = IndicatorValue.objects.create(
            indicator=row.indicator, granularity=period.granularity, period_key=period.key,
            period_start=period.start, period_end=period.end, value=value, exact_amount=exact,
            records=row.computed.contract_ids, source=IndicatorValue.Source.COMPUTED, status=S.SNAPSHOT,
        )
        IndicatorValue.objects.filter(pk__in=older).update(superseded_by=item)
        stored.append(item)
    return stored
