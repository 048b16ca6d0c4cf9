"""The market's facts for the policy engine (techmarket.policy.services.facts): a contract recorded on the platform,
as the `technology-contract` event its registration and the payments received against it make
(services/policy_event.py). Its parties' verified members may claim rewards from it."""

from __future__ import annotations

from decimal import Decimal

from techmarket.market.models import Contract
from techmarket.market.services.contracts import EFFECTIVE_REGISTRATION, can_view
from techmarket.market.services.policy_event import policy_event
from techmarket.policy.services.facts import Record, register_source

SOURCE = "market.contract"
NOT_REGISTERED = "该合同尚未完成技术合同认定登记；多数奖补以登记为条件，登记后结果会相应变化。"


def _record(contract: Contract) -> Record:
    registration = contract.registrations.filter(status__in=EFFECTIVE_REGISTRATION).first()
    label = f"技术合同《{contract.title}》" + (f"（{registration.label}）" if registration else "")
    event = policy_event(contract)
    # The checklist items the platform's own records stand for (policy vocabulary `evidence`).
    evidence = {}
    if registration:
        evidence["contract-registration"] = f"平台登记记录：{registration.label}，{registration.registry}"
    if "paid" in event.get("amounts", {}):
        evidence["payment-receipt"] = f"平台到账记录：合计 ¥{Decimal(event['amounts']['paid']):,.2f}，凭证见合同页面"
    if "delivered" in event.get("flags", {}):
        evidence["delivery-acceptance"] = "平台记录：合同的交付节点均已由当事方确认"
    return Record(
        source=SOURCE, key=str(contract.pk), label=label, url=contract.get_absolute_url(),
        event=event, note="" if registration else NOT_REGISTERED,
        organisation_ids=frozenset(p.organisation_id for p in contract.parties.all()), evidence=evidence,
    )


def fetch(key: str, user) -> Record | None:
    if not key.isdigit():
        return None
    contract = Contract.objects.filter(pk=int(key)).prefetch_related("parties__organisation").first()
    if contract is None or not can_view(user, contract):
        return None
    return _record(contract)


def list_for(user) -> list[Record]:
    """The registered contracts the user's organisation is a party to, newest first."""
    if not (user and user.is_authenticated and user.can_submit_listings):
        return []
    contracts = (Contract.objects.filter(parties__organisation_id=user.organisation_id,
                                         registrations__status__in=EFFECTIVE_REGISTRATION)
                 .distinct().order_by("-signed_on", "-id").prefetch_related("parties__organisation"))
    return [_record(contract) for contract in contracts[:50]]


register_source(SOURCE, "技术合同", fetch, list_for)
