"""Contracts: creating one from an agreed inquiry (or directly), editing it until it is submitted, its documents
(uploading; removing or replacing one until the contract is submitted) and milestones, and the registering party's
application to a registry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from techmarket.common.errors import NotAllowed
from techmarket.directory.models import Organisation
from techmarket.market.forms import (
    ContractForm,
    MilestoneFormSet,
    PartyFormSet,
    PaymentForm,
    ReplaceDocumentForm,
    SubmitForm,
    UploadForm,
    WithdrawDocumentForm,
    WithdrawPaymentForm,
    contract_input,
)
from techmarket.market.models import Attachment, Contract, ContractPayment, Inquiry, Location, Milestone
from techmarket.market.policy_facts import SOURCE as CLAIM_SOURCE
from techmarket.market.services import contracts as service
from techmarket.market.services import deals, payments
from techmarket.market.services import registration as registration_service
from techmarket.market.services.contracts import EFFECTIVE_REGISTRATION
from techmarket.market.services.errors import AlreadyDone, MarketError, MarketPermissionError
from techmarket.market.services.history import contract_history
from techmarket.market.services.prefill import prefill_from_inquiry
from techmarket.market.services.registries import registries_for_party
from techmarket.market.services.rules import rules
from techmarket.market.services.sides import registering_party

LOCATIONS = dict(Location.choices)
CANNOT_RECORD = "只有已实名核验并关联单位的用户可以录入合同。"


def _contract_for(request, pk: int) -> Contract:
    contract = get_object_or_404(Contract.objects.select_related("inquiry", "field"), pk=pk)
    if not service.can_view(request.user, contract):
        raise Http404
    return contract


def _documents(user, contract: Contract, back: str = "") -> dict:
    """What the documents card shows (contract page and edit page): the documents in force, those withdrawn, and
    whether the user may upload, remove or replace (the contract's parties; removing and replacing only while the
    contract has no active registration)."""
    party = service.party_for(user, contract)
    frozen = service.documents_frozen_reason(contract)
    documents = list(service.current_documents(contract))
    return {
        "documents": documents,
        "has_contract_text": any(d.kind == Attachment.Kind.CONTRACT_TEXT for d in documents),
        "withdrawn_documents": list(service.withdrawn_documents(contract)),
        "documents_frozen": frozen,
        "can_upload": party is not None,
        "can_change_documents": party is not None and not frozen,
        "upload_form": UploadForm(),
        "attachment_kinds": [(v, label) for v, label in Attachment.Kind.choices
                             if v not in (Attachment.Kind.DOCUMENT, Attachment.Kind.PAYMENT_EVIDENCE)],
        "back": back,
    }


def _back_to(contract: Contract, back: str):
    """Back to the page the form was on: the edit page (while the contract can be edited) or the contract's page."""
    if back == "edit":
        return redirect("market:contract-edit", contract.pk)
    return redirect(contract)


def _organisation_names() -> list[str]:
    return list(Organisation.objects.order_by("name").values_list("name", flat=True)[:2000])


def _party_initial(parties: list[dict]) -> list[dict]:
    return [{"organisation": p["organisation"].name, "role": p.get("role", ""), "location": p.get("location", ""),
             "is_registering_party": p.get("is_registering_party", False)} for p in parties]


