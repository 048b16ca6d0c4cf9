"""Achievements (科技成果): records with their IP, completers and confidential parts, evaluations (成果评估) by an
institution or an expert panel, agreed-price notices (协议定价公示) and the contracts they price, and the annual
conversion reports (成果汇交与年度报告). See docs/achievements.md."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from techmarket.common.bounds import (
    DESCRIPTION_MAX,
    NAME_MAX,
    REASON_MAX,
    TITLE_MAX,
    budget_check,
    budget_field,
    range_check,
)

IP_NUMBER_MAX = 60
MAX_COMPLETERS = 30
REPORT_TEXT_MAX = 5000
MAX_COUNT = 100000


class Action(models.TextChoices):
    CREATE = "create", "登记成果"
    EDIT = "edit", "修改成果"
    PUBLISH_OFFER = "publish-offer", "发布成果供给"
    REQUEST = "request-evaluation", "申请评估"
    DRAW = "draw", "抽取评估专家"
    SCORE = "score", "评分"
    COMPLETE = "complete", "评估完成"
    NOTICE = "price-notice", "发布协议定价公示"
    LINK_CONTRACT = "link-contract", "关联技术合同"
    SUBMIT = "submit", "报送年度报告"
    FORWARD = "forward", "审核并转报"
    RETURN = "return", "退回修改"
    SUPERVISOR = "supervisor", "登记主管部门"


class Achievement(models.Model):
    class Kind(models.TextChoices):
        PATENT = "patent", "专利"
        SOFTWARE = "software", "软件著作权"
        IC_LAYOUT = "ic-layout", "集成电路布图设计"
        PLANT_VARIETY = "plant-variety", "植物新品种"
        NEW_DRUG = "new-drug", "新药"
        TECH_SECRET = "tech-secret", "技术秘密"
        OTHER = "other", "其他"

    class IpStatus(models.TextChoices):
        NONE = "none", "未申请"
        PENDING = "pending", "申请中"
        GRANTED = "granted", "已授权"
        LAPSED = "lapsed", "已失效"

    owner = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="achievements",
                              verbose_name="持有单位")
    title = models.CharField("成果名称", max_length=TITLE_MAX)
    kind = models.CharField("成果类型", max_length=20, choices=Kind.choices)
    ip_number = models.CharField("知识产权编号", max_length=IP_NUMBER_MAX, blank=True)
    ip_status = models.CharField("知识产权状态", max_length=10, choices=IpStatus.choices, default=IpStatus.NONE)
    trl = models.PositiveSmallIntegerField("技术成熟度")
    field = models.ForeignKey("catalogue.Field", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="领域")
    summary = models.TextField("成果简介（公开）", max_length=DESCRIPTION_MAX)
    confidential = models.TextField("保密内容（不公开）", max_length=DESCRIPTION_MAX, blank=True)
    public_funds = models.BooleanField("财政资金支持形成", default=False)
    listing = models.OneToOneField("catalogue.Listing", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="achievement", verbose_name="成果供给条目")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = verbose_name_plural = "科技成果"
        constraints = [
            range_check("trl", "achievement_trl_range", 1, 9),
            models.UniqueConstraint(fields=["owner", "title"], name="achievement_one_title_per_owner"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("achievements:detail", args=[self.pk])


class Completer(models.Model):
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="completers")
    name = models.CharField("完成人", max_length=NAME_MAX)
    share = models.DecimalField("贡献份额（%）", max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = verbose_name_plural = "成果完成人"
        constraints = [
            models.CheckConstraint(condition=Q(share__gt=0, share__lte=100), name="completer_share_range"),
            models.UniqueConstraint(fields=["achievement", "name"], name="completer_once_per_achievement"),
        ]

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    class Mode(models.TextChoices):
        PANEL = "panel", "评价专家委员会"
        INSTITUTION = "institution", "专业评价机构"

    class Status(models.TextChoices):
        REQUESTED = "requested", "待组织评估"
        SCORING = "scoring", "评估中"
        COMPLETED = "completed", "评估完成"

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="evaluations")
    mode = models.CharField("评估方式", max_length=12, choices=Mode.choices)
    institution = models.ForeignKey("directory.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="评价机构")
    panel = models.ForeignKey("experts.Assignment", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="专家抽取记录")
    panel_size = models.PositiveSmallIntegerField("专家人数", default=3)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REQUESTED)
    total = models.DecimalField("综合得分", max_digits=5, decimal_places=2, null=True, blank=True)
    level = models.CharField("评估结论", max_length=NAME_MAX, blank=True)
    criteria = models.JSONField("各项平均分", default=dict, blank=True)
    price_low = budget_field("建议价格下限（万元）", null=True, blank=True)
    price_high = budget_field("建议价格上限（万元）", null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = verbose_name_plural = "成果评估"
        constraints = [
            range_check("panel_size", "evaluation_panel_size", 3, 15),
            range_check("total", "evaluation_total_range", 0, 100),
            budget_check("price_low", "evaluation_price_low_bounds"),
            budget_check("price_high", "evaluation_price_high_bounds"),
            models.CheckConstraint(condition=Q(price_low__isnull=True) | Q(price_high__gte=F("price_low")),
                                   name="evaluation_price_order"),
            models.CheckConstraint(condition=Q(mode="panel") | Q(institution__isnull=False),
                                   name="evaluation_institution_named"),
            models.UniqueConstraint(fields=["achievement"], condition=~Q(status="completed"),
                                    name="evaluation_one_running_per_achievement"),
        ]

    def __str__(self) -> str:
        return f"{self.achievement.title}（{self.get_mode_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("achievements:evaluation", args=[self.pk])


class Score(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey("experts.Expert", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.JSONField("各项得分", default=dict)
    total = models.DecimalField("得分", max_digits=5, decimal_places=2)
    price_low = budget_field("估价下限（万元）")
    price_high = budget_field("估价上限（万元）")
    comment = models.TextField("评估意见", max_length=REASON_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "评估评分"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "scorer"], name="score_once_per_scorer"),
            range_check("total", "score_total_range", 0, 100),
            budget_check("price_low", "score_price_low_bounds"),
            budget_check("price_high", "score_price_high_bounds"),
            models.CheckConstraint(condition=Q(price_high__gte=F("price_low")), name="score_price_order"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation}：{self.total} 分"


class PriceNotice(models.Model):
    """An agreed price published as a notice (common.notices) before the contract that carries it."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="price_notices")
    notice = models.OneToOneField("common.Notice", on_delete=models.PROTECT, related_name="+")
    price = budget_field("拟交易价格（万元）")
    buyer = models.CharField("拟受让方", max_length=NAME_MAX)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "协议定价公示"
        constraints = [budget_check("price", "price_notice_price_bounds")]

    def __str__(self) -> str:
        return f"{self.achievement.title}：{self.price} 万元"


