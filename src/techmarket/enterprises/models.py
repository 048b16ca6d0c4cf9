"""Enterprise services (docs/enterprises.md): the 科技体检 (technology check-up) an enterprise answers, and the
demands of the library it published from the bottlenecks it described."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from techmarket.common.bounds import (
    BUDGET_DIGITS,
    MAX_BUDGET_WAN,
    REASON_MAX,
    budget_check,
    date_check,
    money_check,
    money_field,
    range_check,
    validate_date,
    validate_single_line,
    validate_text,
)


class CheckupAction(models.TextChoices):
    """Audit codes of a check-up (common.audit)."""

    COMPLETE = "complete", "完成科技体检"
    COMPLETE_FOR = "complete-for", "代企业完成科技体检"
    PUBLISH = "publish-demand", "据体检发布技术需求"


class Checkup(models.Model):
    """One check-up of an organisation: the answers to data/enterprises/checkup.yaml as given (checked by
    services/questionnaire.py) and the technical bottlenecks in the enterprise's own words."""

    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="checkups",
                                     verbose_name="企业")
    answers = models.JSONField("答卷")
    bottlenecks = models.JSONField("技术瓶颈")  # [{"title": …, "text": …}]
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="填写人")
    completed_at = models.DateTimeField("完成时间", auto_now_add=True)
    run_by = models.CharField("体检方式", max_length=12, default="self", choices=[
        ("self", "企业自行体检"), ("specialist", "科技专员代为体检"), ("prefecture", "市州科技局代为体检")])

    class Meta:
        ordering = ["-completed_at", "-id"]
        verbose_name = verbose_name_plural = "企业科技体检"

    def __str__(self) -> str:
        return f"{self.organisation} 科技体检 {self.completed_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:checkup", args=[self.pk])

    @property
    def audit_label(self) -> str:
        return f"科技体检 #{self.pk}（{self.organisation}）"


