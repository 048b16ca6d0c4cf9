"""Recording and reviewing innovation platforms and innovation teams (docs/platforms.md).

A verified member records a platform or team of their own organisation (the host) with its evidence document; it
waits as `submitted` until a reviewer (platforms.review_record, the reviewers' role) approves or rejects it with a
reason. A reviewer may record one directly: it is approved at once. Every step is one line of the audit log, written
in the step's transaction; a decision reaches the submitter through the notification centre (platforms.review).
A decision locks the row and applies only while it is still submitted, so of two reviewers deciding at once one
applies and the other is told it was already decided.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from techmarket.catalogue.models import Field
from techmarket.common import audit, notifications
from techmarket.common.bounds import EARLIEST_DATE, NAME_MAX, REASON_MAX, checked_text
from techmarket.common.errors import Conflict, InvalidInput, NotAllowed
from techmarket.common.permissions import allowed, require
from techmarket.common.uploads import check_upload
from techmarket.directory.models import Organisation, Region
from techmarket.platforms.models import Platform, RecordAction, Recorded, Review, Team
from techmarket.platforms.services.kinds import kinds

TOPIC = "platforms.review"
MAX_MEMBERS = 100
MAX_PARTNERS = 50

NOT_MEMBER = "只有经过核验的单位成员可以登记本单位的创新平台或创新团队。"
OWN_ORGANISATION = "您只能登记本单位（{name}）作为依托或引进单位的记录。"
NOT_REVIEWER = "只有省科技厅审核员可以审核创新平台和创新团队的登记。"
ALREADY_DECIDED = "该登记已由其他审核员处理（{status}），未作更改。"
REASON_REQUIRED = "请填写未通过的原因，登记人将看到此说明。"
DOCUMENT_REQUIRED = "请上传认定或引进的证明文件（PDF、图片、Word 或 Excel）。"


_text = partial(checked_text, error=InvalidInput, required=False, single_line=True)


def _past_date(value: datetime.date | None, label: str, today: datetime.date | None = None) -> datetime.date:
    if value is None:
        raise InvalidInput(f"请填写{label}。")
    if value < EARLIEST_DATE:
        raise InvalidInput(f"{label}须在 1985 年 1 月 1 日之后。")
    if value > (today or timezone.localdate()):
        raise InvalidInput(f"{label}不能晚于今天。")
    return value


@dataclass
class PlatformInput:
    name: str
    kind: str
    level: str
    recognised_on: datetime.date | None
    host: Organisation | None = None  # a member's own organisation when not given
    partner_organisations: list[Organisation] = field(default_factory=list)
    partner_regions: list[Region] = field(default_factory=list)
    field: Field | None = None
    recognition_number: str = ""
    construction_years: int | None = None
    state: str = Platform.State.OPERATING
    description: str = ""


@dataclass
class Member:
    name: str
    title: str = ""


@dataclass
class TeamInput:
    name: str
    leader_name: str
    origin: Organisation | None
    introduced_on: datetime.date | None
    leader_title: str = ""
    members: list[Member] = field(default_factory=list)
    host: Organisation | None = None
    field: Field | None = None
    qianren_team: bool = False
    description: str = ""


def is_reviewer(user) -> bool:
    return allowed(user, "platforms.review")


def _host(user, host: Organisation | None) -> Organisation:
    """The record's host: a member records for their own organisation; a reviewer names any."""
    require(user, "platforms.record", message=NOT_MEMBER)
    if is_reviewer(user):
        if host is None:
            raise InvalidInput("请填写依托单位。")
        return host
    if host is not None and host.pk != user.organisation_id:
        raise NotAllowed(OWN_ORGANISATION.format(name=user.organisation.name))
    return user.organisation


def _attach(record: Recorded, uploaded) -> None:
    checked = check_upload(uploaded)
    record.document_name, record.document_type = checked.name, checked.type.content_type
    record.document_extension, record.document_sha256 = checked.type.extension, checked.sha256
    record.document.save(checked.name, ContentFile(checked.data), save=False)


def _start(user, record: Recorded, document) -> str:
    """Attach the document and set the first status: approved at once for a reviewer; the audit action."""
    if document is not None:
        _attach(record, document)
    elif not is_reviewer(user):
        raise InvalidInput(DOCUMENT_REQUIRED)
    record.submitted_by = user
    if is_reviewer(user):
        record.status, record.reviewed_by, record.reviewed_at = Review.APPROVED, user, timezone.now()
        return RecordAction.RECORD
    record.status = Review.SUBMITTED
    return RecordAction.SUBMIT


