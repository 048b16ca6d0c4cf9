"""The sides of a contract (seller, buyer, intermediary, from each party's role in data/market/registration.yaml)
and the locations of its parties: what statistics, exports, review flags and the policy event count."""

from __future__ import annotations

from techmarket.directory.models import Organisation, Region
from techmarket.market.models import Contract, ContractParty, Location, Milestone
from techmarket.market.services.rules import BUYER, SELLER, rules


def location_of(organisation: Organisation) -> str:
    """Where an organisation is, from its region: '' when it has none."""
    region = organisation.region
    if region is None:
        return ""
    if region.kind in (Region.Kind.PROVINCE, Region.Kind.PREFECTURE):
        return Location.QINGHAI
    if region.kind == Region.Kind.ABROAD:
        return Location.ABROAD
    return Location.OTHER_PROVINCE


def side(contract: Contract, party: ContractParty) -> str:
    return rules().side_of(contract.contract_type, party.role)


def sellers(contract: Contract) -> list[ContractParty]:
    return [p for p in contract.parties.all() if side(contract, p) == SELLER]


def buyers(contract: Contract) -> list[ContractParty]:
    return [p for p in contract.parties.all() if side(contract, p) == BUYER]


def registering_party(contract: Contract) -> ContractParty | None:
    return next((p for p in contract.parties.all() if p.is_registering_party), None)


def seller_location(contract: Contract) -> str:
    """The seller's location: the registering party's (technology output is counted where it is registered)."""
    party = registering_party(contract)
    return party.location if party else ""


def buyer_location(contract: Contract) -> str:
    """The buyer side's location: inside Qinghai if any buyer is, else the first buyer's."""
    locations = [p.location for p in buyers(contract)]
    if Location.QINGHAI in locations:
        return Location.QINGHAI
    return locations[0] if locations else ""


def delivered(contract: Contract) -> bool:
    """Every delivery milestone done (and there is at least one)."""
    deliveries = [m for m in contract.milestones.all() if m.kind == Milestone.Kind.DELIVERY]
    return bool(deliveries) and all(m.done_on for m in deliveries)
