"""The policy event of a contract: the contract as a `technology-contract` event of the policy engine
(docs/policy.md, "Events"), for the policy app to compute the rewards it earns."""

from __future__ import annotations

from techmarket.market.models import Contract, Location
from techmarket.market.services.contracts import EFFECTIVE_REGISTRATION
from techmarket.market.services.payments import paid_total
from techmarket.market.services.rules import BUYER, INTERMEDIARY, SELLER, rules
from techmarket.market.services.sides import buyer_location, delivered, seller_location, side


def policy_event(contract: Contract) -> dict:
    """The contract as a `technology-contract` event of the policy engine (docs/policy.md, "Events"), for the
    policy app to compute the rewards it earns: the technology transaction amount, buyer/seller/intermediary
    parties, the flags this app knows (online, registered, delivered, from outside Qinghai, buyer in Qinghai) and,
    once payments are recorded, `amounts.paid`: the sum of the contract's current payments (实际到位金额,
    services.payments), the base of rules paid on the amount actually paid."""
    registration = contract.registrations.filter(status__in=EFFECTIVE_REGISTRATION).first()
    role_names = {SELLER: "seller", BUYER: "buyer", INTERMEDIARY: "intermediary"}
    parties = [{"role": role_names[side(contract, p)], "name": p.organisation.name, "organisation_id":
                p.organisation_id} for p in contract.parties.select_related("organisation") if side(contract, p)]
    flags = {
        "online": contract.made_on_platform,
        "registered": registration is not None,
        "delivered": delivered(contract),
        "from_outside_qinghai": seller_location(contract) != Location.QINGHAI,
        "buyer_in_qinghai": buyer_location(contract) == Location.QINGHAI,
    }
    amount = registration.technology_amount if registration and registration.technology_amount is not None \
        else contract.technology_amount
    event = {
        "type": "technology-contract",
        "date": (registration.registered_on if registration else contract.signed_on).isoformat(),
        "kind": rules().type(contract.contract_type).policy_kind,
        "amount": f"{amount:.2f}",
        "parties": parties,
        "flags": {name: True for name, value in flags.items() if value},
        "project": f"market-contract-{contract.pk}",
    }
    if contract.payments.current().exists():
        event["amounts"] = {"paid": f"{paid_total(contract):.2f}"}
    return event
