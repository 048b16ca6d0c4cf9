"""Enterprise services (docs/enterprises.md): the 科技体检 (technology check-up) an enterprise answers, and the
demands of the library it published from the bottlenecks it described."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class CheckupAction(models.TextChoices):
    """Audit codes of a check-up (common.audit)."""

    COMPLETE = "complete", "完成科技体检"
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
