"""Contracts an organisation brokered (技术经纪人或中介机构): what the ecosystem's registers count for a technology
transfer institution or a broker (its record, its annual figures), read here so that no other domain queries the
market's tables. A party brokers a contract when its role is the common role `broker` (data/market/registration.yaml
`common_roles`) or a role on the intermediary side, or when it is the intermediary of a technology intermediary
contract (技术中介合同)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from techmarket.market.models import Contract, ContractParty, Registration
from techmarket.market.services.contracts import EFFECTIVE_REGISTRATION, can_view
from techmarket.market.services.rules import INTERMEDIARY, rules

BROKER_ROLE = "broker"
INTERMEDIARY_TYPE = "intermediary"


@dataclass(frozen=True)
class BrokeredContract:
    id: int
    title: str
    signed_on: datetime.date
    technology_amount: Decimal  # yuan: the certified amount once registered, else the contract's
    registered: bool
    registration_number: str
    url: str


def is_broker_party(contract_type: str, role: str) -> bool:
    if role == BROKER_ROLE:
        return True
    if contract_type == INTERMEDIARY_TYPE and role == INTERMEDIARY_TYPE:
        return True
    return rules().side_of(contract_type, role) == INTERMEDIARY


def _summary(contract: Contract) -> BrokeredContract:
    registration = next((r for r in contract.registrations.all() if r.status in EFFECTIVE_REGISTRATION), None)
    amount = contract.technology_amount
    if registration is not None and registration.technology_amount is not None:
        amount = registration.technology_amount
    return BrokeredContract(contract.pk, contract.title, contract.signed_on, amount, registration is not None,
                            (registration.number or registration.external_number) if registration else "",
                            contract.get_absolute_url())


def _contracts():
    return Contract.objects.prefetch_related(
        Prefetch("registrations", queryset=Registration.objects.order_by("-id")), "parties")


def brokered_contracts(organisation_id: int, year: int | None = None) -> list[BrokeredContract]:
    """The contracts in which the organisation is a party as broker or intermediary, newest first (signed in
    `year` if given)."""
    parties = ContractParty.objects.filter(organisation_id=organisation_id).values_list(
        "contract_id", "contract__contract_type", "role")
    ids = {cid for cid, ctype, role in parties if is_broker_party(ctype, role)}
    qs = _contracts().filter(pk__in=ids)
    if year is not None:
        qs = qs.filter(signed_on__year=year)
    return [_summary(c) for c in qs.order_by("-signed_on", "-id")]


def contracts_by_id(ids) -> list[BrokeredContract]:
    """The contracts with these ids (those that exist), newest first."""
    return [_summary(c) for c in _contracts().filter(pk__in=list(ids)).order_by("-signed_on", "-id")]


def contract_label(contract_id: int, user) -> str | None:
    """How a contract the user may see is named (for a complaint about it); None if none or not visible."""
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None or not can_view(user, contract):
        return None
    return f"技术合同《{contract.title}》"
