"""Contracts: recording and editing them (their parties, amounts and milestones, and the rules a contract must
meet), who may write and read them, and their milestones. Sides and locations are in sides.py, the event the
policy engine computes rewards from in policy_event.py, the form's initial values in prefill.py.

A contract made from an inquiry whose agreement both sides confirmed is marked `made_on_platform` and keeps the
inquiry, the agreement and the listing; one recorded directly is not.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, QuerySet, When
from django.utils import timezone

from techmarket.catalogue.models import Field
from techmarket.common.bounds import (
    DATE_MESSAGE,
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_AMOUNT,
    MONEY_MESSAGE,
    validate_single_line,
    validate_text,
)
from techmarket.common.permissions import allowed
from techmarket.directory.models import Organisation
from techmarket.market.models import (
    Attachment,
    Contract,
    ContractParty,
    DealAction,
    Inquiry,
    Location,
    Milestone,
    Registration,
)
from techmarket.market.services import deals
from techmarket.market.services.errors import AlreadyDone, MarketError, MarketPermissionError
from techmarket.market.services.history import log_deal
from techmarket.market.services.registries import can_oversee, staff_registry
from techmarket.market.services.rules import BUYER, SELLER, rules
from techmarket.market.services.sides import location_of

R = Registration.Status
# A contract with a registration in one of these is locked: its parties and amounts are what the registry examines.
ACTIVE_REGISTRATION = (R.SUBMITTED, R.ACCEPTED, R.RECONSIDERATION, R.REGISTERED, R.CHANGED)
EFFECTIVE_REGISTRATION = (R.REGISTERED, R.CHANGED)
NOT_A_PARTY = "只有合同当事人单位的已核验成员可以执行此操作。"


@dataclass
class PartyInput:
    organisation: Organisation
    role: str
    location: str = ""  # blank: derived from the organisation's region
    is_registering_party: bool = False


@dataclass
class MilestoneInput:
    kind: str
    description: str
    amount: Decimal | None = None
    due_on: datetime.date | None = None


@dataclass
class ContractInput:
    title: str
    contract_type: str
    signed_on: datetime.date
    total_amount: Decimal
    technology_amount: Decimal
    summary: str = ""
    field: Field | None = None
    parties: list[PartyInput] = dataclass_field(default_factory=list)
    milestones: list[MilestoneInput] = dataclass_field(default_factory=list)
    intent_key: str | None = None  # the form's one-time key: a second submission finds the first contract


def _region_code(organisation: Organisation, location: str) -> str:
    """The region code kept with a party: its organisation's region when that agrees with the location."""
    region = organisation.region
    if region is None or location_of(organisation) != location:
        return ""
    return region.code


def check_money(value: Decimal | None, what: str) -> None:
    """An amount in yuan within the common bounds (0 to ¥100,000,000,000.00, two decimals)."""
    if value is None:
        return
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT or value.as_tuple().exponent < -2:
        raise MarketError(f"{what}：{MONEY_MESSAGE}")


def check_date(value: datetime.date | None, what: str) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise MarketError(f"{what}：{DATE_MESSAGE if value < EARLIEST_DATE else '日期须在 2100 年之前。'}")


def check_text(value: str, what: str, single_line: bool = False) -> None:
    try:
        (validate_single_line if single_line else validate_text)(value)
    except ValidationError as exc:
        raise MarketError(f"{what}：{exc.messages[0]}") from None


