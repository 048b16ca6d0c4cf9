"""Plan indicators (指标监测): current values, targets and progress for a period (docs/indicators.md). Public
aggregates: values and a link to the records page (which itself needs a reviewer's login), no contract or person."""

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from techmarket.indicators.services import dashboard
from techmarket.indicators.services.periods import PeriodError, current, parse

router = Router(tags=["indicators"])


class IndicatorQuery(Schema):
    period: str = ""
    plan: str = ""


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    plan: str
    plan_name: str
    comparator: str
    target: str
    target_year: int
    target_label: str
    base: str | None
    base_year: int | None
    period: str
    value: str | None
    source: str | None
    computed_value: str | None
    exact_amount: str | None
    manual_value: str | None
    conflict: bool
    progress: str | None
    met: bool
    days_left: int
    records_url: str | None
    record_count: int
    doubtful: bool


class IndicatorsOut(Schema):
    period: str
    period_start: str
    period_end: str
    indicators: list[IndicatorOut]


@router.get("", response=IndicatorsOut, summary="各项规划指标的本期值、目标与进度")
def list_indicators(request, query: Query[IndicatorQuery]):
    today = timezone.localdate()
    try:
        period = parse(query.period) if query.period else current(today)
    except PeriodError as exc:
        raise HttpError(400, str(exc)) from None
    return {"period": period.key, "period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
            "indicators": [item.as_dict() for item in dashboard.rows(period, today, query.plan)]}