def _check_platform(data: PlatformInput) -> None:
    table = kinds()
    kind, level = table.kind(data.kind), table.level(data.level)
    if kind is None:
        raise InvalidInput("请选择平台类别。")
    if level is None:
        raise InvalidInput("请选择平台级别。")
    if kind.levels and data.level not in kind.levels:
        allowed_levels = "、".join(table.level_name(code) for code in kind.levels)
        raise InvalidInput(f"{kind.name}只能是{allowed_levels}。")
    if data.construction_years is not None and not 1 <= data.construction_years <= 10:
        raise InvalidInput("建设期须在 1 到 10 年之间。")
    if data.state not in Platform.State.values:
        raise InvalidInput("请选择运行状态。")
    if len(data.partner_organisations) + len(data.partner_regions) > MAX_PARTNERS:
        raise InvalidInput(f"共建单位和共建省市合计最多 {MAX_PARTNERS} 个。")


@transaction.atomic
def submit_platform(user, data: PlatformInput, document=None) -> Platform:
    host = _host(user, data.host)
    _check_platform(data)
    platform = Platform(
        name=_text(data.name, "平台名称", NAME_MAX, required=True), kind=data.kind, level=data.level, host=host,
        recognised_on=_past_date(data.recognised_on, "认定日期"), field=data.field,
        recognition_number=_text(data.recognition_number, "认定文号", 100),
        construction_years=data.construction_years, state=data.state,
        description=_text(data.description, "简介", 20000, single_line=False),
    )
    action = _start(user, platform, document)
    platform.save()
    platform.partner_organisations.set([o for o in data.partner_organisations if o.pk != host.pk])
    platform.partner_regions.set(data.partner_regions)
    audit.log_action(platform, action, user, to_value=platform.status, data={
        "kind": platform.kind, "level": platform.level, "host": host.pk,
        "partner_organisations": sorted(o.pk for o in data.partner_organisations),
        "partner_regions": sorted(r.code for r in data.partner_regions),
    })
    return platform


def _members(members: list[Member]) -> list[dict]:
    if len(members) > MAX_MEMBERS:
        raise InvalidInput(f"团队成员最多 {MAX_MEMBERS} 人。")
    rows = []
    for member in members:
        name = _text(member.name, "成员姓名", 100)
        if name:
            rows.append({"name": name, "title": _text(member.title, "成员职称或职务", 100)})
    return rows


@transaction.atomic
def submit_team(user, data: TeamInput, document=None) -> Team:
    host = _host(user, data.host)
    if data.origin is None:
        raise InvalidInput("请填写团队的来源单位。")
    if data.origin.pk == host.pk:
        raise InvalidInput("来源单位与引进单位不能相同。")
    team = Team(
        name=_text(data.name, "团队名称", NAME_MAX, required=True),
        leader_name=_text(data.leader_name, "带头人姓名", 100, required=True),
        leader_title=_text(data.leader_title, "带头人职称或职务", 100), members=_members(data.members),
        origin=data.origin, host=host, introduced_on=_past_date(data.introduced_on, "引进日期"), field=data.field,
        qianren_team=bool(data.qianren_team), description=_text(data.description, "简介", 20000, single_line=False),
    )
    action = _start(user, team, document)
    team.save()
    audit.log_action(team, action, user, to_value=team.status,
                     data={"host": host.pk, "origin": data.origin.pk, "qianren_team": team.qianren_team})
    return team


def _decide(user, model, pk: int, status: str, reason: str = "") -> Recorded:
    require(user, "platforms.review", message=NOT_REVIEWER)
    with transaction.atomic():
        record = model.objects.select_for_update(of=("self",)).select_related("host").get(pk=pk)
        if record.status != Review.SUBMITTED:
            raise Conflict(ALREADY_DECIDED.format(status=record.get_status_display()))
        record.status, record.reviewed_by, record.reviewed_at = status, user, timezone.now()
        record.review_reason = reason
        record.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason", "updated_at"])
        action = RecordAction.APPROVE if status == Review.APPROVED else RecordAction.REJECT
        audit.log_action(record, action, user, from_value=Review.SUBMITTED, to_value=status, reason=reason)
        if record.submitted_by_id:
            what = f"{model._meta.verbose_name}“{record.name}”"
            title = f"{what}已审核通过" if status == Review.APPROVED else f"{what}未通过审核"
            notifications.notify([record.submitted_by], TOPIC, title, f"原因：{reason}" if reason else "",
                                 record.get_absolute_url())
    return record