def validate(data: ContractInput) -> None:
    """Raise MarketError with the first rule the contract breaks."""
    contract_type = rules().type(data.contract_type)
    if contract_type is None:
        raise MarketError("请选择合同类型。")
    if not data.title.strip():
        raise MarketError("请填写合同名称。")
    if len(data.title.strip()) > 300:
        raise MarketError("合同名称不能超过 300 字。")
    check_text(data.title, "合同名称", single_line=True)
    check_text(data.summary, "主要内容")
    if data.signed_on is None:
        raise MarketError("请填写签订日期。")
    check_date(data.signed_on, "签订日期")
    if data.signed_on > timezone.localdate():
        raise MarketError("签订日期不能晚于今天。")
    if data.total_amount is None or data.total_amount <= 0:
        raise MarketError("合同总额须大于零。")
    check_money(data.total_amount, "合同总额")
    if data.technology_amount is None or data.technology_amount < 0:
        raise MarketError("请填写技术交易额（不能为负数）。")
    check_money(data.technology_amount, "技术交易额")
    if data.technology_amount > data.total_amount:
        raise MarketError("技术交易额不能大于合同总额：技术交易额是合同总额中扣除非技术性款项后的部分。")
    if len(data.parties) < 2:
        raise MarketError("合同至少须有两方当事人。")
    seen = set()
    sides = set()
    for party in data.parties:
        if party.organisation.pk in seen:
            raise MarketError(f"“{party.organisation.name}”重复列为当事人。")
        seen.add(party.organisation.pk)
        role = contract_type.role(party.role)
        if role is None:
            raise MarketError(f"{contract_type.name}中没有“{rules().role_name(data.contract_type, party.role)}”"
                              f"这一角色（{party.organisation.name}）。可选角色："
                              + "、".join(r.name for r in contract_type.roles.values()) + "。")
        sides.add(role.side)
        if (party.location or location_of(party.organisation)) not in Location.values:
            raise MarketError(f"请填写“{party.organisation.name}”的所在地（省内、省外或境外）。")
    if SELLER not in sides or BUYER not in sides:
        raise MarketError(f"{contract_type.name}须有{contract_type.registering_role_name}和至少一个对方当事人。")
    registering = [p for p in data.parties if p.is_registering_party]
    if not registering:
        holders = [p for p in data.parties if p.role == contract_type.registering_role]
        if len(holders) != 1:
            raise MarketError(f"请指定登记方：{contract_type.name}由{contract_type.registering_role_name}申请登记。")
        registering = holders
    if len(registering) > 1:
        raise MarketError("一份合同只能有一个登记方（按地域一次登记）。")
    if registering[0].role != contract_type.registering_role:
        raise MarketError(f"{contract_type.name}由{contract_type.registering_role_name}申请登记，"
                          f"“{registering[0].organisation.name}”为"
                          f"{rules().role_name(data.contract_type, registering[0].role)}，不能作为登记方。")
    paid = Decimal(0)
    for milestone in data.milestones:
        if milestone.kind not in Milestone.Kind.values:
            raise MarketError("履约节点类别须为付款或交付。")
        if not milestone.description.strip():
            raise MarketError("请填写履约节点的内容。")
        check_text(milestone.description, "履约节点内容", single_line=True)
        check_date(milestone.due_on, "履约节点约定日期")
        if milestone.amount is not None:
            if milestone.amount < 0:
                raise MarketError("履约节点金额不能为负数。")
            check_money(milestone.amount, "履约节点金额")
            if milestone.kind == Milestone.Kind.PAYMENT:
                paid += milestone.amount
    if paid > data.total_amount:
        raise MarketError(f"付款节点合计 {paid} 元超过合同总额 {data.total_amount} 元。")


def _registering_index(data: ContractInput) -> int:
    marked = [i for i, p in enumerate(data.parties) if p.is_registering_party]
    if marked:
        return marked[0]
    registering_role = rules().type(data.contract_type).registering_role
    return next(i for i, p in enumerate(data.parties) if p.role == registering_role)


def _write(contract: Contract, data: ContractInput) -> None:
    contract.title = data.title.strip()
    contract.contract_type = data.contract_type
    contract.summary = data.summary.strip()
    contract.signed_on = data.signed_on
    contract.total_amount = data.total_amount
    contract.technology_amount = data.technology_amount
    contract.field = data.field
    contract.save()
    contract.parties.all().delete()
    registering = _registering_index(data)
    for position, party in enumerate(data.parties):
        location = party.location or location_of(party.organisation)
        ContractParty.objects.create(
            contract=contract, organisation=party.organisation, role=party.role, location=location,
            region_code=_region_code(party.organisation, location), is_registering_party=position == registering,
            position=position,
        )
    contract.milestones.filter(done_on__isnull=True).delete()
    start = contract.milestones.count()
    for position, milestone in enumerate(data.milestones, start=start):
        Milestone.objects.create(contract=contract, kind=milestone.kind, description=milestone.description.strip(),
                                 amount=milestone.amount, due_on=milestone.due_on, position=position)


def _check_author(user, data: ContractInput) -> None:
    if not (user and user.is_authenticated and user.can_submit_listings):
        raise MarketPermissionError("只有已实名核验并关联单位的用户可以录入合同。")
    if user.organisation_id not in {p.organisation.pk for p in data.parties}:
        raise MarketPermissionError("录入人所在单位须为合同当事人之一。")


