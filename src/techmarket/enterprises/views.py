"""Pages of enterprise services: the 科技体检 questionnaire, the report (web and PDF) with the candidate demands
published in one step each, and the organisation's check-ups (docs/enterprises.md)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.common.downloads import content_disposition
from techmarket.common.errors import DomainError, NotAllowed
from techmarket.common.permissions import allowed, permission_required
from techmarket.directory.models import Organisation
from techmarket.enterprises.models import Checkup
from techmarket.enterprises.services import checkups as service
from techmarket.enterprises.services import points
from techmarket.enterprises.services.pdf import report_pdf
from techmarket.enterprises.services.questionnaire import field_choices, questionnaire


def _bottlenecks(post) -> list[tuple[str, str]]:
    return [(post.get(f"bottleneck_title_{i}", "")[:500], post.get(f"bottleneck_text_{i}", "")[:5000])
            for i in range(1, questionnaire().bottlenecks.max + 1)]


@permission_required("enterprises.run_checkup", service.NOT_MEMBER)
def start(request):
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        answers = {q.code: request.POST.get(q.code, "")[:5000] for q in questionnaire().questions()}
        try:
            checkup = service.complete(request.user, answers, _bottlenecks(request.POST))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已完成科技体检，以下是体检报告。")
            return redirect(checkup)
    return render(request, "enterprises/checkup_form.html",
                  _form_context(values, service.checkups_of(request.user)))


def _form_context(values, earlier) -> dict:
    rules = questionnaire()
    slots = [{"i": i, "title": values.get(f"bottleneck_title_{i}", ""), "text": values.get(f"bottleneck_text_{i}", "")}
             for i in range(1, rules.bottlenecks.max + 1)]
    sections = [{"title": section.title, "questions": [{"q": q, "value": values.get(q.code, "")}
                                                        for q in section.questions]} for section in rules.sections]
    return {"rules": rules, "sections": sections, "fields": field_choices(), "slots": slots, "earlier": earlier}


@login_required
def for_list(request):
    """The enterprises the user may run a check-up for (its 科技专员's, its prefecture's)."""
    return render(request, "enterprises/checkup_for.html", {"enterprises": service.enterprises_for(request.user)})


@login_required
def start_for(request, organisation_id: int):
    """A check-up run on the enterprise's behalf by its 科技专员 or its prefecture bureau."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not allowed(request.user, "enterprises.run_checkup_for", organisation):
        raise NotAllowed(service.NOT_FOR)
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        answers = {q.code: request.POST.get(q.code, "")[:5000] for q in questionnaire().questions()}
        try:
            checkup = service.complete_for(request.user, organisation, answers, _bottlenecks(request.POST))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已为{organisation.name}完成科技体检，企业会收到通知并可据此发布技术需求。")
            return redirect(checkup)
    return render(request, "enterprises/checkup_form.html", {**_form_context(values, []),
                                                             "for_organisation": organisation})


def _checkup_for(request, pk: int) -> Checkup:
    checkup = get_object_or_404(Checkup.objects.select_related("organisation"), pk=pk)
    if not allowed(request.user, "enterprises.view_checkup", checkup):
        raise Http404
    return checkup


@login_required
def detail(request, pk: int):
    checkup = _checkup_for(request, pk)
    return render(request, "enterprises/checkup.html", {
        "checkup": checkup, "report": service.report(checkup), "candidates": service.candidates(checkup),
        "can_publish": allowed(request.user, "enterprises.publish_from_checkup", checkup)})


@login_required
def download(request, pk: int):
    checkup = _checkup_for(request, pk)
    response = HttpResponse(report_pdf(service.report(checkup)), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"科技体检报告-{checkup.organisation.name}-{checkup.completed_at:%Y%m%d}.pdf", f"checkup-{checkup.pk}.pdf")
    return response


@require_POST
@permission_required("enterprises.run_checkup", service.NOT_MEMBER)
def publish(request, pk: int, index: int):
    checkup = _checkup_for(request, pk)
    try:
        listing = service.publish(request.user, checkup, index)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已发布技术需求“{listing.title}”（编号 {listing.number}），等待省科技厅审核。")
    return redirect(checkup)


@permission_required("enterprises.run_checkup", service.NOT_MEMBER)
def points_page(request):
    organisation = request.user.organisation
    if request.method == "POST":
        points.recompute(organisation)
        messages.success(request, "已按最新记录重新计算创新积分。")
        return redirect("enterprises:points")
    facts, sources = points.facts_of(organisation)
    total, lines = points.compute(facts)
    return render(request, "enterprises/points.html", {
        "organisation": organisation, "total": total, "lines": lines, "sources": sources,
        "source": points.weights().source, "history": points.history(organisation)})