def _contract_form_page(request, *, inquiry=None, contract=None, initial=None, party_initial=None,
                        milestone_initial=None):
    post = request.POST if request.method == "POST" else None
    form = ContractForm(post, initial=initial)
    # Without a submission, the roles offered are those of the contract's type as it stands (edit, prefill).
    contract_type = None if post is not None else (initial or {}).get("contract_type") or None
    parties = PartyFormSet(post, prefix="parties", initial=party_initial, contract_type=contract_type)
    milestones = MilestoneFormSet(post, prefix="milestones", initial=milestone_initial)
    if post is not None and form.is_valid() and parties.is_valid() and milestones.is_valid():
        data = contract_input(form, parties, milestones)
        try:
            if contract is None:
                contract = service.create_contract(request.user, data, inquiry=inquiry)
                messages.success(request, "合同已录入。请上传合同文本，由登记方向登记机构申请认定登记。")
            else:
                contract = service.update_contract(request.user, contract, data)
                messages.success(request, "合同已修改。")
        except MarketPermissionError as error:
            raise NotAllowed(str(error)) from None
        except AlreadyDone as done:  # the same form submitted twice: show what the first submission recorded
            messages.info(request, str(done))
            return redirect(done.existing)
        except MarketError as error:
            form.add_error(None, str(error))
        else:
            return redirect(contract)
    return render(request, "market/contract_form.html", {
        "form": form, "parties": parties, "milestones": milestones, "inquiry": inquiry, "contract": contract,
        "organisation_names": _organisation_names(),
        "types": [(t, [(role.name, rules().sides[role.side]) for role in t.roles.values()])
                  for t in rules().types.values()],
        **(_documents(request.user, contract, back="edit") if contract is not None else {}),
    })


@login_required
def create_from_inquiry(request, pk: int):
    inquiry = get_object_or_404(Inquiry.objects.select_related("listing", "organisation", "counterpart"), pk=pk)
    if not deals.inquiry_side(request.user, inquiry):
        raise Http404
    existing = inquiry.contracts.first()
    if existing:
        return redirect(existing)
    if inquiry.status != Inquiry.Status.AGREED:
        messages.error(request, "双方确认协议后才能录入合同。")
        return redirect(inquiry)
    prefill = prefill_from_inquiry(inquiry)
    initial = {k: prefill[k] for k in ("title", "contract_type", "total_amount", "summary")}
    initial["field"] = inquiry.listing.field_id
    return _contract_form_page(request, inquiry=inquiry, initial=initial,
                               party_initial=_party_initial(prefill["parties"]))


@login_required
def create(request):
    if not request.user.can_submit_listings:
        raise NotAllowed(CANNOT_RECORD)
    own = request.user.organisation
    return _contract_form_page(request, party_initial=[{"organisation": own.name, "location": ""}, {}])


@login_required
def edit(request, pk: int):
    contract = _contract_for(request, pk)
    try:
        service.check_can_edit(request.user, contract)
    except MarketPermissionError as error:
        raise NotAllowed(str(error)) from None
    except MarketError as error:
        messages.error(request, str(error))
        return redirect(contract)
    data = service.to_input(contract)
    initial = {"title": data.title, "contract_type": data.contract_type, "signed_on": data.signed_on,
               "total_amount": data.total_amount, "technology_amount": data.technology_amount,
               "summary": data.summary, "field": data.field.pk if data.field else None}
    parties = [{"organisation": p.organisation.name, "role": p.role, "location": p.location,
                "is_registering_party": p.is_registering_party} for p in data.parties]
    milestones = [{"kind": m.kind, "description": m.description, "amount": m.amount, "due_on": m.due_on}
                  for m in data.milestones]
    return _contract_form_page(request, contract=contract, initial=initial, party_initial=parties,
                               milestone_initial=milestones)


def _payments(user, contract: Contract, form: PaymentForm | None = None) -> dict:
    """What the payments card shows: the current payments (each withdrawable by the organisation that recorded
    it), their total, the withdrawn ones, and the form for those who may record (the seller and buyer sides)."""
    can_record = payments.can_record(user, contract)
    return {
        "payments": [(payment, payments.can_withdraw(user, payment))
                     for payment in payments.current_payments(contract)],
        "paid_total": payments.paid_total(contract),
        "withdrawn_payments": list(payments.withdrawn_payments(contract)),
        "can_record_payment": can_record,
        "payment_form": (form or PaymentForm()) if can_record else None,
    }