class CheckupDemand(models.Model):
    """A bottleneck of a check-up published as a demand of the library: one listing per bottleneck."""

    checkup = models.ForeignKey(Checkup, on_delete=models.CASCADE, related_name="demands")
    index = models.PositiveSmallIntegerField("瓶颈序号")
    listing_reference = models.CharField("需求", max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "据体检发布的需求"
        constraints = [
            models.UniqueConstraint(fields=["checkup", "index"], name="enterprises_one_demand_per_bottleneck"),
            models.CheckConstraint(condition=models.Q(index__lt=20), name="enterprises_bottleneck_index_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.checkup} 瓶颈 {self.index + 1}"


class InnovationScore(models.Model):
    """One line of an organisation's 创新积分 history: the total, the facts it rests on and each indicator's points
    (services/points.py), added when the facts or the total change."""

    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                     related_name="innovation_scores", verbose_name="企业")
    year = models.PositiveSmallIntegerField("年度")
    total = models.DecimalField("积分", max_digits=5, decimal_places=2)
    facts = models.JSONField("事实")
    sources = models.JSONField("事实来源")
    lines = models.JSONField("计算过程")
    computed_at = models.DateTimeField("计算时间", auto_now_add=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = verbose_name_plural = "创新积分"
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0, total__lte=100),
                                   name="enterprises_score_total_bounds"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100),
                                   name="enterprises_score_year_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} 创新积分 {self.total}"


# Financing needs (docs/enterprises.md, "Financing needs"): an enterprise posts a loan or equity need, chooses the
# financial institutions that may see its figures; a financial institution records its products, sees the needs
# matched to them, responds and records the outcome; a bad loan is the fact of a 青信融 risk-compensation claim.

MAX_TERM_MONTHS = 360
MAX_RATE = Decimal("36.00")  # % a year: above the judicial protection ceiling no loan is recorded
TERM_BOUNDS = [MinValueValidator(1), MaxValueValidator(MAX_TERM_MONTHS)]


class FinancingKind(models.TextChoices):
    LOAN = "loan", "贷款"
    EQUITY = "equity", "股权融资"


class Security(models.TextChoices):
    CREDIT = "credit", "信用"
    COLLATERAL = "collateral", "抵押"
    IP_PLEDGE = "ip-pledge", "知识产权质押"
    GUARANTEE = "guarantee", "担保"
    NONE = "none", "不适用（股权融资）"


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", "微型企业"
    SMALL = "small", "小型企业"
    MEDIUM = "medium", "中型企业"
    LARGE = "large", "大型企业"


SME_SIZES = (EnterpriseSize.MICRO, EnterpriseSize.SMALL, EnterpriseSize.MEDIUM)


class FinancingAction(models.TextChoices):
    """Audit codes of a financing need (common.audit)."""

    POST = "post", "发布融资需求"
    SHARE = "share", "向金融机构开放企业信息"
    UNSHARE = "unshare", "收回金融机构查看权限"
    RESPOND = "respond", "金融机构回应"
    GRANT = "grant", "记录放款/投资结果"
    CLOSE = "close", "关闭融资需求"
    BAD_LOAN = "bad-loan", "登记不良贷款"


class FinancialProduct(models.Model):
    """A financial institution's product: what kind of financing, for which amounts, terms and fields."""

    institution = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                    related_name="financial_products", verbose_name="金融机构")
    name = models.CharField("产品名称", max_length=100, validators=[validate_single_line])
    kind = models.CharField("融资方式", max_length=10, choices=FinancingKind.choices)
    securities = models.JSONField("接受的担保方式", default=list, blank=True)  # Security codes; [] = any
    min_amount = money_field("最低金额（元）")
    max_amount = money_field("最高金额（元）")
    max_term_months = models.PositiveSmallIntegerField("最长期限（月）", validators=TERM_BOUNDS)
    fields = models.JSONField("支持的领域", default=list, blank=True)  # top-level field codes; [] = all
    active = models.BooleanField("在售", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution_id", "name", "id"]
        verbose_name = verbose_name_plural = "金融产品"
        constraints = [
            money_check("min_amount", "enterprises_product_min_bounds"),
            money_check("max_amount", "enterprises_product_max_bounds"),
            models.CheckConstraint(condition=models.Q(min_amount__lte=models.F("max_amount")),
                                   name="enterprises_product_range"),
            range_check("max_term_months", "enterprises_product_term_bounds", 1, MAX_TERM_MONTHS),
            models.UniqueConstraint(fields=["institution", "name"], name="enterprises_one_product_per_name"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.name}"


class FinancingNeed(models.Model):
    """An enterprise's loan or equity need. At most one open need of each kind per enterprise (a repeated or
    concurrent posting finds the one already open)."""

    class Status(models.TextChoices):
        OPEN = "open", "征集中"
        GRANTED = "granted", "已获融资"
        CLOSED = "closed", "已关闭"

    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                     related_name="financing_needs", verbose_name="企业")
    kind = models.CharField("融资方式", max_length=10, choices=FinancingKind.choices)
    amount = money_field("需求金额（元）")
    use = models.TextField("资金用途", max_length=2000, validators=[validate_text])
    term_months = models.PositiveSmallIntegerField("期限（月）", validators=TERM_BOUNDS)
    security = models.CharField("担保方式", max_length=12, choices=Security.choices)
    security_note = models.CharField("抵质押物说明", max_length=300, blank=True, validators=[validate_single_line])
    field = models.CharField("所属领域", max_length=50)  # a top-level taxonomy field code
    size = models.CharField("企业规模", max_length=10, choices=EnterpriseSize.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    shared_with = models.ManyToManyField("directory.Organisation", blank=True, related_name="+",
                                         verbose_name="可查看企业信息的金融机构")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="发布人")
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "融资需求"
        constraints = [
            money_check("amount", "enterprises_need_amount_bounds"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="enterprises_need_amount_positive"),
            range_check("term_months", "enterprises_need_term_bounds", 1, MAX_TERM_MONTHS),
            models.UniqueConstraint(fields=["organisation", "kind"], condition=models.Q(status="open"),
                                    name="enterprises_one_open_need_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_kind_display()}需求"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:need", args=[self.pk])

    @property
    def audit_label(self) -> str:
        return f"融资需求（{self.organisation}，{self.get_kind_display()}）"


class FinancingResponse(models.Model):
    """A financial institution's answer to a need (one per institution and need), and the outcome once recorded."""

    class Status(models.TextChoices):
        INTERESTED = "interested", "有意向，正在对接"
        DECLINED = "declined", "暂不支持"
        GRANTED = "granted", "已放款/已投资"

    need = models.ForeignKey(FinancingNeed, on_delete=models.CASCADE, related_name="responses")
    institution = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="金融机构")
    product = models.ForeignKey(FinancialProduct, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="responses", verbose_name="产品")
    status = models.CharField("状态", max_length=12, choices=Status.choices)
    message = models.TextField("说明", max_length=1000, blank=True, validators=[validate_text])
    granted_amount = money_field("放款/投资金额（元）", null=True, blank=True)
    rate = models.DecimalField("年利率（%）", max_digits=5, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0), MaxValueValidator(MAX_RATE)])
    granted_term_months = models.PositiveSmallIntegerField("实际期限（月）", null=True, blank=True,
                                                              validators=TERM_BOUNDS)
    granted_on = models.DateField("放款日期", null=True, blank=True, validators=[validate_date])
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="经办人")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = verbose_name_plural = "金融机构回应"
        constraints = [
            models.UniqueConstraint(fields=["need", "institution"], name="enterprises_one_response_per_institution"),
            money_check("granted_amount", "enterprises_granted_amount_bounds"),
            range_check("rate", "enterprises_rate_bounds", 0, MAX_RATE),
            range_check("granted_term_months", "enterprises_granted_term_bounds", 1, MAX_TERM_MONTHS),
            date_check("granted_on", "enterprises_granted_on_bounds"),
            models.CheckConstraint(
                condition=~models.Q(status="granted") | models.Q(granted_amount__gt=0, granted_on__isnull=False),
                name="enterprises_granted_has_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} 对 {self.need} 的回应"


class BadLoan(models.Model):
    """A granted loan become bad: the unpaid principal (不良贷款本金余额), the fact of a 青信融 risk-compensation claim
    computed by the policy engine (enterprises/policy_facts.py). One per loan."""

    response = models.OneToOneField(FinancingResponse, on_delete=models.PROTECT, related_name="bad_loan",
                                    verbose_name="贷款")
    principal = money_field("不良贷款本金余额（元）")
    recognised_on = models.DateField("认定不良日期", validators=[validate_date])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="登记人")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "不良贷款"
        constraints = [
            money_check("principal", "enterprises_bad_principal_bounds"),
            models.CheckConstraint(condition=models.Q(principal__gt=0), name="enterprises_bad_principal_positive"),
            date_check("recognised_on", "enterprises_bad_date_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.response.need.organisation} 不良贷款"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:bad-loan", args=[self.pk])


# The enterprise profile (docs/enterprises.md, "Enterprise profile"): R&D figures by year, entered by the enterprise
# (each change in the audit log: the history), and recognitions with their certificates, verified by the department
# against the uploaded document.

MAX_COUNT = 10_000_000
COUNT_BOUNDS = [MinValueValidator(0), MaxValueValidator(MAX_COUNT)]
WAN_BOUNDS = [MinValueValidator(0), MaxValueValidator(MAX_BUDGET_WAN)]


class ProfileAction(models.TextChoices):
    """Audit codes of the profile (common.audit)."""

    FIGURES = "figures", "填报年度研发数据"
    RECOGNITION = "recognition", "申报资质认定"
    VERIFY = "verify", "核验资质认定"
    REJECT = "reject", "退回资质认定"


class YearFigures(models.Model):
    """An enterprise's R&D figures of one year (万元 for money), as it entered them; one row per year."""

    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                     related_name="year_figures", verbose_name="企业")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    employees = models.PositiveIntegerField("职工总数（人）", validators=COUNT_BOUNDS)
    rd_staff = models.PositiveIntegerField("研发人员（人）", validators=COUNT_BOUNDS)
    revenue_wan = models.DecimalField("营业收入（万元）", **BUDGET_DIGITS, validators=WAN_BOUNDS)
    rd_spending_wan = models.DecimalField("研发投入（万元）", **BUDGET_DIGITS, validators=WAN_BOUNDS)
    invention_patents = models.PositiveIntegerField("有效发明专利（件）", validators=COUNT_BOUNDS)
    other_ip = models.PositiveIntegerField("其他知识产权（件）", validators=COUNT_BOUNDS)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="填报人")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = verbose_name_plural = "企业年度研发数据"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="enterprises_one_figures_per_year"),
            range_check("year", "enterprises_figures_year_bounds", 2000, 2100),
            range_check("employees", "enterprises_figures_employees_bounds", 0, MAX_COUNT),
            models.CheckConstraint(condition=models.Q(rd_staff__lte=models.F("employees")),
                                   name="enterprises_figures_rd_staff_within"),
            budget_check("revenue_wan", "enterprises_figures_revenue_bounds"),
            budget_check("rd_spending_wan", "enterprises_figures_rd_bounds"),
            range_check("invention_patents", "enterprises_figures_patents_bounds", 0, MAX_COUNT),
            range_check("other_ip", "enterprises_figures_ip_bounds", 0, MAX_COUNT),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} 年度研发数据"

    @property
    def audit_label(self) -> str:
        return f"{self.organisation} {self.year} 年度研发数据"


