"""Statistics of registered technology contracts, and the figures other apps (indicators, policy) call.

What counts (docs/market.md, "Statistics"): a contract whose registration is in force (registered or changed; not
cancelled), dated by its registration date, with the technology transaction amount the registry certified
(认定技术交易额). The seller is the registering party (技术输出方); the buyer side is in Qinghai when any buyer is.

- absorbed_transactions(start, end): registered contracts whose buyer is in Qinghai and whose seller is outside
  (another province or abroad): the technology transactions Qinghai absorbs (吸纳技术).
- technologies_introduced(start, end): of those, the transfer and licensing contracts: technologies brought in
  (引进技术成果), with the listings they came from.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q

from techmarket.directory.models import Region
from techmarket.market.models import ContractParty, Location, Registration
from techmarket.market.services import sides
from techmarket.market.services.contracts import EFFECTIVE_REGISTRATION
from techmarket.market.services.rules import rules

INTRODUCTION_GROUPS = ("transfer", "licensing")
ZERO = Decimal("0.00")


@dataclass
class Filters:
    start: datetime.date | None = None
    end: datetime.date | None = None
    contract_type: str = ""
    registry: str = ""  # registry code
    region: str = ""  # a region code: contracts registered at the registries of that region (a prefecture's market)
    field: str = ""  # top-level field code
    on_platform: bool | None = None

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "contract_type": self.contract_type, "registry": self.registry,
                "field": self.field, "on_platform": self.on_platform, "region": self.region}


@dataclass
class Row:
    """One registered contract as the statistics see it."""

    registration_id: int
    contract_id: int
    number: str
    title: str
    contract_type: str
    type_name: str
    field_code: str
    field_name: str
    registry_code: str
    prefecture: str
    registered_on: datetime.date
    month: str
    seller: str
    buyer: str
    seller_location: str
    buyer_location: str
    amount: Decimal
    total_amount: Decimal
    made_on_platform: bool
    listings: list[str] = field(default_factory=list)

    @property
    def absorbed(self) -> bool:
        return self.buyer_location == Location.QINGHAI and self.seller_location in (
            Location.OTHER_PROVINCE, Location.ABROAD)


@dataclass
class Bucket:
    key: str
    label: str
    count: int = 0
    amount: Decimal = ZERO
    total_amount: Decimal = ZERO


@dataclass
class Figure:
    count: int
    amount: Decimal
    contract_ids: list[int]
    listing_references: list[str] = field(default_factory=list)


@dataclass
class Statistics:
    filters: Filters
    count: int
    amount: Decimal
    total_amount: Decimal
    tables: OrderedDict[str, tuple[str, list[Bucket]]]
    absorbed: Figure
    introduced: Figure
    on_platform: Figure
    rows: list[Row]


LOCATION_LABELS = dict(Location.choices)
TABLES = OrderedDict([
    ("type", "按合同类型"),
    ("field", "按技术领域"),
    ("prefecture", "按登记地（市州）"),
    ("seller_location", "按卖方所在地"),
    ("buyer_location", "按买方所在地"),
    ("month", "按月份"),
])


def _registrations(filters: Filters):
    qs = Registration.objects.filter(status__in=EFFECTIVE_REGISTRATION, registered_on__isnull=False)
    if filters.start:
        qs = qs.filter(registered_on__gte=filters.start)
    if filters.end:
        qs = qs.filter(registered_on__lte=filters.end)
    if filters.contract_type:
        qs = qs.filter(contract__contract_type=filters.contract_type)
    if filters.registry:
        qs = qs.filter(registry__code=filters.registry)
    if filters.region:
        qs = qs.filter(registry__region_code=filters.region)
    if filters.on_platform is not None:
        qs = qs.filter(contract__made_on_platform=filters.on_platform)
    if filters.field:
        qs = qs.filter(Q(contract__field__code=filters.field) | Q(contract__field__parent__code=filters.field))
    return qs.select_related("registry", "contract", "contract__field", "contract__field__parent").prefetch_related(
        Prefetch("contract__parties", queryset=ContractParty.objects.select_related("organisation")),
        "contract__milestones", "contract__listings",
    ).order_by("registered_on", "id")


def rows(filters: Filters | None = None) -> list[Row]:
    filters = filters or Filters()
    r = rules()
    region_names = {region.code: region.name for region in Region.objects.all()}
    result = []
    for registration in _registrations(filters):
        contract = registration.contract
        top = contract.field.top if contract.field_id else None
        sellers = sides.sellers(contract)
        buyers = sides.buyers(contract)
        registry = registration.registry
        prefecture = region_names.get(registry.region_code, registry.name)
        if registry.is_provincial:
            prefecture = f"{prefecture}（省本级）"
        amount = registration.technology_amount if registration.technology_amount is not None \
            else contract.technology_amount
        result.append(Row(
            registration_id=registration.pk, contract_id=contract.pk,
            number=registration.number or registration.external_number, title=contract.title,
            contract_type=contract.contract_type, type_name=r.type_name(contract.contract_type),
            field_code=top.code if top else "", field_name=top.name if top else "未分类",
            registry_code=registry.code, prefecture=prefecture, registered_on=registration.registered_on,
            month=registration.registered_on.strftime("%Y-%m"),
            seller="、".join(p.organisation.name for p in sellers),
            buyer="、".join(p.organisation.name for p in buyers),
            seller_location=sides.seller_location(contract), buyer_location=sides.buyer_location(contract),
            amount=amount, total_amount=contract.total_amount, made_on_platform=contract.made_on_platform,
            listings=[listing.reference for listing in contract.listings.all()],
        ))
    return result


def _group(items: list[Row], key, label, order: list[str] | None = None) -> list[Bucket]:
    buckets: dict[str, Bucket] = {}
    for code in order or []:
        buckets[code] = Bucket(code, label(code))
    for row in items:
        code = key(row)
        bucket = buckets.setdefault(code, Bucket(code, label(code, row)))
        bucket.count += 1
        bucket.amount += row.amount
        bucket.total_amount += row.total_amount
    return list(buckets.values())


def _figure(items: list[Row]) -> Figure:
    listings = sorted({ref for row in items for ref in row.listings})
    return Figure(len(items), sum((row.amount for row in items), ZERO), [row.contract_id for row in items], listings)


def statistics(filters: Filters | None = None) -> Statistics:
    filters = filters or Filters()
    items = rows(filters)
    r = rules()
    tables = OrderedDict()
    tables["type"] = (TABLES["type"], _group(
        items, lambda row: row.contract_type, lambda code, row=None: r.type_name(code), order=list(r.types)))
    tables["field"] = (TABLES["field"], sorted(_group(
        items, lambda row: row.field_code, lambda code, row=None: row.field_name if row else code),
        key=lambda b: -b.amount))
    tables["prefecture"] = (TABLES["prefecture"], sorted(_group(
        items, lambda row: row.registry_code, lambda code, row=None: row.prefecture if row else code),
        key=lambda b: -b.amount))
    location_order = list(Location.values)
    tables["seller_location"] = (TABLES["seller_location"], _group(
        items, lambda row: row.seller_location, lambda code, row=None: LOCATION_LABELS.get(code, "未知"),
        order=location_order))
    tables["buyer_location"] = (TABLES["buyer_location"], _group(
        items, lambda row: row.buyer_location, lambda code, row=None: LOCATION_LABELS.get(code, "未知"),
        order=location_order))
    tables["month"] = (TABLES["month"], _group(items, lambda row: row.month, lambda code, row=None: code))
    absorbed = [row for row in items if row.absorbed]
    return Statistics(
        filters=filters, count=len(items), amount=sum((row.amount for row in items), ZERO),
        total_amount=sum((row.total_amount for row in items), ZERO), tables=tables,
        absorbed=_figure(absorbed),
        introduced=_figure([row for row in absorbed if r.type(row.contract_type).group in INTRODUCTION_GROUPS]),
        on_platform=_figure([row for row in items if row.made_on_platform]),
        rows=items,
    )


def absorbed_transactions(start: datetime.date | None = None, end: datetime.date | None = None) -> Figure:
    """Technology transactions absorbed into Qinghai, registered between start and end (inclusive): buyer in
    Qinghai, seller in another province or abroad. Amount: certified technology transaction amount (yuan)."""
    return _figure([row for row in rows(Filters(start=start, end=end)) if row.absorbed])


def technologies_introduced(start: datetime.date | None = None, end: datetime.date | None = None) -> Figure:
    """Technologies introduced into Qinghai: absorbed transfer and licensing contracts, with their listings."""
    r = rules()
    return _figure([row for row in rows(Filters(start=start, end=end))
                    if row.absorbed and r.type(row.contract_type).group in INTRODUCTION_GROUPS])


def registry_figures(start: datetime.date | None = None, end: datetime.date | None = None) -> dict[str, Bucket]:
    """Registered contracts and their certified amount per registry (by code), dated by registration: the
    figures the register of registries shows."""
    items = rows(Filters(start=start, end=end))
    return {b.key: b for b in _group(items, lambda row: row.registry_code, lambda code, row=None: code)}


def registered_contract_count(organisation_id: int) -> int:
    """Registered contracts (in force) to which the organisation is a party: a fact other domains read."""
    return (Registration.objects.filter(status__in=EFFECTIVE_REGISTRATION, registered_on__isnull=False,
                                        contract__parties__organisation_id=organisation_id)
            .values("contract_id").distinct().count())


@dataclass
class PartyRecord:
    name: str
    credit_code: str
    role: str  # the role's name in the contract type (研究开发方, 受让方 …)
    side: str  # seller, buyer or intermediary
    location: str  # Location code: qinghai, other-province, abroad
    region_code: str
    registering: bool


@dataclass
class RegisteredContract:
    """One registered contract with what a registration file for another system needs (docking's exports)."""

    number: str
    registry_code: str
    registry_name: str
    registered_on: datetime.date
    status: str  # registered or changed
    certified_amount: Decimal
    title: str
    contract_type: str
    type_name: str
    signed_on: datetime.date
    total_amount: Decimal
    technology_amount: Decimal
    field_code: str
    field_name: str
    top_field_code: str
    top_field_name: str
    made_on_platform: bool
    parties: list[PartyRecord]
    listings: list[str]


def registered_contracts(start: datetime.date | None = None,
                         end: datetime.date | None = None) -> list[RegisteredContract]:
    """The contracts registered (in force) between start and end (registration dates, inclusive), oldest first:
    a read-only view for exports to other systems (docking). No person and no contact detail is in it."""
    r = rules()
    result = []
    for registration in _registrations(Filters(start=start, end=end)).select_related("contract__field"):
        contract = registration.contract
        top = contract.field.top if contract.field_id else None
        parties = [PartyRecord(
            name=p.organisation.name, credit_code=p.organisation.credit_code,
            role=r.role_name(contract.contract_type, p.role), side=sides.side(contract, p), location=p.location,
            region_code=p.region_code, registering=p.is_registering_party) for p in contract.parties.all()]
        result.append(RegisteredContract(
            number=registration.number or registration.external_number, registry_code=registration.registry.code,
            registry_name=registration.registry.name, registered_on=registration.registered_on,
            status=registration.status,
            certified_amount=registration.technology_amount if registration.technology_amount is not None
            else contract.technology_amount,
            title=contract.title, contract_type=contract.contract_type, type_name=r.type_name(contract.contract_type),
            signed_on=contract.signed_on, total_amount=contract.total_amount,
            technology_amount=contract.technology_amount,
            field_code=contract.field.code if contract.field_id else "",
            field_name=contract.field.name if contract.field_id else "",
            top_field_code=top.code if top else "", top_field_name=top.name if top else "",
            made_on_platform=contract.made_on_platform, parties=parties,
            listings=[listing.reference for listing in contract.listings.all()]))
    return result
