"""Indicators the platform computes from its own records: a registry of functions by name (the `computed_by` of
data/indicators/indicators.yaml). Each takes the first and last day counted and returns a Computed: the value in
the indicator's unit, the exact amount in yuan where it is money, and links to the records it came from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from techmarket.challenges.services import statistics as challenge_statistics
from techmarket.market.services import statistics as market_statistics
from techmarket.market.services.rules import rules
from techmarket.platforms.services import statistics as platform_statistics

YUAN_PER_YI = Decimal(100_000_000)


@dataclass
class Link:
    kind: str  # "contract", or a record counted by platforms.statistics ("national-platform", "team")
    id: int
    url: str
    label: str = ""  # a record's name (contracts are named by their statistics row)


@dataclass
class Computed:
    value: Decimal
    exact_amount: Decimal | None = None  # yuan, for money indicators (value is then in 亿元)
    links: list[Link] = field(default_factory=list)

    @property
    def contract_ids(self) -> list[int]:
        return [link.id for link in self.links if link.kind == "contract"]


def _contract_links(ids: list[int]) -> list[Link]:
    return [Link("contract", pk, reverse("market:contract", args=[pk])) for pk in ids]


def _yi(amount: Decimal) -> Decimal:
    return (amount / YUAN_PER_YI).quantize(Decimal("0.0001"))


def absorbed_transactions(start: datetime.date | None, end: datetime.date) -> Computed:
    """吸纳技术交易额: registered contracts, buyer in Qinghai, seller outside (亿元; exact yuan kept)."""
    figure = market_statistics.absorbed_transactions(start, end)
    return Computed(_yi(figure.amount), figure.amount, _contract_links(figure.contract_ids))


def technologies_introduced(start: datetime.date | None, end: datetime.date) -> Computed:
    """引进技术成果: the absorbed transfer and licensing contracts (项)."""
    figure = market_statistics.technologies_introduced(start, end)
    return Computed(Decimal(figure.count), None, _contract_links(figure.contract_ids))


def registered_contracts_amount(start: datetime.date | None, end: datetime.date) -> Computed:
    """技术合同交易额 on the platform: certified technology amount of all registered contracts (亿元)."""
    result = market_statistics.statistics(market_statistics.Filters(start=start, end=end))
    return Computed(_yi(result.amount), result.amount, _contract_links([row.contract_id for row in result.rows]))


def registered_contracts_count(start: datetime.date | None, end: datetime.date) -> Computed:
    """Registered technology contracts (项)."""
    rows = market_statistics.rows(market_statistics.Filters(start=start, end=end))
    return Computed(Decimal(len(rows)), None, _contract_links([row.contract_id for row in rows]))


# Computations counting the records of platforms.statistics (one read, `counted()`, for all of them): the
# measure each one counts.
RECORD_MEASURES = {
    "national_platforms_co_built": platform_statistics.NATIONAL_PLATFORM,
    "teams_introduced": platform_statistics.TEAM,
}


def from_records(name: str, records: list[platform_statistics.Counted], start: datetime.date | None,
                 end: datetime.date) -> Computed:
    """A RECORD_MEASURES computation over records already read by platforms.statistics.counted()."""
    items = platform_statistics.window(records, RECORD_MEASURES[name], start, end)
    return Computed(Decimal(len(items)), None, [Link(item.measure, item.id, item.url, item.name) for item in items])


def national_platforms_co_built(start: datetime.date | None, end: datetime.date) -> Computed:
    """联合培育国家级创新平台: approved national platforms with a co-building partner, by recognition date (个)."""
    return from_records("national_platforms_co_built", platform_statistics.counted(end), start, end)


def teams_introduced(start: datetime.date | None, end: datetime.date) -> Computed:
    """引进高水平创新团队: approved innovation teams introduced, by introduction date (个)."""
    return from_records("teams_introduced", platform_statistics.counted(end), start, end)


# Computations counting the agreements of challenges.statistics (one read, `counted()`, for both; the second also
# reads the approved denominators once, `provincial_projects()`): the measure each one counts.
CHALLENGE_MEASURES = {
    "key_technologies_solved": challenge_statistics.SOLVED,
    "projects_with_partners": challenge_statistics.JOINT,
}
PROVINCIAL_PROJECTS = "a2027-provincial-projects"  # the denominator, entered with evidence (manual)


def provincial_projects() -> list:
    """The approved manual values of PROVINCIAL_PROJECTS, newest first (one query; `denominator` picks a year's)."""
    from techmarket.indicators.models import IndicatorValue

    return list(IndicatorValue.objects.filter(
        indicator__code=PROVINCIAL_PROJECTS, source=IndicatorValue.Source.MANUAL,
        status=IndicatorValue.Status.APPROVED).order_by("-period_end", "-decided_at", "-id"))


def denominator(values: list, end: datetime.date):
    """All provincial projects of the year of `end`: the latest approved value of a period of that year begun by
    `end`, or None."""
    return next((v for v in values if v.period_start.year == end.year and v.period_start <= end), None)


def from_challenges(name: str, records: list[challenge_statistics.Counted], start: datetime.date | None,
                    end: datetime.date, denominators: list | None = None) -> Computed:
    """A CHALLENGE_MEASURES computation over records already read by challenges.statistics.counted() (and, for
    the share, the values read by provincial_projects())."""
    if name == "key_technologies_solved":
        items = challenge_statistics.window(records, challenge_statistics.SOLVED, start, end)
        return Computed(Decimal(len(items)), None, [Link(i.measure, i.id, i.url, i.name) for i in items])
    # 省级科技计划项目与省外合作实施比例 (%): challenge projects signed in the year of `end` with an
    # out-of-province partner (the numerator, each linked), over all provincial projects of that year (the
    # denominator: the approved manual value of PROVINCIAL_PROJECTS, linked to its evidence). No denominator yet:
    # 0, with the numerator's links.
    items = challenge_statistics.window(records, challenge_statistics.JOINT, datetime.date(end.year, 1, 1), end)
    links = [Link(i.measure, i.id, i.url, f"分子：{i.name}") for i in items]
    value = denominator(provincial_projects() if denominators is None else denominators, end)
    if value is None or not value.value:
        return Computed(Decimal(0), None, links)
    links.append(Link("manual-value", value.pk, reverse("indicators:evidence", args=[value.pk]),
                      f"分母：{end.year}年省级科技计划项目 {value.value.normalize():f} 项（人工录入，附佐证）"))
    share = (Decimal(len(items)) * 100 / value.value).quantize(Decimal("0.01"))
    return Computed(share, None, links)


def key_technologies_solved(start: datetime.date | None, end: datetime.date) -> Computed:
    """联合破解重大关键技术: accepted challenge agreements of teams with an out-of-province partner, by acceptance
    date (项), each linked to its challenge."""
    return from_challenges("key_technologies_solved", challenge_statistics.counted(end), start, end)


def projects_with_partners(start: datetime.date | None, end: datetime.date) -> Computed:
    """省级科技计划项目与省外合作实施比例 (%): see from_challenges."""
    return from_challenges("projects_with_partners", challenge_statistics.counted(end), start, end)


COMPUTATIONS = {
    "key_technologies_solved": key_technologies_solved,
    "projects_with_partners": projects_with_partners,
    "absorbed_transactions": absorbed_transactions,
    "technologies_introduced": technologies_introduced,
    "registered_contracts_amount": registered_contracts_amount,
    "registered_contracts_count": registered_contracts_count,
    "national_platforms_co_built": national_platforms_co_built,
    "teams_introduced": teams_introduced,
}

# Which market.statistics rows each computation counts, for the breakdown by prefecture and field.
ROW_FILTERS = {
    "absorbed_transactions": lambda row, r: row.absorbed,
    "technologies_introduced": lambda row, r: row.absorbed and r.type(row.contract_type).group
    in market_statistics.INTRODUCTION_GROUPS,
    "registered_contracts_amount": lambda row, r: True,
    "registered_contracts_count": lambda row, r: True,
}


# Computations whose value is money (亿元, with the exact yuan); the others count contracts (项).
MONEY = {"absorbed_transactions", "registered_contracts_amount"}


def compute(name: str, start: datetime.date | None, end: datetime.date) -> Computed:
    return COMPUTATIONS[name](start, end)


def from_rows(name: str, rows: list[market_statistics.Row], links=_contract_links) -> Computed:
    """The computation `name` over market.statistics rows already limited to its window (in their order): the same
    Computed as compute() gives for that window, without reading the records again (the dashboard reads them once
    for all its windows; tests/indicators/test_dashboard_queries.py compares the two). `links` makes the links of
    a list of contract ids (a caller may reuse them across windows)."""
    keep, r = ROW_FILTERS[name], rules()
    items = [row for row in rows if keep(row, r)]
    ids = [row.contract_id for row in items]
    if name in MONEY:
        amount = sum((row.amount for row in items), market_statistics.ZERO)
        return Computed(_yi(amount), amount, links(ids))
    return Computed(Decimal(len(items)), None, links(ids))