def approve(user, record: Recorded, reason: str = "") -> Recorded:
    return _decide(user, type(record), record.pk, Review.APPROVED, _text(reason, "审核意见", REASON_MAX,
                                                                         single_line=False))


def reject(user, record: Recorded, reason: str) -> Recorded:
    reason = _text(reason, "原因", REASON_MAX, single_line=False)
    if not reason:
        raise InvalidInput(REASON_REQUIRED)
    return _decide(user, type(record), record.pk, Review.REJECTED, reason)


def close(user, platform: Platform, reason: str, on: datetime.date) -> Platform:
    """A platform's recognition withdrawn (撤销认定, e.g. by a sanction decided on the ecosystem side): its state
    becomes 已撤销或撤销认定 from `on`; nothing changes when it is closed already. The caller holds the permission
    (the decision's own) and the transaction."""
    with transaction.atomic():
        record = Platform.objects.select_for_update(of=("self",)).get(pk=platform.pk)
        if record.state == Platform.State.CLOSED:
            return record
        before = record.state
        record.state = Platform.State.CLOSED
        record.save(update_fields=["state", "updated_at"])
        audit.log_action(record, RecordAction.CLOSE, user, from_value=before, to_value=record.state,
                         reason=_text(reason, "原因", REASON_MAX, single_line=False), data={"on": on.isoformat()})
    return record


# --- Reading ---------------------------------------------------------------------------------------------------

@dataclass
class Filters:
    kind: str = ""
    level: str = ""
    region: str = ""  # a region's code: the host's region (or its parent)
    field: str = ""  # a field's code (its areas included)
    q: str = ""


def _common_filters(qs: QuerySet, filters: Filters) -> QuerySet:
    if filters.region:
        qs = qs.filter(Q(host__region__code=filters.region) | Q(host__region__parent__code=filters.region))
    if filters.field:
        qs = qs.filter(Q(field__code=filters.field) | Q(field__parent__code=filters.field))
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(host__name__icontains=filters.q))
    return qs


def public_platforms(filters: Filters | None = None) -> QuerySet[Platform]:
    filters = filters or Filters()
    qs = Platform.objects.filter(status=Review.APPROVED).select_related("host__region", "field")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.level:
        qs = qs.filter(level=filters.level)
    return _common_filters(qs, filters).prefetch_related("partner_organisations", "partner_regions")


def public_teams(filters: Filters | None = None) -> QuerySet[Team]:
    filters = filters or Filters()
    qs = Team.objects.filter(status=Review.APPROVED).select_related("host__region", "origin", "field")
    if filters.q:
        qs = _common_filters(qs, Filters(region=filters.region, field=filters.field)).filter(
            Q(name__icontains=filters.q) | Q(host__name__icontains=filters.q) | Q(leader_name__icontains=filters.q)
            | Q(origin__name__icontains=filters.q))
        return qs
    return _common_filters(qs, filters)


def queue() -> tuple[QuerySet[Platform], QuerySet[Team]]:
    """What waits for review, oldest first."""
    return (Platform.objects.filter(status=Review.SUBMITTED).select_related("host").order_by("created_at", "id"),
            Team.objects.filter(status=Review.SUBMITTED).select_related("host", "origin").order_by("created_at", "id"))


def own(user) -> tuple[QuerySet[Platform], QuerySet[Team]]:
    """The records of the user's organisation, every status."""
    if not (user and user.is_authenticated and user.organisation_id):
        return Platform.objects.none(), Team.objects.none()
    return (Platform.objects.filter(host_id=user.organisation_id).order_by("-created_at"),
            Team.objects.filter(host_id=user.organisation_id).order_by("-created_at"))


def kind_name(platform: Platform) -> str:
    return kinds().kind_name(platform.kind)


def level_name(platform: Platform) -> str:
    return kinds().level_name(platform.level)


def partners(platform: Platform) -> list[str]:
    """The co-building partners' names: organisations, then provinces."""
    return [o.name for o in platform.partner_organisations.all()] + [r.name for r in platform.partner_regions.all()]