class Recognition(models.Model):
    """A recognition the enterprise holds (高新技术企业, 专精特新, 科技小巨人), with its certificate; the department
    verifies it against the uploaded certificate (common/uploads.py checks the file)."""

    class Kind(models.TextChoices):
        HIGH_TECH = "high-tech-enterprise", "高新技术企业"
        SPECIALISED = "specialised", "专精特新中小企业"
        LITTLE_GIANT = "sci-tech-little-giant", "科技小巨人企业"

    class Status(models.TextChoices):
        PENDING = "pending", "待核验"
        VERIFIED = "verified", "已核验"
        REJECTED = "rejected", "未通过核验"

    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                     related_name="recognitions", verbose_name="企业")
    kind = models.CharField("认定类别", max_length=30, choices=Kind.choices)
    certificate_number = models.CharField("证书编号", max_length=50, validators=[validate_single_line])
    recognised_on = models.DateField("认定日期", validators=[validate_date])
    valid_until = models.DateField("有效期至", null=True, blank=True, validators=[validate_date])
    document = models.FileField("证书文件", upload_to="enterprises/recognitions/%Y/")
    document_name = models.CharField("文件名", max_length=200)
    document_type = models.CharField(max_length=100)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField("核验意见", max_length=REASON_MAX, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="申报人")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="核验人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recognised_on", "-id"]
        verbose_name = verbose_name_plural = "企业资质认定"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "certificate_number"],
                                    name="enterprises_one_recognition_per_certificate"),
            date_check("recognised_on", "enterprises_recognised_on_bounds"),
            date_check("valid_until", "enterprises_valid_until_bounds"),
            models.CheckConstraint(condition=models.Q(valid_until__isnull=True)
                                   | models.Q(valid_until__gte=models.F("recognised_on")),
                                   name="enterprises_recognition_validity_order"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_kind_display()}"

    @property
    def audit_label(self) -> str:
        return f"{self.organisation} {self.get_kind_display()}（证书 {self.certificate_number}）"


