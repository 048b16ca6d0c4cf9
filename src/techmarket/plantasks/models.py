"""Task tracking (定期调度) of the 2025 plan: its tasks and their units (synced from data/plantasks), the users a
reviewer assigns to a task's unit, and the units' quarterly progress reports with evidence (docs/plantasks.md)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from techmarket.common.bounds import REASON_MAX, TITLE_MAX, date_check, validate_single_line, validate_text
from techmarket.indicators.services.periods import parse

QUOTE_MAX = 2000
UNIT_MAX = 50
PERIOD_MAX = 10
SCHEDULE_MAX = 40


def _length_check(field: str, limit: int, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)


class PlanTask(models.Model):
    plan_code = models.CharField("规划代码", max_length=40)
    number = models.PositiveSmallIntegerField("任务序号")
    section = models.CharField("部分", max_length=TITLE_MAX, validators=[validate_single_line])
    title = models.CharField("任务", max_length=TITLE_MAX, validators=[validate_single_line])
    quote = models.TextField("原文摘录", max_length=QUOTE_MAX, validators=[validate_text])
    # The plan's own schedule for the task (the 2016 annex's 时间进度), and its date when it names one.
    schedule = models.CharField("时间进度", max_length=SCHEDULE_MAX, blank=True, validators=[validate_single_line])
    deadline = models.DateField("完成时限", null=True, blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "行动方案任务"
        ordering = ["plan_code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan_code", "number"], name="plantask_one_number_per_plan"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=999), name="plantask_number_bounds"),
            _length_check("title", TITLE_MAX, "plantask_title_length"),
            _length_check("section", TITLE_MAX, "plantask_section_length"),
            _length_check("quote", QUOTE_MAX, "plantask_quote_length"),
            _length_check("schedule", SCHEDULE_MAX, "plantask_schedule_length"),
            date_check("deadline", "plantask_deadline_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class TaskUnit(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "牵头单位"
        COOPERATING = "cooperating", "配合单位"

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="units")
    name = models.CharField("单位", max_length=UNIT_MAX, validators=[validate_single_line])
    role = models.CharField("职责", max_length=12, choices=Role.choices)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "任务责任单位"
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "name"], name="taskunit_one_name_per_task"),
            models.CheckConstraint(condition=models.Q(role__in=["lead", "cooperating"]), name="taskunit_role_valid"),
            _length_check("name", UNIT_MAX, "taskunit_name_length"),
        ]

    def __str__(self) -> str:
        return f"{self.task.number}. {self.task.title} · {self.name}（{self.get_role_display()}）"

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD


class UnitMember(models.Model):
    """A user who reports for a task's unit, assigned by a reviewer."""

    unit = models.ForeignKey(TaskUnit, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_task_memberships")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("指定时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位填报人"
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="unitmember_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.user}"


class ReportAction(models.TextChoices):
    ASSIGN = "assign", "指定填报人"
    UNASSIGN = "unassign", "取消填报人"
    SUBMIT = "submit", "报送进展"
    REMIND = "remind", "逾期提醒"


def evidence_path(instance, filename: str) -> str:
    return f"plantasks/{instance.evidence_sha256[:2]}/{instance.evidence_sha256}{instance.evidence_extension}"


class ProgressReport(models.Model):
    """One unit's progress on one task for one quarter: one per unit and period."""

    unit = models.ForeignKey(TaskUnit, on_delete=models.PROTECT, related_name="reports")
    period_key = models.CharField("周期", max_length=PERIOD_MAX)
    period_start = models.DateField("周期开始")
    period_end = models.DateField("周期结束")
    progress = models.TextField("工作进展", max_length=REASON_MAX, validators=[validate_text])
    evidence = models.FileField("佐证材料", upload_to=evidence_path, max_length=200)
    evidence_name = models.CharField("佐证材料文件名", max_length=200)
    evidence_sha256 = models.CharField(max_length=64)
    evidence_extension = models.CharField(max_length=10)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "任务进展报送"
        ordering = ["unit", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period_key"], name="progressreport_one_per_unit_period"),
            _length_check("progress", REASON_MAX, "progressreport_progress_length"),
            models.CheckConstraint(condition=~models.Q(progress=""), name="progressreport_progress_not_empty"),
            date_check("period_start", "progressreport_period_start_bounds"),
            date_check("period_end", "progressreport_period_end_bounds"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="progressreport_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.period_label}"

    @property
    def period_label(self) -> str:
        return parse(self.period_key).label
