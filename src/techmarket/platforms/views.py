"""Pages of innovation platforms, teams and 科技专员: public directories and details, recording forms, the
reviewers' queue, and the 科技专员 pages (docs/platforms.md). Views read the form, call the service, catch its
error, add a message and redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.common.audit import history_for
from techmarket.common.downloads import content_disposition
from techmarket.common.errors import DomainError, NotFound
from techmarket.common.permissions import allowed, permission_required, require
from techmarket.directory.services.organisations import resolve_unit
from techmarket.platforms import forms
from techmarket.platforms.models import Assignment, Evaluation, Platform, Team
from techmarket.platforms.services import records, specialists
from techmarket.platforms.services.kinds import kinds

PAGE_SIZE = 30
MODELS = {"platform": Platform, "team": Team}


def _organisation(name: str):
    return resolve_unit(name).organisation if (name or "").strip() else None


def _filters(form) -> records.Filters:
    data = form.cleaned_data if form.is_valid() else {}
    return records.Filters(kind=data.get("kind", ""), level=data.get("level", ""), region=data.get("region", ""),
                           field=data.get("field", ""), q=(data.get("q") or "").strip())


def platform_list(request):
    form = forms.FilterForm(request.GET or None)
    page = Paginator(records.public_platforms(_filters(form)), PAGE_SIZE).get_page(request.GET.get("page"))
    table = kinds()
    rows = [{"platform": p, "kind": table.kind_name(p.kind), "level": table.level_name(p.level),
             "partners": records.partners(p)} for p in page]
    return render(request, "platforms/platforms.html", {
        "form": form, "page": page, "rows": rows, "can_record": allowed(request.user, "platforms.record"),
        "query": request.GET.urlencode() if request.GET else ""})


def team_list(request):
    form = forms.FilterForm(request.GET or None, teams=True)
    page = Paginator(records.public_teams(_filters(form)), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "platforms/teams.html", {
        "form": form, "page": page, "can_record": allowed(request.user, "platforms.record")})


def _visible(request, model, pk):
    record = get_object_or_404(model.objects.select_related("host__region", "field", "submitted_by"), pk=pk)
    require(request.user, "platforms.view_record", record, hide=True)
    return record


def _detail_context(request, record) -> dict:
    reviewer = records.is_reviewer(request.user)
    return {
        "record": record, "reviewer": reviewer, "decision_form": forms.DecisionForm() if reviewer else None,
        "can_see_document": bool(record.document) and allowed(request.user, "platforms.view_document", record),
        "history": list(history_for(record).select_related("actor")) if (
            reviewer or allowed(request.user, "platforms.view_document", record)) else [],
    }


def platform_detail(request, pk: int):
    platform = _visible(request, Platform, pk)
    return render(request, "platforms/platform.html", {
        **_detail_context(request, platform), "kind": kinds().kind_name(platform.kind),
        "level": kinds().level_name(platform.level),
        "partner_organisations": list(platform.partner_organisations.all()),
        "partner_regions": list(platform.partner_regions.all()), **_sanctions(request, platform)})


def _sanctions(request, platform: Platform) -> dict:
    """Sanctions are the ecosystem's (第二十七条, services/complaints.py): shown here, decided by the department."""
    from techmarket.ecosystem.forms import SanctionForm
    from techmarket.ecosystem.models import Target
    from techmarket.ecosystem.services.complaints import sanctions_for

    public = platform.is_approved
    return {"sanctions": list(sanctions_for(Target.PLATFORM, platform.pk)) if public else None,
            "sanction_form": SanctionForm(target=Target.PLATFORM) if public and allowed(
                request.user, "ecosystem.review") else None,
            "can_complain": public and allowed(request.user, "ecosystem.complain"),
            "complain_target": Target.PLATFORM}


def team_detail(request, pk: int):
    team = _visible(request, Team, pk)
    return render(request, "platforms/team.html", _detail_context(request, team))


def _document(request, model, pk):
    record = get_object_or_404(model, pk=pk)
    require(request.user, "platforms.view_record", record, hide=True)
    if not record.document:
        raise Http404("没有证明文件。")
    require(request.user, "platforms.view_document", record, message="证明文件仅对已核验的用户开放。")
    response = FileResponse(record.document.open("rb"), content_type=record.document_type)
    response["Content-Disposition"] = content_disposition(record.document_name,
                                                          f"document-{pk}{record.document_extension}")
    return response


@login_required
def platform_document(request, pk: int):
    return _document(request, Platform, pk)


@login_required
def team_document(request, pk: int):
    return _document(request, Team, pk)


NOT_MEMBER = "登记创新平台或团队需要先完成单位核验。"


