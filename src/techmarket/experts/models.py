"""The expert pool (专家库): experts' profiles, and the reviewer assignments drawn from them (docs/experts.md)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse

from techmarket.common.bounds import NAME_MAX, date_check, validate_date, validate_single_line, validate_text

SPECIALITIES_MAX = 2000
CONFLICTS_MAX = 2000
PHONE_MAX = 40


class Expert(models.Model):
    class Availability(models.TextChoices):
        AVAILABLE = "available", "可参加评审"
        BUSY = "busy", "暂不可参加"
        RETIRED = "retired", "已退出"

    class Status(models.TextChoices):
        PENDING = "pending", "待核验"
        VERIFIED = "verified", "已核验"
        REJECTED = "rejected", "未通过核验"

    name = models.CharField("姓名", max_length=60, validators=[validate_single_line])
    title = models.CharField("职称", max_length=60, blank=True, validators=[validate_single_line])
    organisation = models.ForeignKey("directory.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="experts", verbose_name="工作单位")
    region = models.ForeignKey("directory.Region", on_delete=models.PROTECT, related_name="experts",
                               verbose_name="所在地")
    fields = models.ManyToManyField("catalogue.Field", related_name="experts", verbose_name="专业领域")
    specialities = models.TextField("研究专长", max_length=SPECIALITIES_MAX, blank=True, validators=[validate_text])
    availability = models.CharField("可参加评审情况", max_length=20, choices=Availability.choices,
                                    default=Availability.AVAILABLE)
    busy_until = models.DateField("暂不可参加至", null=True, blank=True, validators=[validate_date])
    conflict_organisations = models.ManyToManyField("directory.Organisation", blank=True,
                                                    related_name="expert_conflicts",
                                                    verbose_name="声明有利益关系的单位")
    conflict_notes = models.TextField("其他利益关系说明", max_length=CONFLICTS_MAX, blank=True,
                                      validators=[validate_text],
                                      help_text="如曾任职、兼职或亲属任职的单位，请写明单位全称。")
    phone = models.CharField("电话", max_length=PHONE_MAX, blank=True, validators=[validate_single_line])
    email = models.EmailField("电子邮箱", blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="expert_profile", verbose_name="关联账户")
    status = models.CharField("核验状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField("核验意见", max_length=NAME_MAX, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="核验人")
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = verbose_name_plural = "专家"
        permissions = [("verify_expert", "核验专家、查看专家抽取记录")]
        constraints = [
            date_check("busy_until", "experts_expert_busy_until_bounds"),
            models.CheckConstraint(condition=~Q(availability="busy") | Q(busy_until__isnull=False),
                                   name="experts_busy_has_date"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("experts:detail", args=[self.pk])

    def is_available_on(self, day) -> bool:
        if self.availability == self.Availability.AVAILABLE:
            return True
        return self.availability == self.Availability.BUSY and self.busy_until is not None and self.busy_until < day


class Assignment(models.Model):
    """One draw of reviewers for a subject (a proposal, an achievement evaluation…): what was asked, the seed,
    the experts drawn and every expert excluded with the reason; reproducible from the seed and the pool."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="评审对象类型")
    object_id = models.PositiveBigIntegerField("评审对象编号")
    subject_label = models.CharField("评审对象", max_length=300)
    field_codes = models.JSONField("领域", default=list)
    count = models.PositiveSmallIntegerField("抽取人数")
    organisation_ids = models.JSONField("申报单位", default=list)
    organisation_names = models.JSONField("申报单位名称", default=list)
    exclude_years = models.PositiveSmallIntegerField("合同回避年限")
    since = models.DateField("合同回避起始日")
    seed = models.BigIntegerField("随机种子")
    # The eligible experts' ids in the order drawn from (ascending): random.Random(seed).sample(pool_ids, count)
    # gives the drawn experts again.
    pool_ids = models.JSONField("候选专家", default=list)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="抽取人")
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "专家抽取记录"
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.subject_label}（{self.count} 位专家）"

    def get_absolute_url(self) -> str:
        return reverse("experts:assignment", args=[self.pk])

    @property
    def drawn(self):
        return self.entries.filter(outcome=AssignmentEntry.Outcome.DRAWN).select_related("expert").order_by("position")

    @property
    def excluded(self):
        return (self.entries.filter(outcome=AssignmentEntry.Outcome.EXCLUDED).select_related("expert")
                .order_by("expert__name", "expert_id"))


class AssignmentEntry(models.Model):
    class Outcome(models.TextChoices):
        DRAWN = "drawn", "抽中"
        EXCLUDED = "excluded", "回避"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="entries")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignment_entries",
                               verbose_name="专家")
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    reason_kinds = models.JSONField("回避类型", default=list, blank=True)
    reason = models.CharField("回避原因", max_length=1000, blank=True)

    class Meta:
        ordering = ["assignment", "outcome", "position", "pk"]
        verbose_name = verbose_name_plural = "抽取结果"
        constraints = [models.UniqueConstraint(fields=["assignment", "expert"], name="experts_one_entry_per_expert")]

    def __str__(self) -> str:
        return f"{self.expert}：{self.get_outcome_display()}"
