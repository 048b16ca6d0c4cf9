"""Experts' profiles: self-registration (a logged-in user joins the pool), entry by reviewers or a seed list,
verification, the public directory's queries and who sees contacts (docs/experts.md).

Every write runs in one transaction with its line of the audit log; the verification decision reaches a
self-registered expert through the notification centre (topic experts.verification).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from techmarket.catalogue.models import Field
from techmarket.common import audit, notifications
from techmarket.common.bounds import EARLIEST_DATE, LATEST_DATE, NAME_MAX, checked_text
from techmarket.common.errors import NotFound
from techmarket.common.permissions import allowed, require
from techmarket.directory.models import Organisation, Region
from techmarket.experts.errors import ExpertError, ExpertInputError
from techmarket.experts.models import CONFLICTS_MAX, PHONE_MAX, SPECIALITIES_MAX, Expert

Availability = Expert.Availability
Status = Expert.Status

TOPIC = "experts.verification"
REGISTER, UPDATE, VERIFY, REJECT = "register", "update", "verify", "reject"
ACTION_LABELS = {REGISTER: "登记专家信息", UPDATE: "修改专家信息", VERIFY: "核验通过", REJECT: "核验未通过"}

NOT_VERIFIER = "只有省科技厅审核员可以核验专家。"
REASON_REQUIRED = "请填写未通过的原因，专家将看到此说明。"
ALREADY_DECIDED = "该专家信息已{status}，未作更改。"
MAX_FIELDS = 10
MAX_CONFLICT_ORGANISATIONS = 50
_PHONE = re.compile(rf"^[0-9+\-() 转]{{5,{PHONE_MAX}}}$")



@dataclass
class ProfileInput:
    name: str
    region_id: int | None
    field_codes: list[str]
    title: str = ""
    organisation_id: int | None = None
    specialities: str = ""
    availability: str = Availability.AVAILABLE
    busy_until: datetime.date | None = None
    conflict_organisation_ids: list[int] = field(default_factory=list)
    conflict_notes: str = ""
    phone: str = ""
    email: str = ""


_text = partial(checked_text, error=ExpertInputError, required=False, single_line=True)


def _clean(data: ProfileInput, today: datetime.date) -> dict:
    """The profile's values, checked against their bounds (every message in Chinese, naming the field)."""
    values = {
        "name": _text(data.name, "姓名", 60, required=True),
        "title": _text(data.title, "职称", 60),
        "specialities": _text(data.specialities, "研究专长", SPECIALITIES_MAX, single_line=False),
        "conflict_notes": _text(data.conflict_notes, "其他利益关系说明", CONFLICTS_MAX, single_line=False),
        "phone": _text(data.phone, "电话", PHONE_MAX),
        "email": _text(data.email, "电子邮箱", 254),
    }
    if values["phone"] and not _PHONE.match(values["phone"]):
        raise ExpertInputError("电话只能包含数字、空格和 + - ( ) 等符号，如 0971-1234567 或 13800000000。")
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            raise ExpertInputError("请填写有效的电子邮箱地址。") from None
    region = Region.objects.filter(pk=data.region_id).first() if data.region_id else None
    if region is None:
        raise ExpertInputError("请选择所在地。")
    values["region"] = region
    values["organisation"] = None
    if data.organisation_id:
        values["organisation"] = Organisation.objects.filter(pk=data.organisation_id).first()
        if values["organisation"] is None:
            raise ExpertInputError("所选工作单位不存在。")
    codes = list(dict.fromkeys(c for c in data.field_codes if c))
    if not codes:
        raise ExpertInputError("请至少选择一个专业领域。")
    if len(codes) > MAX_FIELDS:
        raise ExpertInputError(f"专业领域最多选择 {MAX_FIELDS} 个。")
    fields = list(Field.objects.filter(code__in=codes))
    if len(fields) != len(codes):
        raise ExpertInputError("所选专业领域不存在，请重新选择。")
    values["fields"] = fields
    if data.availability not in Availability.values:
        raise ExpertInputError("请选择可参加评审情况。")
    values["availability"] = data.availability
    values["busy_until"] = None
    if data.availability == Availability.BUSY:
        if data.busy_until is None:
            raise ExpertInputError("暂不可参加评审时，请填写可恢复参加的日期（暂不可参加至）。")
        if data.busy_until < today:
            raise ExpertInputError("“暂不可参加至”的日期不能早于今天。")
        if not (EARLIEST_DATE <= data.busy_until <= LATEST_DATE):
            raise ExpertInputError("日期须在 2100 年之前。")
        values["busy_until"] = data.busy_until
    ids = list(dict.fromkeys(int(i) for i in data.conflict_organisation_ids if i))
    if len(ids) > MAX_CONFLICT_ORGANISATIONS:
        raise ExpertInputError(f"声明有利益关系的单位最多 {MAX_CONFLICT_ORGANISATIONS} 个。")
    conflicts = list(Organisation.objects.filter(pk__in=ids))
    if len(conflicts) != len(ids):
        raise ExpertInputError("所选有利益关系的单位不存在。")
    values["conflict_organisations"] = conflicts
    return values


