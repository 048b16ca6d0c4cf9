"""Inquiries: opening one from a listing, messages, documents, the agreement; the "my deals" page; downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.catalogue.services.listings import visible_listings
from techmarket.common.errors import NotAllowed
from techmarket.market.forms import AgreementForm, AnswerForm, InquiryForm, MessageForm, ReasonForm, UploadForm
from techmarket.market.models import Agreement, Attachment, Inquiry
from techmarket.market.services import contracts as contract_service
from techmarket.market.services import deals as service
from techmarket.market.services import registration as registration_service
from techmarket.market.services.errors import MarketError, MarketPermissionError
from techmarket.market.services.history import deal_history
from techmarket.market.services.registries import can_oversee, is_registry_staff
from techmarket.market.services.rules import rules


def _inquiry_for(request, pk: int) -> Inquiry:
    inquiry = get_object_or_404(Inquiry.objects.select_related("listing", "organisation", "counterpart"), pk=pk)
    if not service.inquiry_side(request.user, inquiry):
        raise Http404
    return inquiry


@login_required
def my_deals(request):
    user = request.user
    return render(request, "market/my_deals.html", {
        "inquiries": service.organisation_inquiries(user).order_by("-updated_at")[:200],
        "contracts": contract_service.visible_contracts(user).filter(parties__organisation_id=user.organisation_id)
        .prefetch_related("registrations__registry").order_by("-created_at")[:200]
        if user.can_submit_listings else [],
        "registrations": registration_service.party_registrations(user)[:200],
        "can_act": user.can_submit_listings,
        "is_staff": is_registry_staff(user) or can_oversee(user),
    })


@login_required
def open_inquiry(request, reference: str):
    listing = get_object_or_404(visible_listings(request.user).select_related("owner"), reference=reference)
    existing = service.open_inquiry_for(request.user, listing)
    if existing and request.method != "POST":
        return redirect(existing)
    reason = service.why_not_inquire(request.user, listing)
    if reason:
        raise NotAllowed(reason, title="暂不能发起洽谈")
    form = InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = service.open_inquiry(request.user, listing, form.cleaned_data["message"])
        except MarketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已向“{listing.owner.name}”发起洽谈。")
            return redirect(inquiry)
    return render(request, "market/inquiry_open.html", {"listing": listing, "form": form})


@login_required
def inquiry_detail(request, pk: int):
    inquiry = _inquiry_for(request, pk)
    side = service.inquiry_side(request.user, inquiry)
    pending = service.pending_agreement(inquiry)
    seller, buyer = service.seller_and_buyer(inquiry)
    return render(request, "market/inquiry.html", {
        "inquiry": inquiry,
        "side": side,
        "seller": seller,
        "buyer": buyer,
        "messages_list": inquiry.messages.select_related("author", "organisation"),
        "attachments": inquiry.attachments.select_related("organisation"),
        "agreements": [(a, rules().type_name(a.contract_type)) for a in inquiry.agreements.select_related(
            "proposed_by_organisation", "answered_by")],
        "pending": pending,
        "can_answer": pending is not None and pending.proposed_by_organisation_id != request.user.organisation_id,
        "accepted": service.accepted_agreement(inquiry),
        "is_open": inquiry.status in service.OPEN_STATUSES,
        "contracts": inquiry.contracts.all(),
        "events": deal_history(inquiry),
        "message_form": MessageForm(),
        "upload_form": UploadForm(),
        "agreement_form": AgreementForm(),
        "answer_form": AnswerForm(),
        "close_form": ReasonForm(),
    })


def _run(request, inquiry: Inquiry, action, success: str):
    try:
        action()
    except MarketPermissionError as error:
        raise NotAllowed(str(error)) from None
    except MarketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(inquiry)


@require_POST
@login_required
def post_message(request, pk: int):
    inquiry = _inquiry_for(request, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "消息不能为空，且不超过 5000 字。")
        return redirect(inquiry)
    return _run(request, inquiry, lambda: service.post_message(request.user, inquiry, form.cleaned_data["body"]),
                "消息已发送。")


@require_POST
@login_required
def upload(request, pk: int):
    inquiry = _inquiry_for(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(inquiry)
    return _run(request, inquiry, lambda: service.upload_to_inquiry(request.user, inquiry, form.cleaned_data["file"]),
                "资料已上传。")


@require_POST
@login_required
def propose_agreement(request, pk: int):
    inquiry = _inquiry_for(request, pk)
    form = AgreementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择合同类型并填写协议要点。")
        return redirect(inquiry)
    data = form.cleaned_data
    return _run(request, inquiry, lambda: service.propose_agreement(
        request.user, inquiry, data["contract_type"], data["terms"], data.get("amount")),
        "协议已提出，等待对方确认。")


@require_POST
@login_required
def answer_agreement(request, pk: int):
    agreement = get_object_or_404(Agreement.objects.select_related("inquiry"), pk=pk)
    inquiry = _inquiry_for(request, agreement.inquiry_id)
    answer = request.POST.get("answer", "")[:5000]
    if "accept" in request.POST:
        return _run(request, inquiry, lambda: service.accept_agreement(request.user, agreement, answer),
                    "已确认协议，可以录入合同。")
    return _run(request, inquiry, lambda: service.decline_agreement(request.user, agreement, answer),
                "已答复不同意，对方可提出新的协议。")


@require_POST
@login_required
def close_inquiry(request, pk: int):
    inquiry = _inquiry_for(request, pk)
    reason = request.POST.get("reason", "")[:5000]
    return _run(request, inquiry, lambda: service.close_inquiry(request.user, inquiry, reason), "洽谈已关闭。")


@login_required
def download(request, pk: int):
    """An attachment, for the inquiry's sides, the contract's parties and the registries examining it."""
    attachment = get_object_or_404(Attachment.objects.select_related("inquiry", "contract"), pk=pk)
    allowed = False
    if attachment.inquiry_id:
        allowed = bool(service.inquiry_side(request.user, attachment.inquiry))
    if attachment.contract_id and not allowed:
        allowed = contract_service.can_view(request.user, attachment.contract)
    if not allowed:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True,
                            filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response

