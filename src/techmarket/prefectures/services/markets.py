"""A prefecture's market (市州技术市场, docs/prefectures.md): its listings (catalogue, by the region of the
organisations they name) and its deals (the contracts registered at its registries, market.services.statistics
with a region filter). Every contract is registered at exactly one registry, so the prefectures' deals and the
provincial registry's (省本级) add up to the province's."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services.history import field_labels
from techmarket.catalogue.services.listings import ListingFilters, filter_listings
from techmarket.common.errors import NotFound
from techmarket.common.permissions import allowed
from techmarket.directory.models import Region
from techmarket.market.services import statistics
from techmarket.prefectures.services import config

PROVINCE = "qinghai"


@dataclass
class Deals:
    """The registered contracts of a market: count, certified technology amount, absorbed (bought in Qinghai from
    outside it)."""

    label: str
    count: int
    amount: Decimal
    absorbed_count: int
    absorbed_amount: Decimal

    @classmethod
    def of(cls, label: str, figures: statistics.Statistics) -> Deals:
        return cls(label, figures.count, figures.amount, figures.absorbed.count, figures.absorbed.amount)


@dataclass
class Market:
    region: Region
    listings: QuerySet[Listing]
    deals: Deals
    figures: statistics.Statistics
    reviewer: bool  # the user reviews this prefecture's listings


def prefectures() -> list[Region]:
    return list(Region.objects.filter(kind=Region.Kind.PREFECTURE).select_related("aid_partner"))


def prefecture(code: str) -> Region:
    region = Region.objects.filter(code=code, kind=Region.Kind.PREFECTURE).select_related("aid_partner").first()
    if region is None:
        raise NotFound("没有这个市州。")
    return region


def market(code: str, user=None) -> Market:
    region = prefecture(code)
    figures = statistics.statistics(statistics.Filters(region=region.code))
    reviews = allowed(user, "catalogue.review") or bool(
        user is not None and user.is_authenticated and user.region_reviews.filter(region=region).exists())
    return Market(region, filter_listings(ListingFilters(region=region.code, sort="newest")),
                  Deals.of(region.name, figures), figures, reviews)


@dataclass
class Province:
    markets: list[Deals]  # each prefecture, then the provincial registry's (省本级)
    total: Deals  # the province's, as market statistics count it


def province() -> Province:
    """Each prefecture's deals, the provincial level's, and the province's total, which they add up to."""
    markets = [Deals.of(region.name, statistics.statistics(statistics.Filters(region=region.code)))
               for region in prefectures()]
    markets.append(Deals.of("省本级", statistics.statistics(statistics.Filters(region=PROVINCE))))
    return Province(markets, Deals.of("全省合计", statistics.statistics()))


# -- featured fields and specialised sub-markets (data/prefectures/markets.yaml) ------------------------------

@dataclass
class FieldFigures:
    code: str
    name: str
    listings: int  # the market's public listings in the field
    deals: Deals  # the market's registered contracts in the field


def featured(region: Region) -> list[FieldFigures]:
    """The prefecture's featured fields (特色领域) with its listings and deals in each."""
    codes = config.markets().featured.get(region.code, [])
    names = field_labels(codes)
    result = []
    for code in codes:
        listings = filter_listings(ListingFilters(region=region.code, field=code)).count()
        figures = statistics.statistics(statistics.Filters(region=region.code, field=code))
        result.append(FieldFigures(code, names.get(code, code), listings, Deals.of(names.get(code, code), figures)))
    return result


@dataclass
class Specialised:
    code: str
    name: str
    description: str
    field_name: str
    listings: QuerySet[Listing]
    deals: Deals
    figures: statistics.Statistics


def specialised(code: str) -> Specialised:
    """A specialised sub-market (专业技术市场): the province's public listings and registered contracts of its
    field."""
    entry = config.markets().specialised_market(code)
    if entry is None:
        raise NotFound("没有这个专业技术市场。")
    figures = statistics.statistics(statistics.Filters(field=entry.field))
    return Specialised(entry.code, entry.name, entry.description, field_labels([entry.field]).get(entry.field, ""),
                       filter_listings(ListingFilters(field=entry.field, sort="newest")),
                       Deals.of(entry.name, figures), figures)


def specialised_markets() -> list[Specialised]:
    return [specialised(entry.code) for entry in config.markets().specialised]
