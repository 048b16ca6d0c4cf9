"""成果汇交 and annual conversion reports (科技成果转移转化年度报告).

A university or institute is a reporting unit with its supervising body (ReportingUnit, recorded by the
department or by the unit itself). By 30 March it submits the report on the previous year (figures, a statement
and the achievements it hands in, 成果汇交) to the supervisor; the supervisor reviews it and forwards it by 30 April
(or returns it for correction; the unit then submits again). Dates live in data/achievements/reporting.yaml.
A unit with no submitted report after 30 March is overdue: its members and the supervisor's see it (`overdue`).
`send_reminders(today)` (command `remind_annual_reports`) notifies units 30, 7 and 1 days before the deadline and
supervisors of reports awaiting their review. `year_totals(year)` is what the indicators may count."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from techmarket.achievements.errors import (
    AchievementDuplicate,
    AchievementError,
    AchievementInputError,
    AchievementPermissionError,
)
from techmarket.achievements.models import MAX_COUNT, REPORT_TEXT_MAX, Achievement, Action, AnnualReport, ReportingUnit
from techmarket.achievements.services.criteria import reporting
from techmarket.achievements.services.evaluation import _money
from techmarket.common import audit
from techmarket.common.bounds import REASON_MAX, validate_text
from techmarket.common.notifications import notify
from techmarket.common.permissions import allowed, is_verified_member

R = AnnualReport.Status
SUBMITTED_STATES = (R.SUBMITTED, R.FORWARDED)


def today() -> datetime.date:
    return timezone.localdate()


def report_year(on: datetime.date | None = None) -> int:
    """The year whose report is being collected on `on`: the previous calendar year."""
    return (on or today()).year - 1


def _member(user, organisation_id) -> bool:
    return bool(is_verified_member(user) and user.organisation_id == organisation_id)


@transaction.atomic
def set_supervisor(user, organisation, supervisor) -> ReportingUnit:
    """Record (or change) the unit's supervising body: its own verified members or the department."""
    if not (_member(user, organisation.pk) or allowed(user, "achievements.manage")):
        raise AchievementPermissionError("只有本单位已核验成员或省科技厅审核人员可以登记主管部门。")
    if supervisor is None or supervisor.pk == organisation.pk:
        raise AchievementInputError("请选择本单位以外的主管部门。")
    unit, _ = ReportingUnit.objects.update_or_create(organisation=organisation, defaults={"supervisor": supervisor})
    audit.log_action(organisation, Action.SUPERVISOR, user, to_value=supervisor.name)
    return unit


def unit_of(organisation_id) -> ReportingUnit | None:
    return ReportingUnit.objects.select_related("supervisor").filter(organisation_id=organisation_id).first()


@dataclass
class ReportInput:
    year: int
    contracts_count: int
    contracts_amount: Decimal
    income: Decimal
    rewards: Decimal
    summary: str
    achievement_ids: list[int]


def _clean(organisation_id, data: ReportInput, on: datetime.date) -> dict:
    if isinstance(data.year, bool) or not isinstance(data.year, int) or not 2000 <= data.year < on.year:
        raise AchievementInputError("报告年度须为已结束的年度。")
    count = data.contracts_count
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_COUNT:
        raise AchievementInputError(f"转化合同项数须在 0 到 {MAX_COUNT} 之间。")
    summary = (data.summary or "").strip()
    if not summary or len(summary) > REPORT_TEXT_MAX:
        raise AchievementInputError(f"请填写年度情况说明（不超过 {REPORT_TEXT_MAX} 个字）。")
    validate_text(summary)
    achievements = list(Achievement.objects.filter(owner_id=organisation_id, pk__in=data.achievement_ids))
    if len(achievements) != len(set(data.achievement_ids)):
        raise AchievementInputError("只能汇交本单位登记的科技成果。")
    return {"year": data.year, "contracts_count": count,
            "contracts_amount": _money(data.contracts_amount, "转化合同金额"),
            "income": _money(data.income, "转化到账收入"), "rewards": _money(data.rewards, "奖励个人金额"),
            "summary": summary, "achievements": achievements}


def submit(user, data: ReportInput, on: datetime.date | None = None) -> AnnualReport:
    """The unit submits (or, after a return, resubmits) its report on a year to its supervisor."""
    on = on or today()
    if not (user and user.is_authenticated and is_verified_member(user)):
        raise AchievementPermissionError("只有报告单位的已核验成员可以报送年度报告。")
    unit = unit_of(user.organisation_id)
    if unit is None:
        raise AchievementError("请先登记本单位的主管部门，再报送年度报告。")
    values = _clean(user.organisation_id, data, on)
    achievements = values.pop("achievements")
    try:
        with transaction.atomic():
            report = (AnnualReport.objects.select_for_update()
                      .filter(organisation_id=user.organisation_id, year=values["year"]).first())
            if report is not None and report.status != R.RETURNED:
                raise AchievementDuplicate(f"{values['year']} 年度报告已报送（{report.get_status_display()}）。")
            before = report.status if report else ""
            if report is None:
                report = AnnualReport(organisation_id=user.organisation_id, supervisor=unit.supervisor)
            for name, value in values.items():
                setattr(report, name, value)
            report.status, report.submitted_by, report.submitted_at = R.SUBMITTED, user, timezone.now()
            report.save()
            report.achievements.set(achievements)
            audit.log_action(report, Action.SUBMIT, user, from_value=before, to_value=R.SUBMITTED,
                             data={"late": on > reporting().due_to_supervisor(report.year)})
            notify(unit.supervisor.members.filter(is_verified=True), "achievements.report",
                   f"下属单位报送年度报告：{user.organisation.name}",
                   f"{user.organisation.name}报送了 {report.year} 年度科技成果转移转化年度报告，请审核后于 "
                   f"{reporting().due_forwarded(report.year):%m月%d日}前转报。", link=report.get_absolute_url())
    except IntegrityError:
        raise AchievementDuplicate(f"{values['year']} 年度报告已报送。") from None
    return report


