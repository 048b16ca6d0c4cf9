"""Policy records: the rules mirrored from data/policy (read only), the programmes that pay them with their yearly
budgets, applications with their history, and the ledger of commitments and payments (append only)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from techmarket.common.bounds import money_check, money_field, validate_single_line


class Programme(models.Model):
    """A budget line (data/policy/programmes.yaml)."""

    code = models.SlugField("代码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=200)
    payer = models.CharField("出资方", max_length=300, blank=True)
    source = models.TextField("依据", blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "奖补资金项目"

    def __str__(self) -> str:
        return self.name


class Budget(models.Model):
    """A programme's budget for a year, only where a source gives the figure."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField("年度")
    amount = money_field("预算（元）", null=True, blank=True)
    source = models.TextField("来源", blank=True)
    # Null for budgets from data/policy/programmes.yaml (kept in step with the file); a reviewer who records a year's
    # budget from an official document (policy.services.ledger.set_budget) is named here.
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="录入人")

    class Meta:
        ordering = ["programme", "year"]
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="policy_budget_programme_year"),
                       money_check("amount", "policy_budget_amount_bounds")]
        verbose_name = verbose_name_plural = "年度预算"

    def __str__(self) -> str:
        return f"{self.programme} {self.year}"


class Rule(models.Model):
    """A rule as loaded from data/policy/rules/*.yaml. The files are the source of truth; these rows are kept in
    step with them after every migrate and before applications are computed, and are never deleted (the ledger
    refers to them): a rule removed from the files becomes inactive."""

    rule_id = models.SlugField("条款编号", max_length=80, unique=True)
    title = models.CharField("名称", max_length=200)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rules", verbose_name="资金项目")
    document_title = models.CharField("文件", max_length=200)
    document_number = models.CharField("文号", max_length=100)
    article = models.CharField("条款", max_length=200)
    excerpt = models.TextField("原文摘录")
    payer = models.CharField("出资方", max_length=300)
    valid_from = models.DateField("施行日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    data = models.JSONField("条款数据", default=dict)
    file = models.CharField("数据文件", max_length=120)
    version = models.CharField("文件版本", max_length=20)
    content_hash = models.CharField("内容哈希", max_length=64)
    active = models.BooleanField("现行", default=True)
    synced_at = models.DateTimeField("同步时间", auto_now=True)

    class Meta:
        ordering = ["file", "id"]
        verbose_name = verbose_name_plural = "奖补条款"

    def __str__(self) -> str:
        return f"{self.rule_id} {self.title}"


class Application(models.Model):
    """An organisation's claim for the awards an event earns it, pre-computed by the engine."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        APPROVED = "approved", "已核准"
        ADJUSTED = "adjusted", "调整后核准"
        REJECTED = "rejected", "不予核准"

    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                     related_name="policy_applications", verbose_name="申请单位")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="policy_applications", verbose_name="申请人")
    title = models.CharField("事项", max_length=300)
    event = models.JSONField("事件")
    # What makes two applications "the same": the organisation and this digest of the event as stored (the facts
    # of the event in a canonical JSON form). See docs/policy.md, "One application per event".
    event_key = models.CharField("事件摘要", max_length=64, db_index=True)
    awards = models.JSONField("申请时计算的奖补", default=list)
    not_applied = models.JSONField("未适用的条款", default=list)
    rules_version = models.CharField("条款版本", max_length=20)
    # Where the event's facts come from (policy.services.facts.Provenance): the platform record an application
    # was made from and the fields it vouches for, and the fields the applicant declared.
    facts = models.JSONField("事实来源", default=dict, blank=True)
    # The evidence codes the awarded rules need (vocabulary.yaml `evidence`), in the order the checklist shows them;
    # each is vouched for by the record (facts["evidence"]) or uploaded (ApplicationEvidence).
    evidence_required = models.JSONField("所需证明材料", default=list, blank=True)
    computed_total = money_field("计算合计（元）")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    decided_awards = models.JSONField("核准的奖补", default=list, blank=True)
    decided_total = money_field("核准合计（元）", null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="审核人")
    reason = models.TextField("审核理由", blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        permissions = [("review_application", "审核奖补申请")]
        verbose_name = verbose_name_plural = "奖补申请"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "event_key"], condition=~Q(status="rejected"),
                                    name="policy_one_application_per_event"),
            money_check("computed_total", "policy_application_computed_total_bounds"),
            money_check("decided_total", "policy_application_decided_total_bounds"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.organisation} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_granted(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.ADJUSTED)


def evidence_path(instance, filename: str) -> str:
    # The stored name is not the uploaded one: only the sha256 and the detected type's extension.
    return f"policy/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class ApplicationEvidence(models.Model):
    """A document the applicant uploaded as evidence for one item of an application's checklist (type checked by
    content, common/uploads.py). Kept with the application; never edited."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence",
                                    verbose_name="申请")
    code = models.CharField("材料类别", max_length=40)
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = verbose_name_plural = "奖补申请证明材料"
        constraints = [models.UniqueConstraint(fields=["application", "code"], name="policy_one_evidence_per_item")]

    def __str__(self) -> str:
        return self.name


class ApplicationAction(models.TextChoices):
    """What the audit log records about an application: submission, decision (with the reviewer's reason) and
    payments."""

    SUBMITTED = "submitted", "提交申请"
    APPROVED = "approved", "核准"
    ADJUSTED = "adjusted", "调整后核准"
    REJECTED = "rejected", "不予核准"
    PAID = "paid", "登记拨付"


class LedgerEntry(models.Model):
    """One year's commitment (or payment) of an award. Entries are only ever added, never edited: the ledger is
    its own history. Caps that span events count the committed entries."""

    class Kind(models.TextChoices):
        COMMITTED = "committed", "承诺"
        PAID = "paid", "已拨付"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="ledger_entries",
                                  verbose_name="资金项目")
    year = models.PositiveSmallIntegerField("年度")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name="条款")
    organisation = models.ForeignKey("directory.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="policy_ledger_entries", verbose_name="受益单位")
    beneficiary_name = models.CharField("受益方", max_length=200, validators=[validate_single_line])
    project = models.CharField("项目编号", max_length=200, blank=True)
    base_amount = money_field("计算基数（元）", default=0)
    amount = money_field("金额（元）")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="ledger_entries", verbose_name="申请")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["year", "id"]
        indexes = [models.Index(fields=["rule", "organisation", "year"], name="policy_ledger_cap_idx")]
        constraints = [money_check("base_amount", "policy_ledger_base_amount_bounds"),
                       money_check("amount", "policy_ledger_amount_bounds")]
        verbose_name = verbose_name_plural = "奖补台账"

    def __str__(self) -> str:
        return f"{self.year} {self.beneficiary_name} {self.rule.rule_id} {self.amount}"
