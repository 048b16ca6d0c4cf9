"""Payments received against a contract (实际到位金额): recorded by a party with their evidence (到账凭证), withdrawn
(never deleted) when wrong, and summed into the `paid` amount of the contract's policy event (policy_event.py).

Decisions (docs/market.md, "Payments received"):
- **Who records**: verified members of the contract's seller-side or buyer-side parties (the seller receives the
  money, the buyer pays it and claims the technology-introduction reward on it); an intermediary or broker does not.
- **When**: from signing on, whatever the registration's state: money may be paid before the contract is
  registered, and recording a payment does not change what a registry examines (the contract stays frozen).
- **Bounds**: an amount > 0 and ≤ ¥100,000,000,000.00 with two decimals; a date within the platform's bounds, not
  after today and not before the contract was signed; the contract's current payments may not add up to more
  than its total amount (the contract row is locked, so concurrent recordings cannot pass it together).
- **Withdrawal**: a wrong entry is withdrawn with a reason by a verified member of the organisation that recorded
  it (the other side cannot erase it); it stays on the page, marked, and no longer counts.
- **One record per form**: each form shown carries a one-time key (`ContractPayment.intent_key`); submitting it
  twice records one payment, the second request raises AlreadyDone with the first.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from techmarket.market.models import Attachment, Contract, ContractParty, ContractPayment, DealAction
from techmarket.market.services import deals
from techmarket.market.services.contracts import (
    REASON_MAX,
    check_date,
    check_money,
    check_text,
    clean_reason,
    party_for,
    recorded_with,
)
from techmarket.market.services.errors import AlreadyDone, MarketError, MarketPermissionError
from techmarket.market.services.history import log_deal
from techmarket.market.services.rules import BUYER, SELLER
from techmarket.market.services.sides import side

NOT_ALLOWED = "只有合同买卖双方单位的已核验成员可以记录到位金额。"


def current_payments(contract: Contract) -> QuerySet[ContractPayment]:
    """The payments that count, by date received."""
    return contract.payments.current().select_related("evidence", "organisation", "recorded_by")


def withdrawn_payments(contract: Contract) -> QuerySet[ContractPayment]:
    return contract.payments.withdrawn().select_related("evidence", "organisation", "recorded_by", "withdrawn_by")


def paid_total(contract: Contract) -> Decimal:
    """The amount actually paid (实际到位金额): the sum of the contract's current payments, summed in Decimal."""
    return sum((p.amount for p in contract.payments.current().only("amount")), Decimal("0.00"))


def payment_facts(contract: Contract) -> list[dict]:
    """The current payments as facts (date received, amount in yuan as a string), oldest first: what a claim page
    can show next to the event's `amounts.paid` (the policy event itself has no field for them)."""
    return [{"received_on": p.received_on.isoformat(), "amount": f"{p.amount:.2f}"}
            for p in contract.payments.current().only("received_on", "amount")]


def paying_party(user, contract: Contract) -> ContractParty | None:
    """The seller-side or buyer-side party the user records payments for (None: the user may not)."""
    party = party_for(user, contract)
    return party if party is not None and side(contract, party) in (SELLER, BUYER) else None


def can_record(user, contract: Contract) -> bool:
    return paying_party(user, contract) is not None


def can_withdraw(user, payment: ContractPayment) -> bool:
    """A current payment, and the user records for the organisation that recorded it."""
    party = paying_party(user, payment.contract)
    return payment.withdrawn_at is None and party is not None and party.organisation_id == payment.organisation_id


def _check_payment(contract: Contract, amount: Decimal | None, received_on: datetime.date | None, note: str) -> None:
    if amount is None:
        raise MarketError("请填写到账金额。")
    check_money(amount, "到账金额")
    if amount <= 0:
        raise MarketError("到账金额须大于零。")
    if received_on is None:
        raise MarketError("请填写到账日期。")
    check_date(received_on, "到账日期")
    if received_on > timezone.localdate():
        raise MarketError("到账日期不能晚于今天。")
    if received_on < contract.signed_on:
        raise MarketError(f"到账日期不能早于合同签订日期（{contract.signed_on:%Y-%m-%d}）。")
    if len(note) > REASON_MAX:
        raise MarketError(f"说明不能超过 {REASON_MAX} 字。")
    check_text(note, "说明", single_line=True)
    paid = paid_total(contract)
    if paid + amount > contract.total_amount:
        raise MarketError(f"到位金额合计不能超过合同总额 {contract.total_amount:,.2f} 元："
                          f"已记录 {paid:,.2f} 元，本笔 {amount:,.2f} 元，合计 {paid + amount:,.2f} 元。"
                          "如有记录错误，请先撤回错误的记录。")


