"""Deals on the platform: an inquiry about a published listing, the messages and documents the two sides
exchange, and the agreement one side proposes and the other accepts. Every step is logged (market.services.history).

The two sides of an inquiry are the interested organisation (`organisation`) and the listing's owner
(`counterpart`); verified members of either may act for it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from techmarket.catalogue.models import Listing
from techmarket.common.bounds import MAX_AMOUNT, MONEY_MESSAGE, validate_text
from techmarket.common.permissions import allowed
from techmarket.market.models import Agreement, Attachment, Contract, DealAction, Inquiry, Message
from techmarket.market.services.attachments import check_upload
from techmarket.market.services.errors import MarketError, MarketPermissionError
from techmarket.market.services.history import log_deal
from techmarket.market.services.rules import BUYER, SELLER, rules

INQUIRABLE_KINDS = (Listing.Kind.OFFER, Listing.Kind.DEMAND)
INQUIRABLE_STATUSES = (Listing.Status.PUBLISHED, Listing.Status.IN_TALKS)
OPEN_STATUSES = (Inquiry.Status.OPEN, Inquiry.Status.AGREED)
MESSAGE_MAX = 5000
NOT_VERIFIED = "只有已实名核验并关联单位的用户可以代表单位洽谈。"
NOT_A_PARTY = "只有洽谈双方单位的已核验成员可以查看和参与此洽谈。"


def is_member(user, organisation_id: int | None) -> bool:
    """A verified, active user of the organisation: who may act for it."""
    return bool(organisation_id and allowed(user, "accounts.act_for_organisation")
                and user.organisation_id == organisation_id)


def inquiry_side(user, inquiry: Inquiry) -> str:
    """'inquirer', 'owner' or '' for a user who is neither side's verified member."""
    if is_member(user, inquiry.organisation_id):
        return "inquirer"
    if is_member(user, inquiry.counterpart_id):
        return "owner"
    return ""


def check_party(user, inquiry: Inquiry) -> str:
    side = inquiry_side(user, inquiry)
    if not side:
        raise MarketPermissionError(NOT_A_PARTY)
    return side


def seller_and_buyer(inquiry: Inquiry):
    """The seller and buyer organisations of an inquiry: an offer's owner sells, a demand's owner buys."""
    if inquiry.listing.kind == Listing.Kind.DEMAND:
        return inquiry.organisation, inquiry.counterpart
    return inquiry.counterpart, inquiry.organisation


def side_of_organisation(inquiry: Inquiry, organisation_id: int) -> str:
    seller, buyer = seller_and_buyer(inquiry)
    return SELLER if organisation_id == seller.pk else BUYER if organisation_id == buyer.pk else ""


def why_not_inquire(user, listing: Listing) -> str:
    """Why `user` may not open an inquiry about `listing`, or '' when they may."""
    if listing.kind not in INQUIRABLE_KINDS:
        return "只有技术需求和成果供给可以发起技术交易洽谈。"
    if listing.status not in INQUIRABLE_STATUSES:
        return f"“{listing.get_status_display()}”状态的条目不能发起洽谈。"
    if listing.owner_id is None:
        return "该条目没有发布单位，无法发起洽谈。"
    if not (user and user.is_authenticated):
        return "请先登录。"
    if not user.can_submit_listings:
        return NOT_VERIFIED
    if user.organisation_id == listing.owner_id:
        return "不能与本单位发布的条目洽谈。"
    return ""


def open_inquiry_for(user, listing: Listing) -> Inquiry | None:
    """The user's organisation's open inquiry about the listing, if any."""
    if not (user and user.is_authenticated and user.organisation_id):
        return None
    return Inquiry.objects.filter(listing=listing, organisation_id=user.organisation_id,
                                  status__in=OPEN_STATUSES).first()