def _apply(expert: Expert, values: dict) -> None:
    for name in ("name", "title", "specialities", "conflict_notes", "phone", "email", "region", "organisation",
                 "availability", "busy_until"):
        setattr(expert, name, values[name])
    expert.save()
    expert.fields.set(values["fields"])
    expert.conflict_organisations.set(values["conflict_organisations"])


def _summary(expert: Expert) -> dict:
    return {"name": expert.name, "title": expert.title, "organisation": expert.organisation_id,
            "region": expert.region_id, "availability": expert.availability,
            "busy_until": expert.busy_until.isoformat() if expert.busy_until else None,
            "fields": sorted(expert.fields.values_list("code", flat=True)),
            "conflict_organisations": sorted(expert.conflict_organisations.values_list("pk", flat=True))}


def own_profile(user) -> Expert | None:
    if not (user and user.is_authenticated):
        return None
    return Expert.objects.filter(user=user).first()


def join(user, data: ProfileInput, today: datetime.date | None = None) -> Expert:
    """A logged-in user registers themself in the pool (pending verification) or edits their profile. Editing a
    verified profile's name or organisation returns it to verification."""
    require(user, "experts.join", message="请先登录后再登记为专家。")
    today = today or timezone.localdate()
    values = _clean(data, today)
    with transaction.atomic():
        expert = Expert.objects.select_for_update().filter(user=user).first()
        if expert is None:
            expert = Expert(user=user)
            _apply(expert, values)
            audit.log_action(expert, REGISTER, user, to_value=expert.status, data=_summary(expert))
            return expert
        before = expert.status
        identity = (expert.name, expert.organisation_id)
        _apply(expert, values)
        if expert.status == Status.VERIFIED and identity != (expert.name, expert.organisation_id):
            expert.status, expert.verified_by, expert.verified_at = Status.PENDING, None, None
            expert.save(update_fields=["status", "verified_by", "verified_at", "updated_at"])
        elif expert.status == Status.REJECTED:  # corrected after a refusal: asks again
            expert.status, expert.status_reason = Status.PENDING, ""
            expert.save(update_fields=["status", "status_reason", "updated_at"])
        audit.log_action(expert, UPDATE, user, from_value=before, to_value=expert.status, data=_summary(expert))
        return expert


def create_expert(actor, data: ProfileInput, *, verified: bool = False, actor_label: str = "",
                  today: datetime.date | None = None) -> Expert:
    """A reviewer (or an import, `actor_label="import"`) enters an expert who has no account; verified at once if
    asked by someone who may verify."""
    if actor is not None:
        require(actor, "experts.verify", message=NOT_VERIFIER)
    values = _clean(data, today or timezone.localdate())
    with transaction.atomic():
        expert = Expert()
        _apply(expert, values)
        if verified:
            expert.status, expert.verified_by, expert.verified_at = Status.VERIFIED, actor, timezone.now()
            expert.save(update_fields=["status", "verified_by", "verified_at"])
        audit.log_action(expert, REGISTER, actor, to_value=expert.status, data=_summary(expert),
                         actor_label=actor_label)
    return expert