def _recorded_with(intent_key: str | None, user) -> ContractPayment | None:
    """The payment a previous submission of the same form recorded, if any."""
    return recorded_with(ContractPayment.objects.all(), intent_key, user, author="recorded_by_id")


def _already_recorded(existing: ContractPayment) -> AlreadyDone:
    return AlreadyDone(f"{existing.received_on:%Y-%m-%d} 到账 {existing.amount:,.2f} 元已记录，未重复记录。", existing)


def _payment_data(payment: ContractPayment) -> dict:
    evidence = payment.evidence
    return {"payment": payment.pk, "amount": f"{payment.amount:.2f}", "received_on": payment.received_on.isoformat(),
            "evidence": {"attachment": evidence.pk, "name": evidence.name, "sha256": evidence.sha256}}


@transaction.atomic
def record_payment(user, contract: Contract, amount: Decimal | None, received_on: datetime.date | None,
                   evidence_upload, note: str = "", intent_key: str | None = None) -> ContractPayment:
    """Record a payment received against the contract, with its evidence (a file through the upload checks), in
    one transaction. Refusals raise MarketPermissionError / MarketError and change nothing; the same form
    submitted twice raises AlreadyDone with the payment recorded."""
    # Recordings for a contract wait for each other here, so the total cannot pass the contract's amount.
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if paying_party(user, contract) is None:
        raise MarketPermissionError(NOT_ALLOWED)
    existing = _recorded_with(intent_key, user)
    if existing is not None:
        raise _already_recorded(existing)
    note = (note or "").strip()
    _check_payment(contract, amount, received_on, note)
    if not evidence_upload:
        raise MarketError("请上传到账凭证（银行回单、转账记录等）。")
    try:
        with transaction.atomic():
            evidence = deals.store_attachment(user, evidence_upload, contract=contract,
                                              kind=Attachment.Kind.PAYMENT_EVIDENCE, log=False)
            payment = ContractPayment.objects.create(
                contract=contract, amount=amount, received_on=received_on, evidence=evidence, note=note,
                recorded_by=user, organisation_id=user.organisation_id, intent_key=intent_key or None)
    except IntegrityError:  # a concurrent request with the same form key committed first
        existing = _recorded_with(intent_key, user)
        if existing is None:
            raise
        raise _already_recorded(existing) from None
    summary = f"{received_on:%Y-%m-%d} 到账 {amount:,.2f} 元（凭证：{evidence.name}）"
    log_deal(DealAction.PAYMENT_RECORDED, user, contract=contract, note=summary + (f"；{note}" if note else ""),
             data=_payment_data(payment))
    return payment


@transaction.atomic
def withdraw_payment(user, payment: ContractPayment, reason: str) -> ContractPayment:
    """Withdraw a wrong entry (a reason is required): kept, marked withdrawn, no longer counted. Only the
    organisation that recorded it may; a repeated request raises AlreadyDone and changes nothing."""
    contract = Contract.objects.select_for_update().get(pk=payment.contract_id)
    payment = ContractPayment.objects.select_for_update().select_related("evidence").get(pk=payment.pk)
    party = paying_party(user, contract)
    if party is None:
        raise MarketPermissionError(NOT_ALLOWED)
    if party.organisation_id != payment.organisation_id:
        raise MarketPermissionError("到账记录只能由记录单位撤回。")
    if payment.withdrawn_at is not None:
        raise AlreadyDone("该到账记录已经撤回，未重复撤回。", payment)
    reason = clean_reason(reason)
    if not reason:
        raise MarketError("请填写撤回原因。")
    payment.withdrawn_at, payment.withdrawn_by, payment.withdrawal_reason = timezone.now(), user, reason
    payment.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    log_deal(DealAction.PAYMENT_WITHDRAWN, user, contract=contract,
             note=f"{payment.received_on:%Y-%m-%d} 到账 {payment.amount:,.2f} 元；原因：{reason}",
             data=_payment_data(payment))
    return payment