class ContractLink(models.Model):
    """A technology contract (market) that transfers or licenses this achievement."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="contract_links")
    contract = models.OneToOneField("market.Contract", on_delete=models.CASCADE, related_name="+")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "成果关联合同"

    def __str__(self) -> str:
        return f"{self.achievement.title} · {self.contract}"


class ReportingUnit(models.Model):
    """A university or institute that reports each year's conversion to its supervising body (主管部门)."""

    organisation = models.OneToOneField("directory.Organisation", on_delete=models.CASCADE, related_name="+",
                                        verbose_name="报告单位")
    supervisor = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="主管部门")

    class Meta:
        verbose_name = verbose_name_plural = "年度报告单位"
        constraints = [models.CheckConstraint(condition=~Q(organisation=F("supervisor")),
                                              name="reporting_unit_not_own_supervisor")]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.supervisor}"


class AnnualReport(models.Model):
    """One unit's report of a year's conversion (submitted the following spring)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已报送主管部门"
        RETURNED = "returned", "退回修改"
        FORWARDED = "forwarded", "主管部门已审核转报"

    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name="报告单位")
    supervisor = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="主管部门")
    year = models.PositiveSmallIntegerField("报告年度")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    contracts_count = models.PositiveIntegerField("转化合同项数")
    contracts_amount = budget_field("转化合同金额（万元）")
    income = budget_field("转化到账收入（万元）")
    rewards = budget_field("奖励个人金额（万元）")
    summary = models.TextField("年度情况说明", max_length=REPORT_TEXT_MAX)
    achievements = models.ManyToManyField(Achievement, blank=True, related_name="+", verbose_name="汇交成果")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_note = models.TextField("审核意见", max_length=REASON_MAX, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "organisation_id"]
        verbose_name = verbose_name_plural = "科技成果转化年度报告"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="annual_report_once_per_year"),
            range_check("year", "annual_report_year_range", 2000, 2100),
            range_check("contracts_count", "annual_report_count_range", 0, MAX_COUNT),
            budget_check("contracts_amount", "annual_report_amount_bounds"),
            budget_check("income", "annual_report_income_bounds"),
            budget_check("rewards", "annual_report_rewards_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度科技成果转化年度报告"

    def get_absolute_url(self) -> str:
        return reverse("achievements:report", args=[self.pk])