@transaction.atomic
def open_inquiry(user, listing: Listing, message: str) -> Inquiry:
    """Open an inquiry (or return the organisation's open one, adding the message to it)."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    reason = why_not_inquire(user, listing)
    if reason:
        raise MarketPermissionError(reason)
    message = message.strip()
    existing = open_inquiry_for(user, listing)
    if existing:
        if message:
            post_message(user, existing, message)
        return existing
    if not message:
        raise MarketError("请填写洽谈意向。")
    try:
        with transaction.atomic():
            inquiry = Inquiry.objects.create(
                listing=listing, organisation_id=user.organisation_id, counterpart_id=listing.owner_id,
                opened_by=user, subject=listing.title[:200],
            )
    except IntegrityError:  # a concurrent request opened it first (the constraint: one open inquiry)
        existing = open_inquiry_for(user, listing)
        if existing is None:
            raise
        post_message(user, existing, message)
        return existing
    log_deal(DealAction.INQUIRY_OPENED, user, inquiry=inquiry, note=f"条目 {listing.number}")
    post_message(user, inquiry, message)
    return inquiry


def check_text(value: str, what: str) -> None:
    """Control and bidi characters refused (the message names the field)."""
    try:
        validate_text(value)
    except ValidationError as exc:
        raise MarketError(f"{what}：{exc.messages[0]}") from None


def _check_open(inquiry: Inquiry, what: str) -> None:
    if inquiry.status not in OPEN_STATUSES:
        raise MarketError(f"洽谈{inquiry.get_status_display()}，不能再{what}。")


# The same message from the same person within this time is the same message sent twice (a double submission).
REPEAT_WINDOW = datetime.timedelta(minutes=10)


@transaction.atomic
def post_message(user, inquiry: Inquiry, body: str) -> Message:
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    check_party(user, inquiry)
    _check_open(inquiry, "发送消息")
    body = body.strip()
    if not body:
        raise MarketError("消息不能为空。")
    if len(body) > MESSAGE_MAX:
        raise MarketError(f"消息不能超过 {MESSAGE_MAX} 字。")
    check_text(body, "消息")
    last = inquiry.messages.order_by("-created_at", "-id").first()
    if (last is not None and last.author_id == user.pk and last.body == body
            and last.created_at >= timezone.now() - REPEAT_WINDOW):
        return last
    message = Message.objects.create(inquiry=inquiry, author=user, organisation_id=user.organisation_id, body=body)
    inquiry.save(update_fields=["updated_at"])
    return message


def store_attachment(user, uploaded, *, inquiry: Inquiry | None = None, contract: Contract | None = None,
                     kind: str = Attachment.Kind.DOCUMENT, log: bool = True) -> Attachment:
    """Check and store an upload for an inquiry or a contract (the caller checked the user may add to it). With
    `log=False` the caller writes the audit entry itself (a replacement: one entry for the old and the new)."""
    checked = check_upload(uploaded)
    attachment = Attachment(
        inquiry=inquiry, contract=contract, kind=kind, name=checked.name, content_type=checked.type.content_type,
        extension=checked.type.extension, size=checked.size, sha256=checked.sha256, uploaded_by=user,
        organisation_id=user.organisation_id,
    )
    attachment.file.save(checked.name, ContentFile(checked.data), save=False)
    attachment.save()
    if log:
        log_deal(DealAction.DOCUMENT_UPLOADED, user, inquiry=inquiry, contract=contract,
                 note=f"{attachment.get_kind_display()}：{attachment.name}")
    return attachment


def upload_to_inquiry(user, inquiry: Inquiry, uploaded) -> Attachment:
    check_party(user, inquiry)
    _check_open(inquiry, "上传资料")
    attachment = store_attachment(user, uploaded, inquiry=inquiry)
    inquiry.save(update_fields=["updated_at"])
    return attachment


@transaction.atomic
def propose_agreement(user, inquiry: Inquiry, contract_type: str, terms: str,
                      amount: Decimal | None = None) -> Agreement:
    """One side records the terms agreed in the talks; the other side confirms them. A new proposal replaces an
    unanswered one."""
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    check_party(user, inquiry)
    if inquiry.status != Inquiry.Status.OPEN:
        raise MarketError(f"洽谈{inquiry.get_status_display()}，不能再提出协议。")
    if rules().type(contract_type) is None:
        raise MarketError("请选择合同类型。")
    terms = terms.strip()
    if not terms:
        raise MarketError("请填写协议要点。")
    check_text(terms, "协议要点")
    if amount is not None and amount < 0:
        raise MarketError("金额不能为负数。")
    if amount is not None and not (amount.is_finite() and amount <= MAX_AMOUNT and amount.as_tuple().exponent >= -2):
        raise MarketError(f"拟定合同金额：{MONEY_MESSAGE}")
    inquiry.agreements.filter(status=Agreement.Status.PROPOSED).update(status=Agreement.Status.SUPERSEDED)
    agreement = Agreement.objects.create(
        inquiry=inquiry, contract_type=contract_type, terms=terms, amount=amount, proposed_by=user,
        proposed_by_organisation_id=user.organisation_id,
    )
    log_deal(DealAction.AGREEMENT_PROPOSED, user, inquiry=inquiry, note=terms[:500])
    inquiry.save(update_fields=["updated_at"])
    return agreement


def _answerable(user, agreement: Agreement) -> Inquiry:
    inquiry = Inquiry.objects.select_for_update().get(pk=agreement.inquiry_id)
    check_party(user, inquiry)
    if agreement.status != Agreement.Status.PROPOSED:
        raise MarketError(f"该协议{agreement.get_status_display()}，不能再答复。")
    if user.organisation_id == agreement.proposed_by_organisation_id:
        raise MarketPermissionError("协议须由对方单位确认。")
    return inquiry


@transaction.atomic
def accept_agreement(user, agreement: Agreement, answer: str = "") -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    inquiry = _answerable(user, agreement)
    agreement.status = Agreement.Status.ACCEPTED
    agreement.answered_by, agreement.answered_at, agreement.answer = user, timezone.now(), answer.strip()
    agreement.save()
    inquiry.status = Inquiry.Status.AGREED
    inquiry.save(update_fields=["status", "updated_at"])
    log_deal(DealAction.AGREEMENT_ACCEPTED, user, inquiry=inquiry, note=answer.strip())
    return agreement


@transaction.atomic
def decline_agreement(user, agreement: Agreement, answer: str) -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    inquiry = _answerable(user, agreement)
    if not answer.strip():
        raise MarketError("请说明不同意的原因或修改意见。")
    agreement.status = Agreement.Status.DECLINED
    agreement.answered_by, agreement.answered_at, agreement.answer = user, timezone.now(), answer.strip()
    agreement.save()
    log_deal(DealAction.AGREEMENT_DECLINED, user, inquiry=inquiry, note=answer.strip())
    inquiry.save(update_fields=["updated_at"])
    return agreement


@transaction.atomic
def close_inquiry(user, inquiry: Inquiry, reason: str) -> Inquiry:
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    check_party(user, inquiry)
    if inquiry.status not in OPEN_STATUSES:
        raise MarketError(f"洽谈{inquiry.get_status_display()}，不能关闭。")
    if not reason.strip():
        raise MarketError("请填写关闭原因。")
    inquiry.status = Inquiry.Status.CLOSED
    inquiry.save(update_fields=["status", "updated_at"])
    log_deal(DealAction.INQUIRY_CLOSED, user, inquiry=inquiry, note=reason.strip())
    return inquiry


def accepted_agreement(inquiry: Inquiry) -> Agreement | None:
    return inquiry.agreements.filter(status=Agreement.Status.ACCEPTED).first()


def pending_agreement(inquiry: Inquiry) -> Agreement | None:
    return inquiry.agreements.filter(status=Agreement.Status.PROPOSED).first()


def organisation_inquiries(user) -> QuerySet[Inquiry]:
    """The inquiries the user's organisation takes part in (none for a user who may not act for one)."""
    if not (user and user.is_authenticated and user.can_submit_listings):
        return Inquiry.objects.none()
    org = user.organisation_id
    return (Inquiry.objects.filter(Q(organisation_id=org) | Q(counterpart_id=org))
            .select_related("listing", "organisation", "counterpart"))
