"""What the dashboard, the report, the API and the CLI show for a period: one Row per indicator, from one function
(`rows`), so that they always agree.

The records behind the rows are read once per call (`Sources`): the approved manual values of the indicators in
one query, the registered contracts (market.statistics rows) once for every window, then split by window here.
`row`, `trend` and `breakdown` without `sources` read them per call: the straightforward computation, which the
tests compare with the batched one. Nothing is kept between calls, so a new record shows at once."""

from __future__ import annotations

import bisect
import datetime
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse

from techmarket.indicators.models import Indicator, IndicatorValue
from techmarket.indicators.services import computations
from techmarket.indicators.services.periods import Period
from techmarket.indicators.services.values import approved_manual
from techmarket.market.services import statistics as market_statistics
from techmarket.market.services.rules import rules

HUNDRED = Decimal(100)
TREND_QUARTERS = 8
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


class Sources:
    """The records rows of `indicators` for `periods` count, each read once: the approved manual values (one query)
    and the registered contracts from the earliest to the latest day any computed window counts (one read of
    market.statistics.rows, in registration order, split by window with a binary search). A window outside those
    read falls back to the straightforward reads. Made per request and never kept: the figures are always
    those of the records as they are."""

    def __init__(self, indicators: list[Indicator], periods: list[Period]):
        windows = [window(i, p) for i in indicators if i.is_computed for p in periods]
        self._end = max((end for _, end in windows), default=None)
        starts = [start for start, _ in windows]
        self._start = None if None in starts else min(starts, default=None)
        self._contracts: list[market_statistics.Row] | None = None
        self._dates: list[datetime.date] = []
        self._links: dict[int, computations.Link] = {}
        self._records: list | None = None  # platforms.statistics.counted(), read once for RECORD_MEASURES
        self._challenges: list | None = None  # challenges.statistics.counted(), read once for CHALLENGE_MEASURES
        self._denominators: list | None = None  # computations.provincial_projects(), read once
        self._manual: dict[int, list[IndicatorValue]] = {}
        self._keys = {p.key for p in periods}
        self._last_end = max((p.end for p in periods), default=None)
        if not indicators or not periods:
            return
        by_pk = {i.pk: i for i in indicators}
        self._manual = {pk: [] for pk in by_pk}
        # approved_manual's filter for every (indicator, period) at once, in its order; the first match is its answer.
        qs = IndicatorValue.objects.filter(
            indicator__in=list(by_pk), source=IndicatorValue.Source.MANUAL, status=IndicatorValue.Status.APPROVED,
        ).filter(Q(period_end__lte=self._last_end) | Q(period_key__in=self._keys))
        for value in qs.order_by("-period_end", "-decided_at", "-id"):
            value.indicator = by_pk[value.indicator_id]
            self._manual[value.indicator_id].append(value)

    def manual(self, indicator: Indicator, period: Period, exact: bool) -> IndicatorValue | None:
        """values.approved_manual, from the values read once."""
        read = period.key in self._keys if exact else self._last_end is not None and period.end <= self._last_end
        if indicator.pk not in self._manual or not read:
            return approved_manual(indicator, period, exact=exact)
        for value in self._manual[indicator.pk]:
            if (value.period_key == period.key) if exact else (value.period_end <= period.end):
                return value
        return None

    def _covers(self, start: datetime.date | None, end: datetime.date) -> bool:
        return self._end is not None and end <= self._end and (
            self._start is None or (start is not None and start >= self._start))

    def contracts(self, start: datetime.date | None, end: datetime.date) -> list[market_statistics.Row]:
        """market.statistics.rows(Filters(start=start, end=end)), from the rows read once."""
        if not self._covers(start, end):
            return market_statistics.rows(market_statistics.Filters(start=start, end=end))
        if self._contracts is None:
            self._contracts = market_statistics.rows(market_statistics.Filters(start=self._start, end=self._end))
            self._dates = [item.registered_on for item in self._contracts]
        low = bisect.bisect_left(self._dates, start) if start else 0
        return self._contracts[low:bisect.bisect_right(self._dates, end)]

    def _link(self, ids: list[int]) -> list[computations.Link]:
        links = []
        for pk in ids:
            if pk not in self._links:
                self._links[pk] = computations.Link("contract", pk, reverse("market:contract", args=[pk]))
            links.append(self._links[pk])
        return links

    def computed(self, name: str, start: datetime.date | None, end: datetime.date) -> computations.Computed:
        """computations.compute, from the contracts read once (a computation not defined on them: computed)."""
        if name in computations.RECORD_MEASURES:
            if self._records is None:
                self._records = computations.platform_statistics.counted()
            return computations.from_records(name, self._records, start, end)
        if name in computations.CHALLENGE_MEASURES:
            if self._challenges is None:
                self._challenges = computations.challenge_statistics.counted()
            if name == "projects_with_partners" and self._denominators is None:
                self._denominators = computations.provincial_projects()
            return computations.from_challenges(name, self._challenges, start, end, self._denominators)
        if name not in computations.ROW_FILTERS or not self._covers(start, end):
            return computations.compute(name, start, end)
        return computations.from_rows(name, self.contracts(start, end), self._link)


