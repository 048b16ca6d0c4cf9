"""Registration: the registry staff's queue by deadline, a registration's page with the steps the user may take,
and the certificate PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.common import audit
from techmarket.common.downloads import content_disposition
from techmarket.common.errors import NotAllowed
from techmarket.market.forms import (
    CancelForm,
    ChangeForm,
    NoteForm,
    ReasonForm,
    ReconsiderationDecisionForm,
    RegisterForm,
)
from techmarket.market.models import Attachment, Location, Registration, RegistrationAction
from techmarket.market.services import contracts as contract_service
from techmarket.market.services import registration as service
from techmarket.market.services.certificates import certificate_filename, certificate_pdf
from techmarket.market.services.errors import MarketError, MarketPermissionError
from techmarket.market.services.registries import can_oversee, staff_registry
from techmarket.market.services.review_flags import flags_for
from techmarket.market.services.rules import rules

A = RegistrationAction
NOT_STAFF = "只有技术合同登记机构的登记人员和管理员可以查看登记工作台。"
LOCATIONS = dict(Location.choices)

# URL slug → (action, form class, button label)
ACTIONS = {
    "accept": (A.ACCEPT, NoteForm, "受理"),
    "register": (A.REGISTER, RegisterForm, "准予登记"),
    "refuse": (A.REFUSE, ReasonForm, "未予登记"),
    "reconsider": (A.REQUEST_RECONSIDERATION, ReasonForm, "申请复议"),
    "decide": (A.OVERTURN, ReconsiderationDecisionForm, "作出复议决定"),
    "change": (A.CHANGE, ChangeForm, "办理变更登记"),
    "cancel": (A.CANCEL, CancelForm, "办理注销登记"),
    "withdraw": (A.WITHDRAW, ReasonForm, "撤回申请"),
}

REASON_LABELS = {"refuse": "未予登记的理由", "reconsider": "申请复议的理由", "withdraw": "撤回原因"}


def _registration_for(request, pk: int) -> Registration:
    registration = get_object_or_404(
        Registration.objects.select_related("registry", "contract", "organisation", "decided_by"), pk=pk)
    if not service.can_view(request.user, registration):
        raise Http404
    return registration


@login_required
def queue(request):
    user = request.user
    registry = staff_registry(user)
    oversee = can_oversee(user)
    if registry is None and not oversee:
        raise NotAllowed(NOT_STAFF)
    show_all = request.GET.get("all") == "1"
    today = service.today()
    rows = [{"registration": r, "overdue": service.is_overdue(r, today), "days_left": service.days_left(r, today),
             "type_name": rules().type_name(r.contract.contract_type)}
            for r in service.staff_queue(user, include_decided=show_all)[:500]]
    return render(request, "market/registry_queue.html", {
        "registry": registry,
        "oversee": oversee,
        "rows": rows,
        "show_all": show_all,
        "overdue_count": sum(1 for row in rows if row["overdue"]),
        "overdue_all": service.overdue(today) if oversee else None,
        "decided_late": service.decided_late()[:100] if oversee else None,
    })


def _action_forms(user, registration: Registration) -> list[dict]:
    available = set(service.available_actions(user, registration))
    forms = []
    for slug, (action, form_class, label) in ACTIONS.items():
        if action in available or (slug == "decide" and A.UPHOLD in available):
            form = form_class(prefix=slug)
            if slug in REASON_LABELS:
                form.fields["reason"].label = REASON_LABELS[slug]
            if slug == "register":
                form.initial["technology_amount"] = registration.contract.technology_amount
            forms.append({"slug": slug, "label": label, "form": form, "danger": slug in ("refuse", "cancel",
                                                                                          "withdraw")})
    return forms


def _documents(registration: Registration) -> tuple[list[dict], list]:
    """The contract's documents in force, each marked when it is a text the application was made with; and the
    texts the application was made with that the contract has since withdrawn (after a refusal or withdrawal)."""
    contract = registration.contract
    submitted = set(registration.document_sha256 or ())
    current = list(contract_service.current_documents(contract))
    texts = {d.sha256 for d in current if d.kind == Attachment.Kind.CONTRACT_TEXT}
    rows = [{"document": d, "submitted": d.kind == Attachment.Kind.CONTRACT_TEXT and d.sha256 in submitted}
            for d in current]
    missing = submitted - texts
    since_withdrawn = {}
    for document in contract_service.withdrawn_documents(contract).filter(sha256__in=missing):
        since_withdrawn.setdefault(document.sha256, document)
    return rows, list(since_withdrawn.values())


@login_required
def detail(request, pk: int):
    registration = _registration_for(request, pk)
    user = request.user
    is_examiner = staff_registry(user) is not None or can_oversee(user)
    contract = registration.contract
    r = rules()
    duplicates = service.find_duplicates(contract, exclude=registration) if is_examiner else []
    documents, withdrawn_submitted = _documents(registration)
    return render(request, "market/registration.html", {
        "registration": registration,
        "contract": contract,
        "type_name": r.type_name(contract.contract_type),
        "snapshot_parties": [{**p, "location_label": LOCATIONS.get(p.get("location"), "")}
                             for p in registration.snapshot.get("parties", [])],
        "events": audit.history_for(registration),
        "actions": _action_forms(user, registration),
        "overdue": service.is_overdue(registration),
        "days_left": service.days_left(registration),
        "overdue_days": -(service.days_left(registration) or 0),
        "is_examiner": is_examiner,
        "flags": flags_for(contract) if is_examiner else [],
        "duplicates": duplicates,
        "documents": documents,
        "withdrawn_submitted": withdrawn_submitted,
        "has_certificate": service.has_certificate(registration),
        "decision_source": r.procedure["decision-period"],
        "change_source": r.procedure["change-and-cancellation"],
    })


@require_POST
@login_required
def act(request, pk: int, action: str):
    registration = _registration_for(request, pk)
    if action not in ACTIONS:
        raise Http404
    _, form_class, label = ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if not form.is_valid():
        errors = "；".join(f"{form.fields[k].label}：{e}" if k in form.fields else e
                          for k, es in form.errors.items() for e in es)
        messages.error(request, errors or "请检查填写的内容。")
        return redirect(registration)
    data = form.cleaned_data
    user = request.user
    reason = data.get("reason") or ""
    try:
        if action == "accept":
            service.accept(user, registration, reason)
        elif action == "register":
            service.register(user, registration, data.get("technology_amount"), reason)
        elif action == "refuse":
            service.refuse(user, registration, reason)
        elif action == "reconsider":
            service.request_reconsideration(user, registration, reason)
        elif action == "decide":
            service.decide_reconsideration(user, registration, data["decision"] == "overturn", reason,
                                           data.get("technology_amount"))
        elif action == "change":
            service.register_change(user, registration, reason, data.get("total_amount"),
                                    data.get("technology_amount"), data.get("title") or "")
        elif action == "cancel":
            service.cancel(user, registration, data["kind"], reason)
        elif action == "withdraw":
            service.withdraw(user, registration, reason)
    except MarketPermissionError as error:
        raise NotAllowed(str(error)) from None
    except MarketError as error:
        messages.error(request, str(error))
    else:
        registration.refresh_from_db()
        messages.success(request, f"{label}：{registration.get_status_display()}"
                         + (f"，登记号 {registration.number}" if registration.number else "") + "。")
    return redirect(registration)


@login_required
def certificate(request, pk: int):
    registration = _registration_for(request, pk)
    try:
        pdf = certificate_pdf(registration)
    except MarketError as error:
        messages.error(request, str(error))
        return redirect(registration)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"技术合同认定登记证明-{registration.number}.pdf",
                                                          certificate_filename(registration), inline=True)
    return response