def _detail_page(request, contract: Contract, payment_form: PaymentForm | None = None) -> HttpResponse:
    r = rules()
    user = request.user
    party = service.party_for(user, contract)
    active = service.active_registration(contract)
    registering = registering_party(contract)
    can_submit = bool(party and party.is_registering_party and active is None)
    parties = [{"party": p, "role": r.role_name(contract.contract_type, p.role),
                "side": r.sides.get(r.side_of(contract.contract_type, p.role), ""),
                "location": LOCATIONS.get(p.location, "")}
               for p in contract.parties.select_related("organisation")]
    return render(request, "market/contract.html", {
        "contract": contract,
        "type": r.type(contract.contract_type),
        "parties": parties,
        "registering": registering,
        "milestones": contract.milestones.select_related("done_by"),
        "registrations": contract.registrations.select_related("registry").order_by("-submitted_at"),
        "active": active,
        "is_party": party is not None,
        "can_edit": party is not None and active is None,
        "can_submit": can_submit,
        # 我能获得什么: a registered contract's parties see the rewards it earns them (the policy app's page).
        "claim_url": reverse("policy:claim", args=[CLAIM_SOURCE, contract.pk])
        if party is not None and active is not None and active.status in EFFECTIVE_REGISTRATION else "",
        "events": contract_history(contract),
        **_documents(user, contract),
        **_payments(user, contract, payment_form),
    })


@login_required
def detail(request, pk: int):
    return _detail_page(request, _contract_for(request, pk))


@require_POST
@login_required
def upload(request, pk: int):
    contract = _contract_for(request, pk)
    form = UploadForm(request.POST, request.FILES)
    kind = request.POST.get("kind", Attachment.Kind.CONTRACT_TEXT)
    if kind not in Attachment.Kind.values:
        kind = Attachment.Kind.OTHER
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(contract)
    try:
        service.add_attachment(request.user, contract, form.cleaned_data["file"], kind)
    except MarketPermissionError as error:
        raise NotAllowed(str(error)) from None
    except MarketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "附件已上传。")
    return _back_to(contract, request.POST.get("next", ""))


def _document_for(request, pk: int, document_pk: int) -> tuple[Contract, Attachment]:
    """The contract (404 to whoever may not see it) and one of its documents (404 if it is not the contract's);
    403 before anything else to whoever sees the contract but is no party (registry staff). The service checks
    again, with the contract locked, and also refuses once the contract is submitted."""
    contract = _contract_for(request, pk)
    document = get_object_or_404(Attachment, pk=document_pk, contract=contract)
    if not service.is_party(request.user, contract):
        raise NotAllowed(service.NOT_A_PARTY, title="不能更改合同文件")
    return contract, document


def _change_document(request, pk: int, document_pk: int, form_class, change) -> HttpResponse:
    """Remove or replace a contract document: `change(contract, document, cleaned_data)` does it and returns the
    success message; the form's errors, refusals and a repeated request end as messages on the contract page."""
    contract, document = _document_for(request, pk, document_pk)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(contract)
    try:
        done = change(contract, document, form.cleaned_data)
    except MarketPermissionError as error:
        raise NotAllowed(str(error), title="不能更改合同文件") from None
    except AlreadyDone as repeated:  # a repeated (or concurrent) request: the first one did it
        messages.info(request, str(repeated))
    except MarketError as error:
        messages.error(request, str(error))
        return redirect(contract)
    else:
        messages.success(request, done)
    return _back_to(contract, form.cleaned_data["next"])


@require_POST
@login_required
def remove_document(request, pk: int, document_pk: int):
    """Withdraw a document (a wrong upload): kept as a record, no longer the contract's text for registration."""
    def change(contract, document, data):
        service.withdraw_document(request.user, contract, document, data["reason"])
        return (f"已移除“{document.name}”（{document.get_kind_display()}）：申请认定登记时不再提交该文件。"
                "文件及移除记录（移除人、时间、文件名）保留在交易记录中。")
    return _change_document(request, pk, document_pk, WithdrawDocumentForm, change)


