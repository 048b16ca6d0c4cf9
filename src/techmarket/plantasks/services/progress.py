"""Unit progress reports on the plan's tasks: reviewers assign the users who report for a task's unit; those
users report each quarter with evidence; a lead unit's report not in by its due date is overdue, and
`remind` tells the unit's users through the notification centre, once per unit and quarter
(docs/plantasks.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from techmarket.common import audit, notifications
from techmarket.common.bounds import REASON_MAX, validate_text
from techmarket.common.errors import Conflict, InvalidInput, NotFound
from techmarket.common.permissions import require
from techmarket.common.uploads import check_upload
from techmarket.indicators.services.periods import Period
from techmarket.plantasks.models import PlanTask, ProgressReport, ReportAction, TaskUnit, UnitMember
from techmarket.plantasks.notification_topics import OVERDUE
from techmarket.plantasks.services import definitions


class TaskError(InvalidInput):
    """A progress report or an assignment refused (the message is for the user)."""


# -- who reports for a unit -----------------------------------------------------------------------------------

def assign(actor, unit: TaskUnit, username: str) -> UnitMember:
    """Let the user named `username` report for `unit`. Assigning the same user again changes nothing."""
    require(actor, "plantasks.manage", message="只有省科技厅审核员可以指定填报人。")
    user = get_user_model().objects.filter(username=(username or "").strip(), is_active=True).first()
    if user is None:
        raise TaskError("找不到该用户名的在用账号。")
    with transaction.atomic():
        unit = TaskUnit.objects.select_for_update().get(pk=unit.pk)
        member, created = UnitMember.objects.get_or_create(unit=unit, user=user, defaults={"assigned_by": actor})
        if created:
            audit.log_action(unit, ReportAction.ASSIGN, actor, to_value=str(user), data={"user": user.username})
    return member


def unassign(actor, unit: TaskUnit, user_id: int) -> None:
    require(actor, "plantasks.manage", message="只有省科技厅审核员可以取消填报人。")
    with transaction.atomic():
        unit = TaskUnit.objects.select_for_update().get(pk=unit.pk)
        member = unit.memberships.select_related("user").filter(user_id=user_id).first()
        if member is None:
            return
        member.delete()
        audit.log_action(unit, ReportAction.UNASSIGN, actor, from_value=str(member.user),
                         data={"user": member.user.username})


def dispatched_units():
    """The units of the active tasks of the plan that is dispatched quarterly (not the 2016 annex's)."""
    return TaskUnit.objects.filter(task__active=True, task__plan_code=definitions.dispatched_code())


def units_of(user) -> list[TaskUnit]:
    return list(dispatched_units().filter(memberships__user=user).select_related("task"))


# -- reports --------------------------------------------------------------------------------------------------

def reportable_periods(today: datetime.date) -> list[Period]:
    """The quarters a unit may report on by `today` (begun already), newest first."""
    return [period for period in reversed(definitions.periods()) if period.start <= today]


def submit(user, unit: TaskUnit, period: Period, progress: str, evidence, today: datetime.date) -> ProgressReport:
    """Report `unit`'s progress for `period` with an evidence file. One report per unit and quarter: the same
    user sending the same report again (a double submission) gets the one already sent; anything else is
    refused."""
    require(user, "plantasks.report", unit, message="您不是该任务责任单位的填报人。")
    progress = (progress or "").strip()
    if not progress or len(progress) > REASON_MAX:
        raise TaskError(f"请填写工作进展（不超过 {REASON_MAX} 字）。")
    try:
        validate_text(progress)
    except ValidationError as exc:
        raise TaskError(exc.messages[0]) from None
    if not definitions.in_cycle(period) or period.start > today:
        raise TaskError("该周期不在本方案的报送周期内，或尚未开始。")
    checked = check_upload(evidence)
    with transaction.atomic():
        unit = TaskUnit.objects.select_for_update().get(pk=unit.pk)
        existing = unit.reports.filter(period_key=period.key).first()
        if existing is not None:
            if (existing.submitted_by_id, existing.progress, existing.evidence_sha256) == (
                    user.pk, progress, checked.sha256):
                return existing
            raise Conflict(f"{unit.name}{period.label}的进展已于 {existing.submitted_at:%Y-%m-%d} 报送。")
        report = ProgressReport(unit=unit, period_key=period.key, period_start=period.start, period_end=period.end,
                                progress=progress, evidence_name=checked.name, evidence_sha256=checked.sha256,
                                evidence_extension=checked.type.extension, submitted_by=user)
        report.evidence.save("evidence", ContentFile(checked.data), save=False)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            raise Conflict(f"{unit.name}{period.label}的进展已报送。") from None
        audit.log_action(report, ReportAction.SUBMIT, user, to_value=period.label,
                         data={"task": unit.task.number, "unit": unit.name, "period": period.key})
    return report


# -- status of a quarter --------------------------------------------------------------------------------------

STATE_LABELS = {"submitted": "已报送", "overdue": "逾期未报", "open": "报送中", "optional": "可选报送"}


@dataclass
class UnitStatus:
    unit: TaskUnit
    period: Period
    report: ProgressReport | None
    due: datetime.date
    today: datetime.date

    @property
    def required(self) -> bool:
        return self.unit.role in definitions.required_roles()

    @property
    def state(self) -> str:
        if self.report is not None:
            return "submitted"
        if not self.required:
            return "optional"
        return "overdue" if self.due < self.today else "open"

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def cells(self) -> list[str]:
        """The row as the dispatch report prints it."""
        task, report = self.unit.task, self.report
        return [str(task.number), task.title, self.unit.name, self.unit.get_role_display(), self.period.label,
                self.due.isoformat(), self.state_label,
                report.submitted_at.date().isoformat() if report else "", report.progress if report else ""]


STATUS_HEADERS = ["序号", "任务", "责任单位", "职责", "报送周期", "截止日期", "状态", "报送日期", "工作进展"]


def statuses(period: Period, today: datetime.date, units=None) -> list[UnitStatus]:
    """Each unit's state for `period` (every active task's units, or `units`), in task order."""
    if units is None:
        units = dispatched_units()
    units = list(units.select_related("task").order_by("task__plan_code", "task__number", "position"))
    reports = {r.unit_id: r for r in ProgressReport.objects.filter(unit__in=units, period_key=period.key)}
    due = definitions.due_date(period)
    return [UnitStatus(unit, period, reports.get(unit.pk), due, today) for unit in units]


def overdue(today: datetime.date) -> list[UnitStatus]:
    """Every required report past its due date and not in, oldest quarter first."""
    result = []
    for period in definitions.periods_due(today):
        result.extend(status for status in statuses(period, today) if status.overdue)
    return result


@dataclass
class Reminded:
    notified: int = 0  # messages written now
    without_users: int = 0  # overdue reports of units no one is assigned to


def remind(today: datetime.date) -> Reminded:
    """Tell the users of every unit with an overdue report, once per unit and quarter (idempotent: the
    notification's key), and log the reminder on the unit."""
    done = Reminded()
    for status in overdue(today):
        users = [m.user for m in status.unit.memberships.select_related("user")]
        if not users:
            done.without_users += 1
            continue
        unit, period = status.unit, status.period
        with transaction.atomic():
            sent = notifications.notify(
                users, OVERDUE.code, f"任务进展逾期未报：{unit.task.number}. {unit.task.title}",
                f"{unit.name}{period.label}的工作进展应于 {status.due.isoformat()} 前报送，请尽快填报。",
                reverse("plantasks:report", args=[unit.pk]) + f"?period={period.key}",
                key=f"plantasks.overdue:{unit.pk}:{period.key}")
            if len(sent):
                audit.log_action(unit, ReportAction.REMIND, actor_label="system", to_value=period.label,
                                 data={"period": period.key,
                                       "users": [n.recipient.username for n in sent.notifications]})
        done.notified += len(sent)
    return done


def task(number: int, plan_code: str = "") -> PlanTask:
    task = PlanTask.objects.filter(plan_code=plan_code or definitions.plan().plan.code, number=number,
                                   active=True).first()
    if task is None:
        raise NotFound("没有这项任务。")
    return task


# -- plans kept as data (the 2016 action plan's annex) ----------------------------------------------------------

@dataclass
class ScheduledTask:
    task: PlanTask
    leads: list[str]
    cooperating: list[str]
    today: datetime.date

    @property
    def state_label(self) -> str:
        """持续推进 without a date; else whether its deadline has passed."""
        if self.task.deadline is None:
            return "持续推进"
        return "已到期" if self.task.deadline < self.today else "未到期"


@dataclass
class OtherPlan:
    code: str
    name: str
    number: str
    ends: datetime.date
    tasks: list[ScheduledTask]


def other_plans(today: datetime.date) -> list[OtherPlan]:
    """The plans kept as data beside the dispatched one, with their tasks, units, schedules and deadlines."""
    result = []
    for data in definitions.other_plans():
        tasks = PlanTask.objects.filter(plan_code=data.plan.code, active=True).prefetch_related("units")
        result.append(OtherPlan(
            code=data.plan.code, name=data.plan.name, number=data.plan.number, ends=data.plan.ends,
            tasks=[ScheduledTask(task, [u.name for u in task.units.all() if u.is_lead],
                                 [u.name for u in task.units.all() if not u.is_lead], today) for task in tasks]))
    return result
