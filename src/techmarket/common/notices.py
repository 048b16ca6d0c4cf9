"""Public notices (公示) with objections (异议). See docs/notifications.md.

A domain publishes a notice about one of its objects for a period of calendar days, anyone logged in may object
while it is open, reviewers resolve each objection on the record, and the domain asks `outcome(notice)` before
doing what the notice must allow:

- "open": the period has not ended and no objection has been upheld;
- "blocked": an objection was upheld, or the period has ended with an objection still unresolved;
- "passed": the period has ended and every objection (if any) was dismissed.

The period runs from `opens_on` to `closes_on`, both included: a 5-day notice opening on 1 March closes at the
end of 5 March. Objections are filed only during the period; they may be resolved at any time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from techmarket.accounts.roles import REVIEWERS
from techmarket.common.bounds import (
    DESCRIPTION_MAX,
    REASON_MAX,
    TITLE_MAX,
    checked_text,
    validate_date,
)
from techmarket.common.errors import NotAllowed, Refused
from techmarket.common.models import MAX_NOTICE_DAYS, Notice, Objection
from techmarket.common.notifications import notify
from techmarket.common.permissions import allowed

OPEN, PASSED, BLOCKED = "open", "passed", "blocked"
OUTCOME_LABELS = {OPEN: "公示中", PASSED: "公示期满，无异议或异议不成立", BLOCKED: "存在成立或待处理的异议"}
MAX_OBJECTIONS_PER_USER = 5  # per notice: enough to add to an objection, not to flood the reviewers
OS = Objection.Status


class NoticeError(Refused):
    """A step the rules forbid; the message is for the user (Chinese). Nothing was changed."""


class NoticePermissionError(NotAllowed, NoticeError):
    """The user may not take this step at all (the web answers 403)."""


# --- Who may do what ---------------------------------------------------------------------------------------

def can_resolve(user) -> bool:
    """Staff and provincial reviewers resolve objections."""
    return allowed(user, "common.resolve_objection")


def can_object(user) -> bool:
    return allowed(user, "common.object_to_notice")


def resolvers():
    """The users who may resolve objections, for notifications."""
    return get_user_model().objects.filter(is_active=True).filter(
        Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name=REVIEWERS)).distinct()


# --- Dates and outcome -------------------------------------------------------------------------------------

def today() -> datetime.date:
    return timezone.localdate()


def is_open(notice: Notice, on: datetime.date | None = None) -> bool:
    on = on or today()
    return notice.opens_on <= on <= notice.closes_on


def has_closed(notice: Notice, on: datetime.date | None = None) -> bool:
    return (on or today()) > notice.closes_on


def outcome(notice: Notice, on: datetime.date | None = None) -> str:
    """"open", "passed" or "blocked" (see the module's docstring)."""
    statuses = set(notice.objections.values_list("status", flat=True))
    if OS.UPHELD in statuses:
        return BLOCKED
    if not has_closed(notice, on):
        return OPEN
    return BLOCKED if OS.OPEN in statuses else PASSED


def notices_for(obj, kind: str | None = None) -> QuerySet[Notice]:
    """The notices about `obj`, newest first (only those of `kind` when given)."""
    qs = Notice.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("-opens_on", "-id")


def with_counts(qs: QuerySet[Notice]) -> QuerySet[Notice]:
    """Annotate each notice with its objections by status (public figures: no texts, no names)."""
    return qs.annotate(
        objections_total=Count("objections"),
        objections_open=Count("objections", filter=Q(objections__status=OS.OPEN)),
        objections_upheld=Count("objections", filter=Q(objections__status=OS.UPHELD)),
    )


# --- Publishing --------------------------------------------------------------------------------------------


_check = partial(checked_text, error=NoticeError, single_line=False, required=True)


@transaction.atomic
def publish_notice(obj, title: str, body: str, days: int, opens_on: datetime.date | None = None, *,
                   kind: str = "", by=None) -> Notice:
    """Publish a notice about `obj` (a saved model instance) open for `days` calendar days from `opens_on`
    (default today)."""
    if obj is None or obj.pk is None:
        raise NoticeError("公示对象不存在。")
    title = _check(title, "公示标题", TITLE_MAX, single_line=True)
    body = _check(body, "公示内容", DESCRIPTION_MAX)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_NOTICE_DAYS:
        raise NoticeError(f"公示期须为 1 到 {MAX_NOTICE_DAYS} 日。")
    opens_on = opens_on or today()
    closes_on = Notice.closing_day(opens_on, days)
    try:
        validate_date(opens_on)
        validate_date(closes_on)
    except ValidationError as exc:
        raise NoticeError(f"公示日期：{exc.messages[0]}") from None
    return Notice.objects.create(
        kind=kind, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, title=title, body=body,
        opens_on=opens_on, period_days=days, closes_on=closes_on,
        published_by=by if by is not None and getattr(by, "is_authenticated", False) else None,
    )


# --- Objections --------------------------------------------------------------------------------------------

@transaction.atomic
def file_objection(user, notice: Notice, text: str, on: datetime.date | None = None) -> Objection:
    """File an objection while the notice is open; reviewers are notified."""
    if not can_object(user):
        raise NoticePermissionError("请先登录，再提出异议。")
    text = _check(text, "异议内容", REASON_MAX)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    on = on or today()
    if on < notice.opens_on:
        raise NoticeError(f"公示自 {notice.opens_on:%Y-%m-%d} 开始，开始后方可提出异议。")
    if on > notice.closes_on:
        raise NoticeError(f"公示已于 {notice.closes_on:%Y-%m-%d} 截止，不能再提出异议。")
    if notice.objections.filter(filed_by=user).count() >= MAX_OBJECTIONS_PER_USER:
        raise NoticeError(f"对同一公示最多可提出 {MAX_OBJECTIONS_PER_USER} 条异议。")
    objection = Objection.objects.create(notice=notice, filed_by=user, text=text)
    notify(resolvers(), "common.objection", f"公示收到异议：{notice.title}",
           f"公示“{notice.title}”（{notice.opens_on:%Y-%m-%d} 至 {notice.closes_on:%Y-%m-%d}）收到一条异议，请处理。",
           link=notice_url(notice))
    return objection


@transaction.atomic
def resolve_objection(user, objection: Objection, upheld: bool, resolution: str, *,
                      allowed: Callable[[object], bool] = can_resolve) -> Objection:
    """Uphold or dismiss an open objection with a written resolution; `allowed(user)` decides who may (default:
    staff and reviewers). The filer is notified."""
    if not allowed(user):
        raise NoticePermissionError("只有省科技厅审核人员或平台工作人员可以处理异议。")
    resolution = _check(resolution, "处理意见", REASON_MAX)
    objection = Objection.objects.select_for_update().select_related("notice").get(pk=objection.pk)
    if objection.status != OS.OPEN:
        raise NoticeError(f"该异议已处理（{objection.get_status_display()}），不能再次处理。")
    objection.status = OS.UPHELD if upheld else OS.DISMISSED
    objection.resolution, objection.resolved_by, objection.resolved_at = resolution, user, timezone.now()
    objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    if objection.filed_by_id:
        notice = objection.notice
        notify(objection.filed_by, "common.objection-resolved",
               f"异议处理结果：{notice.title}",
               f"您对公示“{notice.title}”提出的异议已处理：{objection.get_status_display()}。\n处理意见：{resolution}",
               link=notice_url(notice))
    return objection


def objections_of(user, notice: Notice) -> QuerySet[Objection]:
    """The objections `user` may read: every one for resolvers, their own for others, none for anonymous."""
    if can_resolve(user):
        return notice.objections.select_related("filed_by", "resolved_by")
    if user and user.is_authenticated:
        return notice.objections.filter(filed_by=user)
    return Objection.objects.none()


def notice_url(notice: Notice) -> str:
    return reverse("common:notice", args=[notice.pk])