def recorded_with(records: QuerySet, intent_key: str | None, user, author: str = "created_by_id"):
    """The record (of `records`, which keep the form's one-time key in `intent_key`) a previous submission of the
    same form made, if any. A key another user's submission used is a stale form (`author` names who made it)."""
    if not intent_key:
        return None
    existing = records.filter(intent_key=intent_key).first()
    if existing is not None and getattr(existing, author) != user.pk:
        raise MarketError("表单已失效，请刷新页面后重新填写。")
    return existing


def _recorded_with(intent_key: str | None, user) -> Contract | None:
    """The contract a previous submission of the same form recorded, if any."""
    return recorded_with(Contract.objects.all(), intent_key, user)


def _already_recorded(existing: Contract) -> AlreadyDone:
    return AlreadyDone(f"合同“{existing.title}”已录入，未重复录入。", existing)


@transaction.atomic
def create_contract(user, data: ContractInput, inquiry: Inquiry | None = None) -> Contract:
    """Record a contract; from an inquiry, its accepted agreement makes it a deal made on the platform. The same
    form submitted twice, or a second contract for an inquiry, raises AlreadyDone with the contract recorded."""
    _check_author(user, data)
    validate(data)
    if inquiry is not None:
        # Requests for the same inquiry wait for each other here (the inquiry's row is locked).
        inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    existing = _recorded_with(data.intent_key, user)
    if existing is not None:
        raise _already_recorded(existing)
    try:
        with transaction.atomic():
            return _create_contract(user, data, inquiry)
    except IntegrityError:
        # A concurrent request with the same form key or for the same inquiry committed first.
        existing = _recorded_with(data.intent_key, user) or (inquiry.contracts.first() if inquiry else None)
        if existing is None:
            raise
        raise _already_recorded(existing) from None


def _create_contract(user, data: ContractInput, inquiry: Inquiry | None) -> Contract:
    agreement = None
    if inquiry is not None:
        deals.check_party(user, inquiry)
        if inquiry.status == Inquiry.Status.CONTRACTED:
            existing = inquiry.contracts.first()
            if existing is not None:
                raise AlreadyDone("此洽谈已录入合同，未重复录入。", existing)
            raise MarketError("此洽谈已录入合同。")
        if inquiry.status != Inquiry.Status.AGREED:
            raise MarketError("双方确认协议后才能录入合同。")
        agreement = deals.accepted_agreement(inquiry)
        orgs = {p.organisation.pk for p in data.parties}
        if not {inquiry.organisation_id, inquiry.counterpart_id} <= orgs:
            raise MarketError("经平台洽谈的合同须以洽谈双方为当事人。")
    contract = Contract(created_by=user, inquiry=inquiry, agreement=agreement, made_on_platform=inquiry is not None,
                        intent_key=data.intent_key or None)
    _write(contract, data)
    if inquiry is not None:
        contract.listings.add(inquiry.listing)
        if contract.field_id is None and inquiry.listing.field_id:
            contract.field_id = inquiry.listing.field_id
            contract.save(update_fields=["field"])
        inquiry.status = Inquiry.Status.CONTRACTED
        inquiry.save(update_fields=["status", "updated_at"])
    log_deal(DealAction.CONTRACT_CREATED, user, inquiry=inquiry, contract=contract,
             note="经平台成交" if contract.made_on_platform else "")
    return contract


@transaction.atomic
def update_contract(user, contract: Contract, data: ContractInput) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    check_can_edit(user, contract)
    _check_author(user, data)
    validate(data)
    if contract.inquiry_id:
        orgs = {p.organisation.pk for p in data.parties}
        if not {contract.inquiry.organisation_id, contract.inquiry.counterpart_id} <= orgs:
            raise MarketError("经平台洽谈的合同须以洽谈双方为当事人。")
    _write(contract, data)
    log_deal(DealAction.CONTRACT_UPDATED, user, inquiry=contract.inquiry, contract=contract)
    return contract


def to_input(contract: Contract) -> ContractInput:
    return ContractInput(
        title=contract.title, contract_type=contract.contract_type, signed_on=contract.signed_on,
        total_amount=contract.total_amount, technology_amount=contract.technology_amount, summary=contract.summary,
        field=contract.field,
        parties=[PartyInput(p.organisation, p.role, p.location, p.is_registering_party)
                 for p in contract.parties.select_related("organisation")],
        milestones=[MilestoneInput(m.kind, m.description, m.amount, m.due_on)
                    for m in contract.milestones.filter(done_on__isnull=True)],
    )


