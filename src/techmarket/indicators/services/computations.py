"""Indicators the platform computes from its own records: a registry of functions by name (the `computed_by` of
data/indicators/indicators.yaml). Each takes the first and last day counted and returns a Computed: the value in
the indicator's unit, the exact amount in yuan where it is money, and links to the records it came from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

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


COMPUTATIONS = {
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