# Listing reserve pools (docs/enterprises.md, "Listing reserve pools").

class PoolAction(models.TextChoices):
    """Audit codes of the listing reserve pools (common.audit)."""

    PROPOSE = "propose", "列入上市挂牌后备企业基础资源库"
    SELECT = "select", "遴选进入上市挂牌后备企业精选库"


class PoolEntry(models.Model):
    """An enterprise in the listing reserve pools: proposed to the reserve pool when it met the criteria of
    data/enterprises/listing_pools.yaml (the criteria as evaluated then are kept), moved to the selected pool by a
    reviewer with a reason. One entry per enterprise."""

    class Pool(models.TextChoices):
        RESERVE = "reserve", "基础资源库"
        SELECTED = "selected", "精选库"

    organisation = models.OneToOneField("directory.Organisation", on_delete=models.PROTECT,
                                        related_name="listing_pool_entry", verbose_name="企业")
    pool = models.CharField("所在库", max_length=10, choices=Pool.choices, default=Pool.RESERVE)
    criteria = models.JSONField("入库时的条件核对")  # [{"label": …, "met": true, "value": "…"}]
    proposed_at = models.DateTimeField("列入时间", auto_now_add=True)
    reason = models.CharField("遴选理由", max_length=REASON_MAX, blank=True, validators=[validate_text])
    selected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="遴选人")
    selected_at = models.DateTimeField("遴选时间", null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = verbose_name_plural = "上市挂牌后备企业"
        constraints = [
            models.CheckConstraint(condition=~models.Q(pool="selected") | ~models.Q(reason=""),
                                   name="enterprises_selection_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_pool_display()}"

    @property
    def audit_label(self) -> str:
        return f"{self.organisation}（上市挂牌后备企业）"
