"""Plan targets (Indicator, from data/indicators/indicators.yaml) and their values per period (IndicatorValue):
computed snapshots taken when a report is generated, and manual values entered with evidence and approved by a
second person. See docs/indicators.md."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from techmarket.common.bounds import money_check, money_field, range_check

# Values in the indicator's unit (件, 个, %, 亿元…): 15 significant digits at most, so that SQLite reads every one
# back exactly; bounded well inside that.
VALUE = {"max_digits": 15, "decimal_places": 4}
MAX_VALUE = Decimal("10000000000")  # 100 亿 of any unit
VALUE_MESSAGE = "数值须在 0 到 10,000,000,000 之间，最多四位小数。"


class Indicator(models.Model):
    class Comparator(models.TextChoices):
        AT_LEAST = "at-least", "以上"
        ABOUT = "about", "达到"
        MORE_THAN = "more-than", "突破"
        STRIVE = "strive", "力争"

    class Aggregation(models.TextChoices):
        CUMULATIVE = "cumulative", "累计"
        PERIOD = "period", "当期"
        LEVEL = "level", "时点值"

    code = models.SlugField("代码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=200)
    unit = models.CharField("单位", max_length=20)
    plan_code = models.SlugField("规划代码", max_length=40)
    plan_name = models.CharField("所属规划", max_length=200)
    document = models.CharField("文件", max_length=300, blank=True)
    position = models.CharField("条目位置", max_length=200, blank=True)
    quote = models.TextField("原文", blank=True)
    comparator = models.CharField("目标表述", max_length=20, choices=Comparator.choices)
    base_value = models.DecimalField("基数", null=True, blank=True, **VALUE)
    base_year = models.PositiveSmallIntegerField("基年", null=True, blank=True)
    target_value = models.DecimalField("目标值", **VALUE)
    target_year = models.PositiveSmallIntegerField("目标年")
    aggregation = models.CharField("计数方式", max_length=20, choices=Aggregation.choices)
    count_from = models.DateField("累计起点", null=True, blank=True)
    computed_by = models.CharField("计算方法", max_length=60, default="manual")
    doubtful = models.BooleanField("口径存疑", default=False)
    note = models.TextField("说明", blank=True)
    same_as = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name="其他规划中的同一指标")
    related = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name="相关指标")
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = verbose_name_plural = "指标"

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.computed_by != "manual"


def evidence_path(instance, filename: str) -> str:
    return f"indicators/{instance.evidence_sha256[:2]}/{instance.evidence_sha256}{instance.evidence_extension}"


class IndicatorValue(models.Model):
    class Granularity(models.TextChoices):
        YEAR = "year", "年"
        QUARTER = "quarter", "季度"
        MONTH = "month", "月"

    class Source(models.TextChoices):
        COMPUTED = "computed", "平台计算"
        MANUAL = "manual", "人工录入"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        APPROVED = "approved", "已审核"
        REJECTED = "rejected", "已退回"
        SUPERSEDED = "superseded", "已被新值取代"
        SNAPSHOT = "snapshot", "计算快照"

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values", verbose_name="指标")
    granularity = models.CharField("周期类型", max_length=10, choices=Granularity.choices)
    period_key = models.CharField("周期", max_length=10, db_index=True)
    period_start = models.DateField("周期起")
    period_end = models.DateField("周期止")
    value = models.DecimalField("数值", validators=[MinValueValidator(0), MaxValueValidator(MAX_VALUE)], **VALUE)
    exact_amount = money_field("精确金额（元）", null=True, blank=True)
    records = models.JSONField("来源记录", default=list, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    status = models.CharField("状态", max_length=12, choices=Status.choices)
    evidence = models.FileField("佐证材料", upload_to=evidence_path, max_length=200, blank=True)
    evidence_name = models.CharField("佐证材料文件名", max_length=200, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_extension = models.CharField(max_length=10, blank=True)
    note = models.TextField("说明", blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="录入人")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="审核人")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    reason = models.TextField("审核意见", blank=True)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="supersedes", verbose_name="取代它的数值")

    class Meta:
        ordering = ["indicator", "period_start", "-entered_at", "-id"]
        verbose_name = verbose_name_plural = "指标数值"
        permissions = [
            ("enter_value", "录入指标数值"),
            ("approve_value", "审核指标数值"),
        ]
        indexes = [models.Index(fields=["indicator", "source", "status", "period_end"])]
        # One value per intent: for an indicator and period, at most one manual value waiting for review, one
        # approved manual value and one current computed snapshot (older ones are superseded, kept as history).
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period_key"],
                                    condition=Q(source="manual", status="submitted"),
                                    name="indicators_one_pending_value_per_period"),
            models.UniqueConstraint(fields=["indicator", "period_key"],
                                    condition=Q(source="manual", status="approved"),
                                    name="indicators_one_approved_value_per_period"),
            models.UniqueConstraint(fields=["indicator", "period_key"],
                                    condition=Q(source="computed", status="snapshot"),
                                    name="indicators_one_snapshot_per_period"),
            range_check("value", "indicators_value_bounds", 0, MAX_VALUE),
            money_check("exact_amount", "indicators_exact_amount_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_key} {self.value}"