def verify(actor, expert: Expert) -> Expert:
    require(actor, "experts.verify", message=NOT_VERIFIER)
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        if expert.status == Status.VERIFIED:
            raise ExpertError(ALREADY_DECIDED.format(status=expert.get_status_display()))
        before = expert.status
        expert.status, expert.status_reason = Status.VERIFIED, ""
        expert.verified_by, expert.verified_at = actor, timezone.now()
        expert.save(update_fields=["status", "status_reason", "verified_by", "verified_at", "updated_at"])
        audit.log_action(expert, VERIFY, actor, from_value=before, to_value=expert.status)
        if expert.user_id:
            notifications.notify([expert.user], TOPIC, "您的专家信息已通过核验",
                                 "您已列入专家库，可被抽取参加评审。", reverse("experts:join"))
    return expert


def reject(actor, expert: Expert, reason: str) -> Expert:
    require(actor, "experts.verify", message=NOT_VERIFIER)
    reason = _text(reason, "原因", NAME_MAX, single_line=False)
    if not reason:
        raise ExpertInputError(REASON_REQUIRED)
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        if expert.status == Status.REJECTED:
            raise ExpertError(ALREADY_DECIDED.format(status=expert.get_status_display()))
        before = expert.status
        expert.status, expert.status_reason, expert.verified_by, expert.verified_at = (
            Status.REJECTED, reason, actor, timezone.now())
        expert.save(update_fields=["status", "status_reason", "verified_by", "verified_at", "updated_at"])
        audit.log_action(expert, REJECT, actor, from_value=before, to_value=expert.status, reason=reason)
        if expert.user_id:
            notifications.notify([expert.user], TOPIC, "您的专家信息未通过核验",
                                 f"原因：{reason}\n您可以修改后重新提交。", reverse("experts:join"))
    return expert


# --- Reading --------------------------------------------------------------------------------------------------

@dataclass
class Filters:
    q: str = ""
    field: str = ""  # a field or area code; a field includes its areas
    region: str = ""  # a region code; a province includes its prefectures
    availability: str = ""


def _with_related(qs: QuerySet) -> QuerySet:
    return qs.select_related("organisation", "region").prefetch_related("fields__parent")


def public_experts() -> QuerySet[Expert]:
    return Expert.objects.filter(status=Status.VERIFIED)


def filter_experts(filters: Filters, today: datetime.date | None = None) -> QuerySet[Expert]:
    """Verified experts matching the filters (without the text query: see services.search)."""
    qs = public_experts()
    if filters.field:
        qs = qs.filter(Q(fields__code=filters.field) | Q(fields__parent__code=filters.field)).distinct()
    if filters.region:
        qs = qs.filter(Q(region__code=filters.region) | Q(region__parent__code=filters.region))
    if filters.availability == Availability.AVAILABLE:
        today = today or timezone.localdate()
        qs = qs.filter(Q(availability=Availability.AVAILABLE)
                       | Q(availability=Availability.BUSY, busy_until__lt=today))
    elif filters.availability in (Availability.BUSY, Availability.RETIRED):
        qs = qs.filter(availability=filters.availability)
    return _with_related(qs)


def can_view(user, expert: Expert) -> bool:
    return allowed(user, "experts.view_profile", expert)


def visible_expert(user, pk: int) -> Expert:
    """The expert if the user may see the profile; 404 otherwise (a pending profile's existence stays hidden)."""
    expert = _with_related(Expert.objects.all()).filter(pk=pk).first()
    if expert is None:
        raise NotFound("未找到该专家。")
    require(user, "experts.view_profile", expert, hide=True)
    return expert


def can_see_contacts(user) -> bool:
    """The platform's rule for personal contacts (verified, active users)."""
    return allowed(user, "accounts.see_contacts")


def contacts(expert: Expert, user) -> dict | None:
    """The expert's phone and e-mail for users who may see personal contacts; None for everyone else."""
    if not can_see_contacts(user):
        return None
    return {"phone": expert.phone, "email": expert.email}


def pending() -> QuerySet[Expert]:
    return _with_related(Expert.objects.filter(status=Status.PENDING)).order_by("created_at", "pk")


def availability_label(expert: Expert, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    if expert.availability == Availability.BUSY:
        if expert.busy_until and expert.busy_until < today:
            return Availability.AVAILABLE.label
        return f"暂不可参加（至 {expert.busy_until:%Y-%m-%d}）"
    return expert.get_availability_display()