@require_POST
@login_required
def replace_document(request, pk: int, document_pk: int):
    """Replace a document by a new file of the same kind, in one step."""
    def change(contract, document, data):
        replacement = service.replace_document(request.user, contract, document, data["file"], data["reason"])
        return (f"已用“{replacement.name}”替换“{document.name}”（{document.get_kind_display()}）。"
                "原文件及替换记录保留在交易记录中。")
    return _change_document(request, pk, document_pk, ReplaceDocumentForm, change)


@require_POST
@login_required
def record_payment(request, pk: int):
    """Record a payment received, with its evidence. The form's errors and the service's refusals are shown on the
    contract page with what was entered (the file has to be chosen again); the same form twice records one."""
    contract = _contract_for(request, pk)
    if not payments.can_record(request.user, contract):
        raise NotAllowed(payments.NOT_ALLOWED, title="不能记录到位金额")
    form = PaymentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = payments.record_payment(request.user, contract, data["amount"], data["received_on"],
                                              data["file"], data["note"], intent_key=data["intent"] or None)
        except MarketPermissionError as error:
            raise NotAllowed(str(error), title="不能记录到位金额") from None
        except AlreadyDone as done:  # the same form submitted twice: the first submission recorded it
            messages.info(request, str(done))
            return redirect(f"{contract.get_absolute_url()}#payments")
        except MarketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已记录 {payment.received_on:%Y-%m-%d} 到账 {payment.amount:,.2f} 元。"
                                      f"到位金额合计 {payments.paid_total(contract):,.2f} 元。")
            return redirect(f"{contract.get_absolute_url()}#payments")
    return _detail_page(request, contract, payment_form=form)


@require_POST
@login_required
def withdraw_payment(request, pk: int, payment_pk: int):
    """Withdraw a wrong payment record (with a reason): kept and shown as withdrawn, no longer counted."""
    contract = _contract_for(request, pk)
    payment = get_object_or_404(ContractPayment, pk=payment_pk, contract=contract)
    form = WithdrawPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(f"{contract.get_absolute_url()}#payments")
    try:
        payments.withdraw_payment(request.user, payment, form.cleaned_data["reason"])
    except MarketPermissionError as error:
        raise NotAllowed(str(error), title="不能撤回到账记录") from None
    except AlreadyDone as repeated:
        messages.info(request, str(repeated))
    except MarketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已撤回 {payment.received_on:%Y-%m-%d} 到账 {payment.amount:,.2f} 元的记录，"
                                  "该笔不再计入到位金额；记录保留在交易记录中。")
    return redirect(f"{contract.get_absolute_url()}#payments")


@require_POST
@login_required
def milestone_done(request, pk: int):
    milestone = get_object_or_404(Milestone.objects.select_related("contract"), pk=pk)
    contract = _contract_for(request, milestone.contract_id)
    try:
        service.complete_milestone(request.user, milestone)
    except MarketPermissionError as error:
        raise NotAllowed(str(error)) from None
    except MarketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "已记录节点完成。")
    return redirect(contract)


@login_required
def submit_registration(request, pk: int):
    contract = _contract_for(request, pk)
    party = service.party_for(request.user, contract)
    if party is None:
        raise NotAllowed(service.NOT_A_PARTY)
    registries = registries_for_party(party)
    external = party.location != Location.QINGHAI
    form = SubmitForm(request.POST or None, registries=registries, external=external)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = registration_service.submit(request.user, contract, data["registry"],
                                                       data.get("external_registry", ""),
                                                       data.get("external_number", ""))
        except MarketPermissionError as error:
            raise NotAllowed(str(error), title="不能申请登记") from None
        except AlreadyDone as done:
            messages.info(request, str(done))
            return redirect(done.existing)
        except MarketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已向{registration.registry.name}提交登记申请，"
                                      f"登记机构应于 {registration.due_on:%Y-%m-%d} 前作出决定。")
            return redirect(registration)
    return render(request, "market/registration_submit.html", {
        "contract": contract, "form": form, "party": party, "external": external,
        "role_name": rules().role_name(contract.contract_type, party.role),
        "type": rules().type(contract.contract_type), "decision_days": rules().decision_days,
        "source": rules().procedure["registering-party"],
    })