def can_view(user, report: AnnualReport) -> bool:
    return (_member(user, report.organisation_id) or _member(user, report.supervisor_id)
            or allowed(user, "achievements.manage"))


@transaction.atomic
def review(user, report: AnnualReport, forward: bool, note: str = "") -> AnnualReport:
    """The supervisor forwards the report (to the department and the finance department) or returns it."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if not _member(user, report.supervisor_id):
        raise AchievementPermissionError("只有主管部门的已核验成员可以审核年度报告。")
    if report.status != R.SUBMITTED:
        raise AchievementError(f"该报告{report.get_status_display()}，不能再次审核。")
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise AchievementInputError(f"审核意见不能超过 {REASON_MAX} 个字。")
    validate_text(note)
    if not forward and not note:
        raise AchievementInputError("退回时请写明需要修改的内容。")
    report.status = R.FORWARDED if forward else R.RETURNED
    report.reviewed_by, report.review_note = user, note
    report.forwarded_at = timezone.now() if forward else None
    report.save()
    audit.log_action(report, Action.FORWARD if forward else Action.RETURN, user, from_value=R.SUBMITTED,
                     to_value=report.status, reason=note)
    notify(report.organisation.members.filter(is_verified=True), "achievements.report",
           f"年度报告{report.get_status_display()}", note or f"{report.year} 年度报告已由主管部门审核转报。",
           link=report.get_absolute_url())
    return report


@dataclass
class UnitState:
    unit: ReportingUnit
    year: int
    due_on: datetime.date
    report: AnnualReport | None

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.status in SUBMITTED_STATES

    def overdue(self, on: datetime.date) -> bool:
        return not self.submitted and on > self.due_on


def states(units, year: int) -> list[UnitState]:
    units = list(units.select_related("organisation", "supervisor"))
    reports = {r.organisation_id: r for r in AnnualReport.objects.filter(
        year=year, organisation_id__in=[u.organisation_id for u in units])}
    due = reporting().due_to_supervisor(year)
    return [UnitState(u, year, due, reports.get(u.organisation_id)) for u in units]


def own_state(organisation_id, on: datetime.date | None = None) -> UnitState | None:
    on = on or today()
    units = ReportingUnit.objects.filter(organisation_id=organisation_id)
    found = states(units, report_year(on))
    return found[0] if found else None


def supervised(supervisor_id, on: datetime.date | None = None) -> list[UnitState]:
    on = on or today()
    return states(ReportingUnit.objects.filter(supervisor_id=supervisor_id).order_by("organisation__name"),
                  report_year(on))


def overdue(on: datetime.date | None = None) -> list[UnitState]:
    """Every unit whose report on the previous year is missing after the supervisor's deadline."""
    on = on or today()
    return [s for s in states(ReportingUnit.objects.all(), report_year(on)) if s.overdue(on)]


def reports_of(organisation_id):
    return AnnualReport.objects.filter(organisation_id=organisation_id).order_by("-year")


def send_reminders(on: datetime.date | None = None) -> int:
    """Remind units before the deadline (and once overdue) and supervisors of reports awaiting review; each
    message once per day and unit (notification keys). Returns the messages written."""
    on = on or today()
    rules = reporting()
    year = report_year(on)
    written = 0
    for state in states(ReportingUnit.objects.all(), year):
        left = (state.due_on - on).days
        members = state.unit.organisation.members.filter(is_verified=True, is_active=True)
        if not state.submitted and (left in rules.reminder_days_before or left == -1):
            title = (f"{year} 年度科技成果转化年度报告已逾期" if left < 0
                     else f"{year} 年度科技成果转化年度报告 {left} 天后截止")
            written += len(notify(members, "achievements.report", title,
                                  f"请于 {state.due_on:%Y年%m月%d日}前向{state.unit.supervisor.name}报送。",
                                  link="/achievements/reports/", key=f"report-{year}-{state.unit.pk}-{left}"))
        if state.report is not None and state.report.status == R.SUBMITTED:
            forward_by = rules.due_forwarded(year)
            if (forward_by - on).days in rules.reminder_days_before:
                written += len(notify(
                    state.unit.supervisor.members.filter(is_verified=True, is_active=True), "achievements.report",
                    f"待审核转报：{state.unit.organisation.name}的年度报告",
                    f"请于 {forward_by:%Y年%m月%d日}前审核转报。", link=state.report.get_absolute_url(),
                    key=f"forward-{state.report.pk}-{(forward_by - on).days}"))
    return written


def year_totals(year: int) -> dict:
    """The submitted and forwarded reports on `year`, added up (for the indicators): units, contracts, amounts."""
    qs = AnnualReport.objects.filter(year=year, status__in=SUBMITTED_STATES)
    totals = qs.aggregate(units=Count("id"), contracts=Sum("contracts_count"), amount=Sum("contracts_amount"),
                          income=Sum("income"), rewards=Sum("rewards"))
    zero = Decimal("0.00")
    return {"year": year, "units": totals["units"], "contracts": totals["contracts"] or 0,
            "contracts_amount": totals["amount"] or zero, "income": totals["income"] or zero,
            "rewards": totals["rewards"] or zero,
            "achievements": Achievement.objects.filter(
                pk__in=qs.values("achievements")).count()}