def row(indicator: Indicator, period: Period, today: datetime.date, sources: Sources | None = None) -> Row:
    computed = None
    if indicator.is_computed:
        start, end = window(indicator, period)
        computed = sources.computed(indicator.computed_by, start, end) if sources \
            else computations.compute(indicator.computed_by, start, end)
    exact = indicator.is_computed or indicator.aggregation == Indicator.Aggregation.PERIOD
    manual = sources.manual(indicator, period, exact) if sources else approved_manual(indicator, period, exact=exact)
    return Row(indicator, period, today, computed, manual)


def indicators(plan: str = ""):
    qs = Indicator.objects.filter(active=True)
    return qs.filter(plan_code=plan) if plan else qs


def rows(period: Period, today: datetime.date, plan: str = "") -> list[Row]:
    chosen = list(indicators(plan))
    sources = Sources(chosen, [period])
    return [row(indicator, period, today, sources) for indicator in chosen]


@dataclass
class Page:
    """The dashboard of a period: its rows, each indicator's trend (by code) and computed indicators' breakdowns."""

    rows: list[Row]
    charts: dict[str, dict]
    breakdowns: dict[str, dict]


def page(period: Period, today: datetime.date) -> Page:
    """Everything /indicators/ shows, from one read of the records (`Sources`) for the period and its trend."""
    chosen = list(indicators())
    sources = Sources(chosen, [period, *period.previous_quarters(TREND_QUARTERS)])
    items = [row(indicator, period, today, sources) for indicator in chosen]
    return Page(
        rows=items,
        charts={i.code: trend(i, period, today, sources=sources) for i in chosen},
        breakdowns={i.code: breakdown(i, period, sources) for i in chosen if i.is_computed},
    )


def grouped(items: list[Row]) -> OrderedDict[str, list[Row]]:
    result: OrderedDict[str, list[Row]] = OrderedDict()
    for item in items:
        result.setdefault(item.indicator.plan_name, []).append(item)
    return result


def trend(indicator: Indicator, period: Period, today: datetime.date, quarters: int = TREND_QUARTERS,
          sources: Sources | None = None) -> dict:
    """Quarter by quarter values up to the period, for the chart."""
    labels, values = [], []
    for quarter in period.previous_quarters(quarters):
        if indicator.count_from and quarter.end < indicator.count_from:
            continue
        value = row(indicator, quarter, today, sources).value
        labels.append(quarter.key)
        values.append(float(value) if value is not None else None)
    return {"labels": labels, "values": values, "target": float(indicator.target_value)}


def breakdown(indicator: Indicator, period: Period, sources: Sources | None = None) -> dict[str, list[dict]]:
    """A market-computed indicator's contracts by prefecture (registration place) and by field."""
    if indicator.computed_by not in computations.ROW_FILTERS:
        return {}
    start, end = window(indicator, period)
    keep, r = computations.ROW_FILTERS[indicator.computed_by], rules()
    contracts = sources.contracts(start, end) if sources \
        else market_statistics.rows(market_statistics.Filters(start=start, end=end))
    items = [item for item in contracts if keep(item, r)]
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
