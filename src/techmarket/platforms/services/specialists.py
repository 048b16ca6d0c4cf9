"""科技专员 (2025 plan, task 3): an out-of-province university or institute assigns a specialist to a Qinghai
enterprise for a period; the institution keeps the service log, the enterprise evaluates the service once (score
1–5 and text) and records the performance pay agreed. Every step is one line of the audit log."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from techmarket.common import audit
from techmarket.common.bounds import EARLIEST_DATE, LATEST_DATE, MAX_AMOUNT, MONEY_MESSAGE, REASON_MAX
from techmarket.common.errors import Conflict, InvalidInput, NotAllowed
from techmarket.common.permissions import allowed, require
from techmarket.directory.models import Organisation, Region
from techmarket.platforms.models import Assignment, Evaluation, ServiceEntry, SpecialistAction
from techmarket.platforms.services.records import _past_date, _text

QINGHAI = (Region.Kind.PROVINCE, Region.Kind.PREFECTURE)
NOT_MEMBER = "只有经过核验的单位成员可以选派科技专员。"
NOT_OUTSIDE = "科技专员由省外高校、科研院所选派：“{name}”登记在省内。"
NOT_QINGHAI = "科技专员服务省内企业：“{name}”未登记为青海省内单位。"
ONLY_INSTITUTION = "只有选派单位的成员可以记录服务情况。"
ONLY_ENTERPRISE = "只有服务企业的成员可以评价科技专员或记录绩效报酬。"
ALREADY_EVALUATED = "本服务期已评价过，每个服务期只能评价一次。"


@dataclass
class AssignmentInput:
    enterprise: Organisation | None
    person_name: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    person_title: str = ""
    tasks: str = ""
    institution: Organisation | None = None  # the member's own organisation when not given


def _in_qinghai(organisation: Organisation) -> bool:
    return organisation.region is not None and organisation.region.kind in QINGHAI


def _date(value, label: str) -> datetime.date:
    if value is None:
        raise InvalidInput(f"请填写{label}。")
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInput(f"{label}须在 1985 年至 2100 年之间。")
    return value


@transaction.atomic
def assign(user, data: AssignmentInput) -> Assignment:
    require(user, "platforms.assign_specialist", message=NOT_MEMBER)
    reviewer = allowed(user, "platforms.review")
    institution = data.institution if reviewer and data.institution is not None else user.organisation
    if institution is None:
        raise InvalidInput("请填写选派单位。")
    if not reviewer and data.institution is not None and data.institution.pk != user.organisation_id:
        raise NotAllowed("您只能以本单位名义选派科技专员。")
    if _in_qinghai(institution):
        raise InvalidInput(NOT_OUTSIDE.format(name=institution.name))
    if data.enterprise is None:
        raise InvalidInput("请填写服务企业。")
    if not _in_qinghai(data.enterprise):
        raise InvalidInput(NOT_QINGHAI.format(name=data.enterprise.name))
    starts, ends = _date(data.starts_on, "服务开始日期"), _date(data.ends_on, "服务结束日期")
    if ends < starts:
        raise InvalidInput("服务结束日期不能早于开始日期。")
    assignment = Assignment.objects.create(
        institution=institution, enterprise=data.enterprise,
        person_name=_text(data.person_name, "科技专员姓名", 100, required=True),
        person_title=_text(data.person_title, "职称或职务", 100), starts_on=starts, ends_on=ends,
        tasks=_text(data.tasks, "服务内容", 20000, single_line=False), assigned_by=user,
    )
    audit.log_action(assignment, SpecialistAction.ASSIGN, user, data={
        "institution": institution.pk, "enterprise": data.enterprise.pk, "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat()})
    return assignment


@transaction.atomic
def log_service(user, assignment: Assignment, served_on: datetime.date | None, text: str) -> ServiceEntry:
    require(user, "platforms.log_service", assignment, message=ONLY_INSTITUTION)
    served_on = _past_date(served_on, "服务日期")
    if served_on < assignment.starts_on:
        raise InvalidInput("服务日期不能早于服务开始日期。")
    entry = ServiceEntry.objects.create(assignment=assignment, served_on=served_on,
                                        text=_text(text, "服务内容", 20000, required=True, single_line=False),
                                        recorded_by=user)
    audit.log_action(assignment, SpecialistAction.LOG, user, to_value=served_on.isoformat(),
                     data={"entry": entry.pk})
    return entry


@transaction.atomic
def evaluate(user, assignment: Assignment, score: int, text: str = "") -> Evaluation:
    require(user, "platforms.evaluate_specialist", assignment, message=ONLY_ENTERPRISE)
    Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if Evaluation.objects.filter(assignment=assignment).exists():
        raise Conflict(ALREADY_EVALUATED)
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("评分须为 1 到 5 分。")
    evaluation = Evaluation.objects.create(assignment=assignment, score=score,
                                           text=_text(text, "评价", 20000, single_line=False), evaluated_by=user)
    audit.log_action(assignment, SpecialistAction.EVALUATE, user, to_value=str(score))
    return evaluation


@transaction.atomic
def record_pay(user, assignment: Assignment, amount: Decimal | None, note: str = "") -> Assignment:
    """The performance pay the enterprise agreed to pay the specialist's institution (yuan, within the money
    bound); recording it again replaces the figure, and the log keeps both."""
    require(user, "platforms.record_pay", assignment, message=ONLY_ENTERPRISE)
    if amount is None or not (0 <= amount <= MAX_AMOUNT) or amount.as_tuple().exponent < -2:
        raise InvalidInput(MONEY_MESSAGE)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    before = locked.pay_amount
    locked.pay_amount, locked.pay_note = amount, _text(note, "报酬依据", REASON_MAX, single_line=False)
    locked.pay_recorded_by, locked.pay_recorded_at = user, timezone.now()
    locked.save(update_fields=["pay_amount", "pay_note", "pay_recorded_by", "pay_recorded_at"])
    audit.log_action(locked, SpecialistAction.PAY, user, from_value="" if before is None else str(before),
                     to_value=str(amount), reason=locked.pay_note)
    return locked


def visible(user) -> QuerySet[Assignment]:
    """The assignments the user may see: their organisation's (either side), every one for reviewers."""
    qs = Assignment.objects.select_related("institution", "enterprise")
    if allowed(user, "platforms.review"):
        return qs
    if not (user and user.is_authenticated and user.is_verified and user.organisation_id):
        return qs.none()
    return qs.filter(Q(institution_id=user.organisation_id) | Q(enterprise_id=user.organisation_id))
