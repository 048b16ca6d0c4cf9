"""What the dashboard, the report, the API and the CLI show for a period: one Row per indicator, from one function
(`rows`), so that they always agree."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from techmarket.indicators.models import Indicator, IndicatorValue
from techmarket.indicators.services import computations
from techmarket.indicators.services.periods import Period
from techmarket.indicators.services.values import approved_manual
from techmarket.market.services import statistics as market_statistics
from techmarket.market.services.rules import rules

HUNDRED = Decimal(100)
HEADERS = ["规划", "指标", "单位", "目标", "目标年", "基数", "本期值", "来源", "平台计算值", "人工核定值",
           "精确金额（元）", "完成进度", "距目标年末", "说明"]


@dataclass
class Row:
    indicator: Indicator
    period: Period
    today: datetime.date
    computed: computations.Computed | None
    manual: IndicatorValue | None

    @property
    def value(self) -> Decimal | None:
        """The value that counts: an approved manual value wins, shown beside the computed one (`conflict`)."""
        if self.manual is not None:
            return self.manual.value
        return self.computed.value if self.computed is not None else None

    @property
    def source(self) -> str:
        if self.manual is not None:
            return "manual"
        return "computed" if self.computed is not None else ""

    @property
    def source_label(self) -> str:
        return {"manual": "人工录入（已审核）", "computed": "平台计算", "": "暂无数据"}[self.source]

    @property
    def conflict(self) -> bool:
        """Computed indicator with an approved manual value for the period: both shown, flagged."""
        return self.computed is not None and self.manual is not None

    @property
    def carried_from(self) -> str:
        """The period of a manual value carried forward from an earlier period, else ''."""
        if self.manual is not None and self.manual.period_key != self.period.key:
            return self.manual.period_key
        return ""

    @property
    def progress(self) -> Decimal | None:
        value, target, base = self.value, self.indicator.target_value, self.indicator.base_value
        if value is None or not target:
            return None
        if base is not None and base < target:
            ratio = (value - base) / (target - base)
        else:
            ratio = value / target
        return (ratio * HUNDRED).quantize(Decimal("0.1"))

    @property
    def progress_bar(self) -> int:
        return max(0, min(100, int(self.progress or 0)))

    @property
    def met(self) -> bool:
        value, target = self.value, self.indicator.target_value
        if value is None:
            return False
        if self.indicator.comparator == Indicator.Comparator.MORE_THAN:
            return value > target
        return value >= target

    @property
    def days_left(self) -> int:
        return (datetime.date(self.indicator.target_year, 12, 31) - self.today).days

    @property
    def time_left_label(self) -> str:
        days = self.days_left
        if days < 0:
            return "目标年已过"
        return f"剩余 {days} 天"

    @property
    def target_label(self) -> str:
        i = self.indicator
        value = fmt(i.target_value)
        return {"at-least": f"{value}{i.unit}以上", "about": f"{value}{i.unit}", "more-than": f"突破{value}{i.unit}",
                "strive": f"力争{value}{i.unit}"}[i.comparator]

    @property
    def records_url(self) -> str:
        if self.computed is None:
            return ""
        return reverse("indicators:records", args=[self.indicator.code]) + f"?period={self.period.key}"

    def cells(self) -> list[str]:
        """The row as the report prints it (and the test compares with the dashboard)."""
        i = self.indicator
        notes = []
        if self.conflict:
            notes.append("人工核定值与平台计算值并列，以人工核定值计")
        if self.carried_from:
            notes.append(f"沿用{self.carried_from}数值")
        if i.doubtful:
            notes.append("口径待确认")
        return [
            i.plan_name, i.name, i.unit, self.target_label, str(i.target_year),
            fmt(i.base_value) if i.base_value is not None else "",
            fmt(self.value) if self.value is not None else "", self.source_label,
            fmt(self.computed.value) if self.computed else "", fmt(self.manual.value) if self.manual else "",
            fmt(self.computed.exact_amount) if self.computed and self.computed.exact_amount is not None else "",
            f"{self.progress}%" if self.progress is not None else "", self.time_left_label, "；".join(notes),
        ]

    def as_dict(self) -> dict:
        i = self.indicator
        return {
            "code": i.code, "name": i.name, "unit": i.unit, "plan": i.plan_code, "plan_name": i.plan_name,
            "comparator": i.comparator, "target": str(i.target_value), "target_year": i.target_year,
            "target_label": self.target_label,
            "base": str(i.base_value) if i.base_value is not None else None, "base_year": i.base_year,
            "period": self.period.key, "value": str(self.value) if self.value is not None else None,
            "source": self.source or None,
            "computed_value": str(self.computed.value) if self.computed else None,
            "exact_amount": str(self.computed.exact_amount) if self.computed and self.computed.exact_amount
            is not None else None,
            "manual_value": str(self.manual.value) if self.manual else None, "conflict": self.conflict,
            "progress": str(self.progress) if self.progress is not None else None, "met": self.met,
            "days_left": self.days_left, "records_url": self.records_url or None,
            "record_count": len(self.computed.links) if self.computed else 0, "doubtful": i.doubtful,
        }


def fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text


def window(indicator: Indicator, period: Period) -> tuple[datetime.date | None, datetime.date]:
    """First and last day a computed indicator counts for a period."""
    if indicator.aggregation == Indicator.Aggregation.CUMULATIVE:
        return indicator.count_from, period.end
    if indicator.aggregation == Indicator.Aggregation.PERIOD:
        return period.start, period.end
    return None, period.end


def row(indicator: Indicator, period: Period, today: datetime.date) -> Row:
    computed = None
    if indicator.is_computed:
        computed = computations.compute(indicator.computed_by, *window(indicator, period))
    exact = indicator.is_computed or indicator.aggregation == Indicator.Aggregation.PERIOD
    return Row(indicator, period, today, computed, approved_manual(indicator, period, exact=exact))


def indicators(plan: str = ""):
    qs = Indicator.objects.filter(active=True)
    return qs.filter(plan_code=plan) if plan else qs


def rows(period: Period, today: datetime.date, plan: str = "") -> list[Row]:
    return [row(indicator, period, today) for indicator in indicators(plan)]


def grouped(items: list[Row]) -> OrderedDict[str, list[Row]]:
    result: OrderedDict[str, list[Row]] = OrderedDict()
    for item in items:
        result.setdefault(item.indicator.plan_name, []).append(item)
    return result


def trend(indicator: Indicator, period: Period, today: datetime.date, quarters: int = 8) -> dict:
    """Quarter by quarter values up to the period, for the chart."""
    labels, values = [], []
    for quarter in period.previous_quarters(quarters):
        if indicator.count_from and quarter.end < indicator.count_from:
            continue
        value = row(indicator, quarter, today).value
        labels.append(quarter.key)
        values.append(float(value) if value is not None else None)
    return {"labels": labels, "values": values, "target": float(indicator.target_value)}


def breakdown(indicator: Indicator, period: Period) -> dict[str, list[dict]]:
    """A market-computed indicator's contracts by prefecture (registration place) and by field."""
    if indicator.computed_by not in computations.ROW_FILTERS:
        return {}
    start, end = window(indicator, period)
    keep, r = computations.ROW_FILTERS[indicator.computed_by], rules()
    items = [item for item in market_statistics.rows(market_statistics.Filters(start=start, end=end))
             if keep(item, r)]
    result = {}
    for key, label in (("prefecture", "按市州（登记地）"), ("field_name", "按技术领域")):
        buckets: dict[str, dict] = {}
        for item in items:
            bucket = buckets.setdefault(getattr(item, key), {"label": getattr(item, key), "count": 0,
                                                              "amount": Decimal("0.00")})
            bucket["count"] += 1
            bucket["amount"] += item.amount
        result[label] = sorted(buckets.values(), key=lambda b: -b["amount"])
    return result
