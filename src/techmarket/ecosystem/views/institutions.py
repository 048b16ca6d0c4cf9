"""Transfer institutions: the filing form, my filings, the reviewer's queue, the public register and an
institution's page with the steps the user may take."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.common.audit import history_for
from techmarket.common.downloads import content_disposition
from techmarket.common.errors import DomainError
from techmarket.common.permissions import allowed, permission_required
from techmarket.directory.models import Region
from techmarket.ecosystem.forms import CaseForm, ChangeForm, InstitutionForm, ReasonForm, SanctionForm
from techmarket.ecosystem.models import Institution, InstitutionCase, InstitutionChange, Target
from techmarket.ecosystem.services import complaints as complaint_service
from techmarket.ecosystem.services import conditions
from techmarket.ecosystem.services import institutions as service
from techmarket.ecosystem.views.complaints import decide_sanction

NOT_MEMBER = service.NOT_MEMBER
NOT_REVIEWER = service.NOT_REVIEWER


def _institution_for(request, pk: int) -> Institution:
    institution = get_object_or_404(Institution.objects.select_related("organisation", "organisation__region"), pk=pk)
    if not allowed(request.user, "ecosystem.view_institution", institution):
        raise Http404
    return institution


def _filing_input(data) -> service.FilingInput:
    return service.FilingInput(
        name=data["name"], kind=data["kind"], founded_on=data["founded_on"], services=data["services"],
        business_years=data["business_years"], full_time_staff=data["full_time_staff"],
        managers_total=data["managers_total"], managers_college=data["managers_college"], st_staff=data["st_staff"],
        contact_phone=data.get("contact_phone", ""), cases=data["cases"])


@permission_required("ecosystem.file_institution", NOT_MEMBER)
def file_institution(request):
    form = InstitutionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            institution = service.file_institution(request.user, _filing_input(form.cleaned_data))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已提交备案，等待省科技厅审核。" + (
                f"本次备案逾期 {institution.days_late} 日（第二十二条）。" if institution.days_late else ""))
            return redirect(institution)
    return render(request, "ecosystem/institution_form.html", {"form": form, "institution": None})


@login_required
def resubmit(request, pk: int):
    institution = _institution_for(request, pk)
    if not allowed(request.user, "ecosystem.edit_institution", institution):
        raise Http404
    initial = {name: getattr(institution, name) for name in (
        "name", "kind", "founded_on", "services", "business_years", "full_time_staff", "managers_total",
        "managers_college", "st_staff", "contact_phone")}
    form = InstitutionForm(request.POST or None, request.FILES or None, initial=initial, require_case=False)
    if request.method == "POST" and form.is_valid():
        try:
            service.resubmit(request.user, institution, _filing_input(form.cleaned_data))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已重新提交备案。")
            return redirect(institution)
    return render(request, "ecosystem/institution_form.html", {"form": form, "institution": institution})


@permission_required("ecosystem.file_institution", NOT_MEMBER)
def my_filings(request):
    return render(request, "ecosystem/my_filings.html", {"institutions": service.my_filings(request.user)})


@permission_required("ecosystem.review", NOT_REVIEWER)
def review_queue(request):
    return render(request, "ecosystem/review_queue.html", {
        "institutions": service.review_queue(),
        "complaints": complaint_service.open_complaints(),
    })


def register(request):
    filters = service.RegisterFilters(region=request.GET.get("region", "")[:40],
                                      status=request.GET.get("status", "")[:20], q=request.GET.get("q", "")[:100])
    rows = [(i, service.standing_label(i)) for i in service.register(filters)[:500]]
    return render(request, "ecosystem/register.html", {
        "rows": rows, "filters": filters, "regions": Region.objects.filter(kind__in=["province", "prefecture"]),
        "statuses": [(s.value, s.label) for s in (Institution.Status.FILED, Institution.Status.CLOSED,
                                                   Institution.Status.REVOKED)],
    })


def detail(request, pk: int):
    institution = _institution_for(request, pk)
    user = request.user
    member = allowed(user, "ecosystem.edit_institution", institution)
    reviewer = allowed(user, "ecosystem.review")
    window = conditions.window("filing", institution.founded_on, institution.filed_on)
    return render(request, "ecosystem/institution.html", {
        "institution": institution,
        "standing": service.standing_label(institution),
        "window": window,
        "member": member,
        "reviewer": reviewer,
        "cases": institution.cases.all(),
        "changes": institution.changes.all() if (member or reviewer) else
        institution.changes.filter(status=InstitutionChange.Status.ACCEPTED),
        "sanctions": institution.sanctions.all(),
        "contracts": service.record(institution) if institution.is_public or member or reviewer else [],
        "years": service.annual_figures(institution) if institution.is_public or member or reviewer else [],
        "brokers": institution.brokers.all(),
        "history": history_for(institution) if (member or reviewer) else [],
        "case_form": CaseForm() if member else None,
        "change_form": ChangeForm() if member and institution.status == Institution.Status.FILED else None,
        "reason_form": ReasonForm() if reviewer else None,
        "sanction_form": SanctionForm(target=Target.INSTITUTION) if reviewer and institution.is_public else None,
        "can_complain": allowed(user, "ecosystem.complain") and institution.is_public,
        "complain_target": Target.INSTITUTION,
    })


def _act(request, pk, action, success: str):
    institution = _institution_for(request, pk)
    try:
        action(institution)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(institution)


@require_POST
@permission_required("ecosystem.review", NOT_REVIEWER)
def approve(request, pk: int):
    return _act(request, pk, lambda i: service.approve(request.user, i), "已准予备案，机构已列入名录。")


@require_POST
@permission_required("ecosystem.review", NOT_REVIEWER)
def return_filing(request, pk: int):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(request, pk, lambda i: service.return_filing(request.user, i, reason), "已退回备案。")


@require_POST
@login_required
def add_case(request, pk: int):
    form = CaseForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请填写案例名称并选择证明材料。")
        return redirect("ecosystem:institution", pk)
    return _act(request, pk, lambda i: service.add_case(request.user, i, form.cleaned_data["title"],
                                                        form.cleaned_data["file"]), "已上传成功案例。")


@login_required
def file_change(request, pk: int):
    institution = _institution_for(request, pk)
    form = ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            change = service.file_change(request.user, institution, d["kind"], d["changed_on"], d["description"],
                                         d["new_name"], d["new_services"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已提交{change.get_kind_display()}。" + (
                f"逾期 {change.days_late} 日（第二十四条）。" if change.days_late else ""))
            return redirect(institution)
    elif request.method == "POST":
        messages.error(request, "请检查填写的内容。")
    return redirect(institution)


@require_POST
@permission_required("ecosystem.review", NOT_REVIEWER)
def decide_change(request, pk: int, change_pk: int):
    change = get_object_or_404(InstitutionChange, pk=change_pk, institution_id=pk)
    accept = request.POST.get("decision") == "accept"
    reason = request.POST.get("reason", "")[:2000]
    return _act(request, pk, lambda i: service.decide_change(request.user, change, accept, reason),
                "已办理变更（歇业）备案。" if accept else "已退回变更（歇业）备案。")


@require_POST
@permission_required("ecosystem.review", NOT_REVIEWER)
def sanction(request, pk: int):
    institution = _institution_for(request, pk)
    return decide_sanction(request, Target.INSTITUTION, institution, institution)


def case_file(request, pk: int, case_pk: int):
    institution = _institution_for(request, pk)
    if not (allowed(request.user, "ecosystem.edit_institution", institution)
            or allowed(request.user, "ecosystem.review")):
        raise Http404
    case = get_object_or_404(InstitutionCase, pk=case_pk, institution=institution)
    response = FileResponse(case.file.open("rb"), content_type=case.content_type)
    response["Content-Disposition"] = content_disposition(case.file_name, f"case-{case.pk}{case.extension}")
    return response
