"""What the re-import keeps: each record of an exported file, by kind and key, with every exported field
(docs/docking.md). A receiving platform, or this one rebuilt from its exports, reads them from here."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

KEY_MAX = 120


class DockedRecord(models.Model):
    class Kind(models.TextChoices):
        CONTRACT = "contract", "已登记技术合同"
        LISTING = "listing", "需求与成果"
        INTENT = "intent", "合作意向"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    key = models.CharField("标识", max_length=KEY_MAX)
    data = models.JSONField("导出的字段")
    removed = models.BooleanField("已下架", default=False)
    imported_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = verbose_name_plural = "对接导入记录"
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="docking_record_once"),
            models.CheckConstraint(condition=Q(kind__in=["contract", "listing", "intent"]),
                                   name="docking_record_kind"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("key"), KEY_MAX) & ~Q(key=""),
                                   name="docking_record_key_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