# ---------------------------------------------------------------------------------------------------------------
# Who may do what


def party_for(user, contract: Contract) -> ContractParty | None:
    """The contract party the user acts for: a verified member of its organisation."""
    if not (user and user.is_authenticated and user.can_submit_listings):
        return None
    return next((p for p in contract.parties.all() if p.organisation_id == user.organisation_id), None)


def is_party(user, contract: Contract) -> bool:
    return party_for(user, contract) is not None


def check_party(user, contract: Contract) -> ContractParty:
    party = party_for(user, contract)
    if party is None:
        raise MarketPermissionError(NOT_A_PARTY)
    return party


def can_view(user, contract: Contract) -> bool:
    """Parties, administrators and staff of a registry the contract was submitted to (the provincial registry's
    staff also see the reconsiderations they decide)."""
    return allowed(user, "market.view_contract", contract)


def visible_contracts(user) -> QuerySet[Contract]:
    qs = Contract.objects.all()
    if can_oversee(user):
        return qs
    q = Q(pk__in=[])
    if user and user.is_authenticated and user.can_submit_listings:
        q |= Q(parties__organisation_id=user.organisation_id)
    registry = staff_registry(user)
    if registry is not None:
        q |= Q(registrations__registry=registry)
        if registry.is_provincial:
            q |= Q(registrations__reconsideration_requested_at__isnull=False)
    return qs.filter(q).distinct()


def active_registration(contract: Contract) -> Registration | None:
    return contract.registrations.filter(status__in=ACTIVE_REGISTRATION).order_by("-submitted_at").first()


def is_locked(contract: Contract) -> bool:
    return contract.registrations.filter(status__in=ACTIVE_REGISTRATION).exists()


def check_can_edit(user, contract: Contract) -> None:
    check_party(user, contract)
    registration = active_registration(contract)
    if registration is not None:
        raise MarketError(f"合同已申请登记（{registration.label}，{registration.get_status_display()}），"
                          "不能再修改；登记后的变更须向原登记机构办理变更登记。")


def add_attachment(user, contract: Contract, uploaded, kind: str = Attachment.Kind.CONTRACT_TEXT) -> Attachment:
    check_party(user, contract)
    if kind == Attachment.Kind.PAYMENT_EVIDENCE:
        raise MarketError("到账凭证须随到账记录上传（合同页面“到位金额”）。")
    if kind == Attachment.Kind.CONTRACT_TEXT and is_locked(contract):
        raise MarketError("合同已申请登记，不能再更换合同文本。")
    return deals.store_attachment(user, uploaded, contract=contract, kind=kind)


# ---------------------------------------------------------------------------------------------------------------
# Documents: withdrawing (a wrong upload) and replacing, until the contract is submitted for registration.
# A withdrawn document is kept, marked (Attachment.withdrawn_at): it is no longer the contract's text.

REASON_MAX = 500


def current_documents(contract: Contract) -> QuerySet[Attachment]:
    """The contract's documents in force (not withdrawn), contract texts first. Payment evidence is not among them:
    it is shown with its payment (services.payments)."""
    documents = contract.attachments.current().exclude(kind=Attachment.Kind.PAYMENT_EVIDENCE)
    return documents.select_related("organisation").order_by(
        Case(When(kind=Attachment.Kind.CONTRACT_TEXT, then=0), default=1), "created_at", "id")


def contract_texts(contract: Contract) -> QuerySet[Attachment]:
    """The contract's texts in force: what an application for registration submits (and is compared on)."""
    return contract.attachments.current().filter(kind=Attachment.Kind.CONTRACT_TEXT)


def withdrawn_documents(contract: Contract) -> QuerySet[Attachment]:
    return contract.attachments.withdrawn().exclude(kind=Attachment.Kind.PAYMENT_EVIDENCE).select_related(
        "organisation", "withdrawn_by", "replaced_by").order_by("withdrawn_at", "id")


def documents_frozen_reason(contract: Contract) -> str:
    """Why the contract's documents cannot be withdrawn or replaced now ("" when they can)."""
    registration = active_registration(contract)
    if registration is None:
        return ""
    return (f"合同已申请认定登记（{registration.label}，{registration.get_status_display()}），"
            "合同文本与附件已冻结，不能移除或替换：登记机构依据申请时的合同文本审查。")