@permission_required("platforms.record", NOT_MEMBER)
def platform_new(request):
    reviewer = records.is_reviewer(request.user)
    form = forms.PlatformForm(request.POST or None, request.FILES or None, reviewer=reviewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                platform = records.submit_platform(request.user, records.PlatformInput(
                    name=data["name"], kind=data["kind"], level=data["level"], recognised_on=data["recognised_on"],
                    host=_organisation(data.get("host_name", "")),
                    partner_organisations=[_organisation(name) for name in form.partner_lines()],
                    partner_regions=list(data["partner_regions"]), field=data["field"],
                    recognition_number=data["recognition_number"], construction_years=data["construction_years"],
                    state=data["state"], description=data["description"]), data.get("document"))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已登记。" if platform.is_approved else "已提交，等待省科技厅审核。")
            return redirect(platform.get_absolute_url())
    return render(request, "platforms/form.html", {"form": form, "title": "登记创新平台"})


@permission_required("platforms.record", NOT_MEMBER)
def team_new(request):
    reviewer = records.is_reviewer(request.user)
    form = forms.TeamForm(request.POST or None, request.FILES or None, reviewer=reviewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                team = records.submit_team(request.user, records.TeamInput(
                    name=data["name"], leader_name=data["leader_name"], leader_title=data["leader_title"],
                    members=[records.Member(name, title) for name, title in form.member_rows()],
                    origin=_organisation(data["origin_name"]), host=_organisation(data.get("host_name", "")),
                    introduced_on=data["introduced_on"], field=data["field"], qianren_team=data["qianren_team"],
                    description=data["description"]), data.get("document"))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已登记。" if team.is_approved else "已提交，等待省科技厅审核。")
            return redirect(team.get_absolute_url())
    return render(request, "platforms/form.html", {"form": form, "title": "登记引进创新团队"})


@login_required
def mine(request):
    platforms, teams = records.own(request.user)
    return render(request, "platforms/mine.html", {"platforms": platforms, "teams": teams,
                                                    "can_record": allowed(request.user, "platforms.record")})


@permission_required("platforms.review", records.NOT_REVIEWER)
def queue(request):
    platforms, teams = records.queue()
    return render(request, "platforms/queue.html", {"platforms": platforms, "teams": teams})


@require_POST
@permission_required("platforms.review", records.NOT_REVIEWER)
def decide(request, what: str, pk: int):
    model = MODELS.get(what)
    if model is None:
        raise NotFound()
    record = get_object_or_404(model, pk=pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结论。")
        return redirect(record.get_absolute_url())
    try:
        if form.cleaned_data["decision"] == "approve":
            records.approve(request.user, record, form.cleaned_data["reason"])
            messages.success(request, "已审核通过。")
        else:
            records.reject(request.user, record, form.cleaned_data["reason"])
            messages.success(request, "已退回，登记人将收到原因。")
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(record.get_absolute_url())
    return redirect("platforms:queue")


# --- 科技专员 --------------------------------------------------------------------------------------------------

@login_required
def assignments(request):
    return render(request, "platforms/assignments.html", {
        "assignments": specialists.visible(request.user).order_by("-starts_on", "-id"),
        "can_assign": allowed(request.user, "platforms.assign_specialist")})


@permission_required("platforms.assign_specialist", specialists.NOT_MEMBER)
def assignment_new(request):
    reviewer = records.is_reviewer(request.user)
    form = forms.AssignmentForm(request.POST or None, reviewer=reviewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                assignment = specialists.assign(request.user, specialists.AssignmentInput(
                    enterprise=_organisation(data["enterprise_name"]), person_name=data["person_name"],
                    person_title=data["person_title"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                    tasks=data["tasks"], institution=_organisation(data.get("institution_name", ""))))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已选派科技专员。")
            return redirect(assignment.get_absolute_url())
    return render(request, "platforms/form.html", {"form": form, "title": "选派科技专员"})


ACTIONS = {
    "log": (forms.ServiceEntryForm, lambda user, a, d: specialists.log_service(user, a, d["served_on"], d["text"]),
            "已记录服务情况。"),
    "evaluate": (forms.EvaluationForm, lambda user, a, d: specialists.evaluate(user, a, d["score"], d["text"]),
                 "已提交评价。"),
    "pay": (forms.PayForm, lambda user, a, d: specialists.record_pay(user, a, d["amount"], d["note"]),
            "已记录绩效报酬。"),
}


@login_required
def assignment_detail(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("institution", "enterprise"), pk=pk)
    require(request.user, "platforms.view_assignment", assignment, hide=True)
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise NotFound()
        form_class, act, done = ACTIONS[action]
        form = form_class(request.POST)
        if form.is_valid():
            try:
                act(request.user, assignment, form.cleaned_data)
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, done)
                return redirect(assignment.get_absolute_url())
        bound[action] = form
    user = request.user
    evaluation = Evaluation.objects.filter(assignment=assignment).first()
    return render(request, "platforms/assignment.html", {
        "assignment": assignment, "entries": assignment.entries.all(), "evaluation": evaluation,
        "log_form": (bound.get("log") or forms.ServiceEntryForm())
        if allowed(user, "platforms.log_service", assignment) else None,
        "evaluation_form": (bound.get("evaluate") or forms.EvaluationForm())
        if evaluation is None and allowed(user, "platforms.evaluate_specialist", assignment) else None,
        "pay_form": (bound.get("pay") or forms.PayForm())
        if allowed(user, "platforms.record_pay", assignment) else None,
        "history": list(history_for(assignment).select_related("actor")),
    })

