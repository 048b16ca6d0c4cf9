"""Innovation platforms, innovation teams introduced, and 科技专员 (docs/platforms.md).

Platforms and teams are recorded by verified members of the host organisation (submitted, then approved or rejected
by the department's reviewers) or directly by reviewers (approved at once). Only approved records are public, count
in the indicators (services/statistics.py) and are facts for the policy engine (policy_facts.py). Kinds and levels
of platforms are data (data/platforms/kinds.yaml), stored here as their codes.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from techmarket.common.bounds import (
    DESCRIPTION_MAX,
    NAME_MAX,
    date_check,
    money_check,
    money_field,
    range_check,
    validate_date,
    validate_single_line,
    validate_text,
)


class Review(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已审核"
    REJECTED = "rejected", "未通过"


class RecordAction(models.TextChoices):
    """Audit codes of platforms and teams (common.audit)."""

    SUBMIT = "submit", "提交登记"
    RECORD = "record", "审核员直接登记"
    APPROVE = "approve", "审核通过"
    REJECT = "reject", "审核未通过"
    CLOSE = "close", "撤销认定"


def document_path(instance, filename: str) -> str:
    # The stored name is not the uploaded one: the sha256 and the detected type's extension.
    return f"platforms/{instance.document_sha256[:2]}/{instance.document_sha256}{instance.document_extension}"


class Recorded(models.Model):
    """What platforms and teams share: the evidence document, the review and who recorded it."""

    field = models.ForeignKey("catalogue.Field", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name="领域")
    description = models.TextField("简介", blank=True, max_length=DESCRIPTION_MAX, validators=[validate_text])
    document = models.FileField("证明文件", upload_to=document_path, max_length=200, blank=True)
    document_name = models.CharField("文件名", max_length=200, blank=True)
    document_type = models.CharField("文件类型", max_length=100, blank=True)
    document_extension = models.CharField(max_length=10, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField("审核状态", max_length=20, choices=Review.choices, default=Review.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="登记人")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_reason = models.TextField("审核意见", blank=True, validators=[validate_text])
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_approved(self) -> bool:
        return self.status == Review.APPROVED


class Platform(Recorded):
    """An innovation platform: its kind and level (codes of data/platforms/kinds.yaml), host and co-building
    partners (援扶单位: organisations and/or partner provinces), recognition date and document."""

    class State(models.TextChoices):
        BUILDING = "building", "建设期"
        OPERATING = "operating", "运行中"
        CLOSED = "closed", "已撤销或撤销认定"

    name = models.CharField("平台名称", max_length=NAME_MAX, validators=[validate_single_line])
    kind = models.CharField("类别", max_length=40)
    level = models.CharField("级别", max_length=20)
    host = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="innovation_platforms",
                             verbose_name="依托单位")
    partner_organisations = models.ManyToManyField(
        "directory.Organisation", blank=True, related_name="co_built_platforms", verbose_name="共建单位（援扶单位）")
    partner_regions = models.ManyToManyField("directory.Region", blank=True, related_name="co_built_platforms",
                                             verbose_name="共建省市")
    recognised_on = models.DateField("认定日期", validators=[validate_date])
    recognition_number = models.CharField("认定文号", max_length=100, blank=True, validators=[validate_single_line])
    construction_years = models.PositiveSmallIntegerField("建设期（年）", null=True, blank=True)
    state = models.CharField("运行状态", max_length=20, choices=State.choices, default=State.OPERATING)

    class Meta:
        ordering = ["-recognised_on", "-id"]
        verbose_name = verbose_name_plural = "创新平台"
        permissions = [("review_record", "审核创新平台、创新团队的登记")]
        constraints = [
            date_check("recognised_on", "platform_recognised_on_bounds"),
            range_check("construction_years", "platform_construction_years_bounds", 1, 10),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("platforms:platform", args=[self.pk])


class Team(Recorded):
    """An innovation team introduced to Qinghai: leader, members, origin institution (may be outside Qinghai), the
    host organisation in Qinghai, field, introduction date and evidence."""

    name = models.CharField("团队名称", max_length=NAME_MAX, validators=[validate_single_line])
    leader_name = models.CharField("带头人", max_length=100, validators=[validate_single_line])
    leader_title = models.CharField("带头人职称或职务", max_length=100, blank=True, validators=[validate_single_line])
    members = models.JSONField("团队成员", default=list, blank=True)  # [{"name": …, "title": …}]
    origin = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="teams_sent",
                               verbose_name="来源单位")
    host = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="teams_hosted",
                             verbose_name="引进单位")
    introduced_on = models.DateField("引进日期", validators=[validate_date])
    # Selected as a team introduced under the 高端创新人才千人计划 (the policy's qianren-introduced-team): only when
    # the recognition document says so.
    qianren_team = models.BooleanField("入选“高端创新人才千人计划”引进创新创业团队", default=False)

    class Meta:
        ordering = ["-introduced_on", "-id"]
        verbose_name = verbose_name_plural = "引进创新团队"
        constraints = [date_check("introduced_on", "team_introduced_on_bounds")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("platforms:team", args=[self.pk])


class SpecialistAction(models.TextChoices):
    ASSIGN = "assign", "选派科技专员"
    LOG = "log", "记录服务"
    EVALUATE = "evaluate", "企业评价"
    PAY = "pay", "记录绩效报酬"


class Assignment(models.Model):
    """A 科技专员: an out-of-province institution assigns a specialist to a Qinghai enterprise for a period (2025
    plan, task 3); the enterprise evaluates the service once and records the performance pay agreed."""

    institution = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="选派单位")
    enterprise = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="服务企业")
    person_name = models.CharField("科技专员姓名", max_length=100, validators=[validate_single_line])
    person_title = models.CharField("职称或职务", max_length=100, blank=True, validators=[validate_single_line])
    starts_on = models.DateField("服务开始日期", validators=[validate_date])
    ends_on = models.DateField("服务结束日期", validators=[validate_date])
    tasks = models.TextField("服务内容", blank=True, max_length=DESCRIPTION_MAX, validators=[validate_text])
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    pay_amount = money_field("绩效报酬（元）", null=True, blank=True)
    pay_note = models.TextField("报酬依据", blank=True, validators=[validate_text])
    pay_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name="报酬记录人")
    pay_recorded_at = models.DateTimeField("报酬记录时间", null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = verbose_name_plural = "科技专员"
        constraints = [
            date_check("starts_on", "assignment_starts_on_bounds"),
            date_check("ends_on", "assignment_ends_on_bounds"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="assignment_period_order"),
            money_check("pay_amount", "assignment_pay_amount_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.institution.name} → {self.enterprise.name}）"

    def get_absolute_url(self) -> str:
        return reverse("platforms:assignment", args=[self.pk])


class ServiceEntry(models.Model):
    """A dated entry of a specialist's service log, written by the specialist's institution."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="entries")
    served_on = models.DateField("服务日期", validators=[validate_date])
    text = models.TextField("服务内容", max_length=DESCRIPTION_MAX, validators=[validate_text])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="记录人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["served_on", "id"]
        verbose_name = verbose_name_plural = "科技专员服务记录"
        constraints = [date_check("served_on", "service_entry_served_on_bounds")]

    def __str__(self) -> str:
        return f"{self.served_on}：{self.text[:30]}"


class Evaluation(models.Model):
    """The enterprise's evaluation of a specialist's service: one per assignment (its period)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="evaluation")
    score = models.PositiveSmallIntegerField("评分（1—5）")
    text = models.TextField("评价", blank=True, max_length=DESCRIPTION_MAX, validators=[validate_text])
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="评价人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "科技专员服务评价"
        constraints = [range_check("score", "evaluation_score_bounds", 1, 5)]

    def __str__(self) -> str:
        return f"{self.score} 分"
