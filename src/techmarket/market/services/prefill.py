"""Initial values of the contract form for an agreed inquiry."""

from __future__ import annotations

from techmarket.market.models import Agreement, Inquiry
from techmarket.market.services import deals
from techmarket.market.services.rules import BUYER, rules
from techmarket.market.services.sides import location_of


def prefill_from_inquiry(inquiry: Inquiry) -> dict:
    """Initial values of the contract form for an agreed inquiry: type, amount and the two sides."""
    agreement: Agreement | None = deals.accepted_agreement(inquiry)
    seller, buyer = deals.seller_and_buyer(inquiry)
    contract_type = rules().type(agreement.contract_type) if agreement else None
    seller_role = buyer_role = ""
    if contract_type:
        seller_role = contract_type.registering_role
        buyer_role = next((code for code, role in contract_type.roles.items() if role.side == BUYER), "")
    return {
        "title": inquiry.listing.title[:300],
        "contract_type": agreement.contract_type if agreement else "",
        "total_amount": agreement.amount if agreement else None,
        "summary": agreement.terms if agreement else "",
        "parties": [
            {"organisation": seller, "role": seller_role, "location": location_of(seller)},
            {"organisation": buyer, "role": buyer_role, "location": location_of(buyer)},
        ],
    }
