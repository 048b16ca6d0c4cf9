"""Complaints (第二十七条): the form anyone logged in may use, a complaint's page and the reviewers' decision."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.common.errors import DomainError
from techmarket.common.permissions import allowed, permission_required
from techmarket.ecosystem.forms import ComplaintForm, DecideComplaintForm, SanctionForm
from techmarket.ecosystem.models import Broker, Complaint, Institution, Target
from techmarket.ecosystem.services import complaints as service
from techmarket.ecosystem.services.institutions import NOT_REVIEWER
from techmarket.market.models import Registry


@permission_required("ecosystem.complain", service.NOT_LOGGED_IN)
def complain(request):
    target = request.GET.get("target") or request.POST.get("target") or ""
    key = (request.GET.get("key") or request.POST.get("key") or "")[:60]
    if target not in Target.values:
        raise Http404
    label, _ = service.resolve_target(request.user, target, key)
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = service.complain(request.user, target, key, form.cleaned_data["behaviour"],
                                         form.cleaned_data["description"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已收到您的投诉举报，省科技厅将调查处理并告知结论。")
            return redirect(complaint)
    return render(request, "ecosystem/complain.html", {"form": form, "target": target, "key": key, "label": label})


def _complaint_for(request, pk: int) -> Complaint:
    complaint = get_object_or_404(Complaint.objects.select_related("reporter"), pk=pk)
    if not allowed(request.user, "ecosystem.view_complaint", complaint):
        raise Http404
    return complaint


@permission_required("ecosystem.complain", service.NOT_LOGGED_IN)
def detail(request, pk: int):
    complaint = _complaint_for(request, pk)
    reviewer = allowed(request.user, "ecosystem.review")
    return render(request, "ecosystem/complaint.html", {
        "complaint": complaint, "behaviour": service.behaviour_label(complaint.behaviour), "reviewer": reviewer,
        "form": (DecideComplaintForm(target=complaint.target)
                 if reviewer and complaint.status == Complaint.Status.OPEN else None),
        "sanctions": complaint.sanctions.all(),
    })


def _subject(complaint: Complaint):
    if complaint.target == Target.INSTITUTION:
        return Institution.objects.get(pk=int(complaint.target_key))
    if complaint.target == Target.BROKER:
        return Broker.objects.get(pk=int(complaint.target_key))
    if complaint.target == Target.REGISTRY:
        return Registry.objects.get(code=complaint.target_key)
    return None


@require_POST
@permission_required("ecosystem.review", NOT_REVIEWER)
def decide(request, pk: int):
    complaint = _complaint_for(request, pk)
    form = DecideComplaintForm(request.POST, target=complaint.target)
    if not form.is_valid():
        messages.error(request, "请检查调查结论：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(complaint)
    d = form.cleaned_data
    try:
        if d["decision"] == "dismiss":
            service.dismiss(request.user, complaint, d["reason"])
        else:
            service.sanction(request.user, complaint.target, _subject(complaint), d["kind"], d["starts_on"],
                             d["ends_on"], d["reason"], article=d["article"], complaint=complaint,
                             target_key=complaint.target_key, target_label=complaint.target_label)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录调查结论。")
    return redirect(complaint)


def decide_sanction(request, target: str, subject, back):
    """The sanction form posted from a register's page (institution, broker, registry, platform): the decision
    through the service, a message, back to `back` (an object or a URL)."""
    form = SanctionForm(request.POST, target=target)
    if not form.is_valid():
        messages.error(request, "请检查处理决定的内容：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    d = form.cleaned_data
    try:
        service.sanction(request.user, target, subject, d["kind"], d["starts_on"], d["ends_on"], d["reason"],
                         article=d["article"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已作出处理决定。")
    return redirect(back)


@require_POST
@permission_required("ecosystem.review", NOT_REVIEWER)
def platform_sanction(request, pk: int):
    """A sanction on an approved innovation platform, decided from its page (platforms app)."""
    _, platform = service.resolve_target(request.user, Target.PLATFORM, str(pk))
    return decide_sanction(request, Target.PLATFORM, platform, platform)