def check_can_change_documents(user, contract: Contract) -> None:
    """Who may edit the contract (check_can_edit) may withdraw or replace its documents, and only while it has no
    active registration. Raises MarketPermissionError (not a party) or MarketError (frozen)."""
    try:
        check_can_edit(user, contract)
    except MarketPermissionError:
        raise
    except MarketError:
        raise MarketError(documents_frozen_reason(contract) or "合同文本与附件已冻结，不能移除或替换。") from None


def clean_reason(reason: str) -> str:
    """A reason given for a step (removing a document, withdrawing a payment): one line, at most REASON_MAX."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise MarketError(f"原因不能超过 {REASON_MAX} 字。")
    check_text(reason, "原因", single_line=True)
    return reason


def _locked_document(user, contract: Contract, attachment: Attachment, what: str) -> tuple[Contract, Attachment]:
    """The contract and the document, locked in this order (as submit() locks the contract: a withdrawal and an
    application wait for each other), once the user may change the documents. A document already withdrawn
    raises AlreadyDone: a repeated or concurrent request changes nothing."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    check_can_change_documents(user, contract)
    locked = Attachment.objects.select_for_update().filter(pk=attachment.pk, contract=contract).first()
    if locked is None:
        raise MarketError("该文件不属于本合同。")
    if locked.withdrawn_at is not None:
        done = "已被替换" if locked.replaced_by_id else "已经移除"
        raise AlreadyDone(f"文件“{locked.name}”{done}，未重复{what}。", locked.replaced_by or locked)
    return contract, locked


def _document_data(attachment: Attachment) -> dict:
    return {"attachment": attachment.pk, "name": attachment.name, "kind": attachment.kind,
            "sha256": attachment.sha256}


def _mark_withdrawn(user, attachment: Attachment, replaced_by: Attachment | None = None) -> None:
    attachment.withdrawn_at, attachment.withdrawn_by, attachment.replaced_by = timezone.now(), user, replaced_by
    attachment.save(update_fields=["withdrawn_at", "withdrawn_by", "replaced_by"])


@transaction.atomic
def withdraw_document(user, contract: Contract, attachment: Attachment, reason: str = "") -> Attachment:
    """A party that may edit the contract removes a document (a wrong upload) before the contract is submitted for
    registration. The record and its file are kept, marked withdrawn; the audit log says who, when and which file.
    The contract counts as changed (a refused application's reconsideration no longer applies to it)."""
    contract, attachment = _locked_document(user, contract, attachment, "移除")
    reason = clean_reason(reason)
    _mark_withdrawn(user, attachment)
    contract.save(update_fields=["updated_at"])
    note = f"{attachment.get_kind_display()}：{attachment.name}" + (f"；原因：{reason}" if reason else "")
    log_deal(DealAction.DOCUMENT_WITHDRAWN, user, contract=contract, note=note,
             data={"document": _document_data(attachment)})
    return attachment


@transaction.atomic
def replace_document(user, contract: Contract, attachment: Attachment, uploaded, reason: str = "") -> Attachment:
    """Withdraw a document and store its replacement (of the same kind) in one step; returns the new document.
    The upload is checked first: a refused file changes nothing."""
    contract, attachment = _locked_document(user, contract, attachment, "替换")
    reason = clean_reason(reason)
    replacement = deals.store_attachment(user, uploaded, contract=contract, kind=attachment.kind, log=False)
    _mark_withdrawn(user, attachment, replaced_by=replacement)
    contract.save(update_fields=["updated_at"])
    note = (f"{attachment.get_kind_display()}：{attachment.name} → {replacement.name}"
            + (f"；原因：{reason}" if reason else ""))
    log_deal(DealAction.DOCUMENT_REPLACED, user, contract=contract, note=note,
             data={"document": _document_data(attachment), "replacement": _document_data(replacement)})
    return replacement


@transaction.atomic
def complete_milestone(user, milestone: Milestone, done_on: datetime.date | None = None) -> Milestone:
    milestone = Milestone.objects.select_for_update().select_related("contract").get(pk=milestone.pk)
    check_party(user, milestone.contract)
    if milestone.done_on:
        raise MarketError("该节点已完成。")
    done_on = done_on or timezone.localdate()
    check_date(done_on, "完成日期")
    if done_on > timezone.localdate():
        raise MarketError("完成日期不能晚于今天。")
    milestone.done_on, milestone.done_by = done_on, user
    milestone.save(update_fields=["done_on", "done_by"])
    log_deal(DealAction.MILESTONE_DONE, user, contract=milestone.contract,
             note=f"{milestone.get_kind_display()}：{milestone.description}（{done_on}）")
    return milestone
