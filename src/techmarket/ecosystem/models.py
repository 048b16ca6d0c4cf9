"""The service ecosystem's registers (docs/ecosystem.md): technology transfer institutions (技术转移机构) with their
filings, successful cases and change or closure filings; technology brokers (技术经纪人) with their training and
assessment records, dated status history and the deals they brokered; complaints (第二十七条) and the sanctions
they lead to. Every state change is one line of the audit log (techmarket.common.audit)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from techmarket.common.bounds import (
    NAME_MAX,
    REASON_MAX,
    date_check,
    range_check,
    validate_date,
    validate_single_line,
    validate_text,
)

MAX_STAFF = 100_000


class Institution(models.Model):
    """A technology transfer institution's filing (备案) and, once approved, its entry in the public register."""

    class Kind(models.TextChoices):
        INDEPENDENT = "independent", "独立法人机构"
        INTERNAL = "internal", "法人内设机构"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        RETURNED = "returned", "已退回"
        FILED = "filed", "已备案"
        CLOSED = "closed", "已歇业"
        REVOKED = "revoked", "已撤销备案"

    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                     related_name="transfer_institutions", verbose_name="单位")
    name = models.CharField("机构名称", max_length=NAME_MAX, validators=[validate_single_line])
    kind = models.CharField("机构类型", max_length=20, choices=Kind.choices)
    founded_on = models.DateField("依法设立日期", validators=[validate_date])
    services = models.TextField("服务项目", max_length=2000, validators=[validate_text],
                               help_text="第二十一条所列业务范围中本机构提供的服务。")
    business_years = models.DecimalField("从事技术转移服务业务年限（年）", max_digits=5, decimal_places=1)
    full_time_staff = models.PositiveIntegerField("专职从业人员（人）")
    managers_total = models.PositiveIntegerField("管理人员（人）")
    managers_college = models.PositiveIntegerField("其中大专以上学历（人）")
    st_staff = models.PositiveIntegerField("科技人员（人）")
    contact_phone = models.CharField("联系电话", max_length=40, blank=True, validators=[validate_single_line])
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    filed_on = models.DateField("提交备案日期")
    days_late = models.PositiveIntegerField("逾期天数", default=0, help_text="第二十二条：依法设立后 30 日内备案。")
    unmet = models.JSONField("未满足的条件", default=list, blank=True)
    return_reason = models.TextField("退回理由", blank=True, max_length=REASON_MAX)
    approved_on = models.DateField("备案日期", null=True, blank=True)
    closed_on = models.DateField("歇业日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="填报人")
    created_at = models.DateTimeField("填报时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = verbose_name_plural = "技术转移机构"
        constraints = [
            date_check("founded_on", "ecosystem_institution_founded_on_bounds"),
            range_check("full_time_staff", "ecosystem_institution_staff_bounds", 0, MAX_STAFF),
            range_check("st_staff", "ecosystem_institution_st_staff_bounds", 0, MAX_STAFF),
            range_check("managers_total", "ecosystem_institution_managers_bounds", 0, MAX_STAFF),
            range_check("business_years", "ecosystem_institution_years_bounds", 0, 1000),
            models.CheckConstraint(condition=Q(managers_college__lte=models.F("managers_total")),
                                   name="ecosystem_institution_college_within_managers"),
            models.CheckConstraint(condition=Q(st_staff__lte=models.F("full_time_staff")),
                                   name="ecosystem_institution_st_within_staff"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ecosystem:institution", args=[self.pk])

    @property
    def audit_label(self) -> str:
        return f"技术转移机构 {self.name}"

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.FILED, self.Status.CLOSED, self.Status.REVOKED)

    def figures(self) -> dict:
        """The plain dict services.conditions checks."""
        return {"kind": self.kind, "business_years": self.business_years, "successful_cases": self.cases.count(),
                "full_time_staff": self.full_time_staff, "managers_total": self.managers_total,
                "managers_college": self.managers_college, "st_staff": self.st_staff}


def case_path(instance, filename: str) -> str:
    return f"ecosystem/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class InstitutionCase(models.Model):
    """A successful case of technology transfer (第二十条（二）), with its document."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="cases")
    title = models.CharField("案例名称", max_length=NAME_MAX, validators=[validate_single_line])
    file = models.FileField("证明材料", upload_to=case_path, max_length=200)
    file_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "成功案例"

    def __str__(self) -> str:
        return self.title


class InstitutionChange(models.Model):
    """A change or closure filing (第二十四条): within 30 days of the change; late ones accepted and flagged."""

    class Kind(models.TextChoices):
        CHANGE = "change", "变更备案"
        CLOSURE = "closure", "歇业备案"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        ACCEPTED = "accepted", "已备案"
        RETURNED = "returned", "已退回"

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    changed_on = models.DateField("变更（歇业）日期", validators=[validate_date],
                                  help_text="依法办理相关手续的日期。")
    description = models.TextField("变更事项", max_length=2000, validators=[validate_text])
    new_name = models.CharField("变更后名称", max_length=NAME_MAX, blank=True, validators=[validate_single_line])
    new_services = models.TextField("变更后服务项目", max_length=2000, blank=True, validators=[validate_text])
    filed_on = models.DateField("提交日期")
    days_late = models.PositiveIntegerField("逾期天数", default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    return_reason = models.TextField("退回理由", blank=True, max_length=REASON_MAX)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = verbose_name_plural = "变更与歇业备案"
        constraints = [date_check("changed_on", "ecosystem_change_changed_on_bounds")]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_kind_display()}"

    @property
    def audit_label(self) -> str:
        return f"{self.institution.name} {self.get_kind_display()}（{self.changed_on:%Y-%m-%d}）"


class Broker(models.Model):
    """A technology broker (技术经纪人) in the register kept by the provincial department. The identity number is
    never shown on public pages; personal contacts only to verified users."""

    name = models.CharField("姓名", max_length=60, validators=[validate_single_line])
    id_number = models.CharField("身份证件号码", max_length=40, blank=True, validators=[validate_single_line])
    organisation = models.ForeignKey("directory.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="brokers", verbose_name="所在单位")
    institution = models.ForeignKey(Institution, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="brokers", verbose_name="所属技术转移机构")
    phone = models.CharField("联系电话", max_length=40, blank=True, validators=[validate_single_line])
    email = models.EmailField("电子邮箱", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = verbose_name_plural = "技术经纪人"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ecosystem:broker", args=[self.pk])

    @property
    def audit_label(self) -> str:
        return f"技术经纪人 {self.name}"


class Training(models.Model):
    """A broker's training and assessment (第二十五条)."""

    class Result(models.TextChoices):
        PASSED = "passed", "考核合格"
        FAILED = "failed", "考核不合格"

    broker = models.ForeignKey(Broker, on_delete=models.CASCADE, related_name="trainings")
    trainer = models.CharField("培训机构", max_length=NAME_MAX, validators=[validate_single_line],
                               help_text="国家或省级技术市场管理机构。")
    trained_on = models.DateField("培训日期", validators=[validate_date])
    assessed_on = models.DateField("考核日期", validators=[validate_date])
    result = models.CharField("考核结果", max_length=20, choices=Result.choices)
    certificate_number = models.CharField("证书编号", max_length=60, blank=True, validators=[validate_single_line])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessed_on", "id"]
        verbose_name = verbose_name_plural = "培训与考核"
        constraints = [date_check("trained_on", "ecosystem_training_trained_on_bounds"),
                       date_check("assessed_on", "ecosystem_training_assessed_on_bounds")]

    def __str__(self) -> str:
        return f"{self.broker} {self.trainer} {self.get_result_display()}"


class BrokerStatus(models.Model):
    """One dated line of a broker's status history: the status from `effective_on` until the next line."""

    class Status(models.TextChoices):
        QUALIFIED = "qualified", "资格有效"
        SUSPENDED = "suspended", "暂停资格"
        REVOKED = "revoked", "已撤销资格"

    broker = models.ForeignKey(Broker, on_delete=models.CASCADE, related_name="statuses")
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    effective_on = models.DateField("生效日期", validators=[validate_date])
    reason = models.CharField("原因", max_length=300, blank=True)
    sanction = models.ForeignKey("Sanction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_on", "id"]
        verbose_name = verbose_name_plural = "技术经纪人状态记录"
        constraints = [date_check("effective_on", "ecosystem_broker_status_effective_on_bounds")]

    def __str__(self) -> str:
        return f"{self.broker} {self.get_status_display()}（{self.effective_on}）"


class BrokerDeal(models.Model):
    """A contract on the platform a broker brought about: the contract's id in the market (read through
    techmarket.market.services.brokered, never from its tables)."""

    broker = models.ForeignKey(Broker, on_delete=models.CASCADE, related_name="deals")
    contract_id = models.PositiveIntegerField("合同编号")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "经纪的合同"
        constraints = [models.UniqueConstraint(fields=["broker", "contract_id"], name="ecosystem_one_deal_per_broker")]

    def __str__(self) -> str:
        return f"{self.broker} 合同 {self.contract_id}"


class Target(models.TextChoices):
    LISTING = "listing", "条目"
    INSTITUTION = "institution", "技术转移机构"
    BROKER = "broker", "技术经纪人"
    CONTRACT = "contract", "技术合同"
    REGISTRY = "registry", "技术合同登记机构"
    PLATFORM = "platform", "创新平台"


class Complaint(models.Model):
    """A report of a behaviour 第二十七条 prohibits; reviewers investigate and record the outcome."""

    class Status(models.TextChoices):
        OPEN = "open", "待调查"
        DISMISSED = "dismissed", "不成立"
        SANCTIONED = "sanctioned", "已处理"

    target = models.CharField("对象类别", max_length=20, choices=Target.choices)
    target_key = models.CharField("对象", max_length=60)
    target_label = models.CharField("对象名称", max_length=NAME_MAX)
    behaviour = models.CharField("违规行为", max_length=40)
    description = models.TextField("事实和理由", max_length=REASON_MAX, validators=[validate_text])
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="举报人")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField("调查结论", blank=True, max_length=REASON_MAX)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField("举报时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "投诉举报"

    def __str__(self) -> str:
        return f"投诉 #{self.pk} {self.target_label}"

    def get_absolute_url(self) -> str:
        return reverse("ecosystem:complaint", args=[self.pk])

    @property
    def audit_label(self) -> str:
        return f"投诉 #{self.pk}（{self.target_label}）"


class Sanction(models.Model):
    """A sanction in force from `starts_on` to `ends_on` (included; none: until lifted, for a revocation forever)."""

    class Kind(models.TextChoices):
        WARNING = "warning", "警告"
        SUSPENSION = "suspension", "暂停"
        REVOCATION = "revocation", "撤销"
        # 第十九条, for a contract-registration institution.
        CRITICISM = "criticism", "通报批评"
        RECTIFICATION = "rectification", "责令限期整顿"

    target = models.CharField("对象类别", max_length=20, choices=Target.choices)
    target_key = models.CharField("对象", max_length=60)
    target_label = models.CharField("对象名称", max_length=NAME_MAX)
    institution = models.ForeignKey(Institution, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="sanctions")
    broker = models.ForeignKey(Broker, null=True, blank=True, on_delete=models.CASCADE, related_name="sanctions")
    registry = models.ForeignKey("market.Registry", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="sanctions", verbose_name="登记机构")
    platform = models.ForeignKey("platforms.Platform", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="sanctions", verbose_name="创新平台")
    kind = models.CharField("处理", max_length=20, choices=Kind.choices)
    starts_on = models.DateField("起始日期", validators=[validate_date])
    ends_on = models.DateField("截止日期", null=True, blank=True, validators=[validate_date])
    article = models.CharField("依据条款", max_length=40)
    reason = models.TextField("理由", max_length=REASON_MAX, validators=[validate_text])
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="sanctions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = verbose_name_plural = "处理决定"
        constraints = [
            date_check("starts_on", "ecosystem_sanction_starts_on_bounds"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="ecosystem_sanction_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.target_label} {self.get_kind_display()}"

    @property
    def audit_label(self) -> str:
        return f"处理决定：{self.target_label} {self.get_kind_display()}"

    def in_force_on(self, day) -> bool:
        if self.kind in (self.Kind.WARNING, self.Kind.CRITICISM):
            return False
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class EcosystemAction(models.TextChoices):
    """Audit codes of the ecosystem's records."""

    FILE = "file", "提交备案"
    APPROVE = "approve", "准予备案"
    RETURN = "return", "退回"
    RESUBMIT = "resubmit", "重新提交"
    ADD_CASE = "add-case", "上传成功案例"
    FILE_CHANGE = "file-change", "提交变更（歇业）备案"
    ACCEPT_CHANGE = "accept-change", "变更（歇业）备案通过"
    RETURN_CHANGE = "return-change", "变更（歇业）备案退回"
    REGISTER_BROKER = "register-broker", "登记技术经纪人"
    RECORD_TRAINING = "record-training", "记录培训考核"
    STATUS = "status", "资格状态变更"
    RECORD_DEAL = "record-deal", "记录经纪合同"
    COMPLAIN = "complain", "投诉举报"
    DISMISS = "dismiss", "投诉不成立"
    SANCTION = "sanction", "作出处理决定"
