"""Pages of task tracking (定期调度, docs/plantasks.md): the quarter's overview, a task with its units and reports,
assigning the users who report for a unit, the unit's report form, evidence downloads and the dispatch report.
Views read the form, call the service, catch its error, add a message and redirect."""

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from techmarket.common.audit import history_for
from techmarket.common.downloads import content_disposition
from techmarket.common.errors import DomainError
from techmarket.common.forms import style_widget
from techmarket.common.permissions import allowed, permission_required, require
from techmarket.indicators.services.periods import Period, parse, quarter_of
from techmarket.plantasks.forms import AssignForm, ReportForm
from techmarket.plantasks.models import ProgressReport, TaskUnit
from techmarket.plantasks.services import definitions, dispatch, progress

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VIEW_MESSAGE = "任务调度页面仅对省科技厅审核员和任务责任单位的填报人开放。"
MANAGE_MESSAGE = "只有省科技厅审核员可以进行此操作。"


def _period(request) -> Period:
    """The quarter asked for (?period=2026Q3), else today's, within the plan's reporting cycle."""
    cycle = definitions.periods()
    if request.GET.get("period"):
        period = parse(request.GET["period"])
        if not definitions.in_cycle(period):
            raise progress.TaskError(f"报送周期为 {cycle[0].label}至{cycle[-1].label}，每季度一期。")
        return period
    today = quarter_of(timezone.localdate())
    if today.start < cycle[0].start:
        return cycle[0]
    return cycle[-1] if today.start > cycle[-1].start else today


@permission_required("plantasks.view", VIEW_MESSAGE)
def overview(request):
    period, today = _period(request), timezone.localdate()
    manager = allowed(request.user, "plantasks.manage")
    units = None if manager else progress.dispatched_units().filter(memberships__user=request.user)
    statuses = progress.statuses(period, today, units)
    shown = {status.unit.pk for status in statuses}
    return render(request, "plantasks/overview.html", {
        "period": period, "periods": definitions.periods(), "statuses": statuses, "manager": manager,
        "due": definitions.due_date(period), "plan": definitions.plan().plan,
        "overdue": [status for status in progress.overdue(today) if status.unit.pk in shown],
        "other_plans": progress.other_plans(today),
    })


@permission_required("plantasks.view", VIEW_MESSAGE)
def task_detail(request, number: int):
    task = progress.task(number)
    manager = allowed(request.user, "plantasks.manage")
    units = list(task.units.prefetch_related("memberships__user"))
    reports = [r for r in ProgressReport.objects.filter(unit__task=task).select_related("unit", "submitted_by")
               .order_by("-period_start", "unit__position") if allowed(request.user, "plantasks.view_report", r)]
    mine = {unit.pk for unit in units if allowed(request.user, "plantasks.report", unit)}
    return render(request, "plantasks/task.html", {
        "task": task, "units": units, "reports": reports, "manager": manager, "mine": mine,
        "assign_form": AssignForm() if manager else None,
        "history": list(history_for(*units).select_related("actor")) if manager else [],
    })


@require_POST
@permission_required("plantasks.manage", MANAGE_MESSAGE)
def assign(request, pk: int):
    unit = get_object_or_404(TaskUnit.objects.select_related("task"), pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写填报人的用户名。")
    else:
        try:
            member = progress.assign(request.user, unit, form.cleaned_data["username"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已指定 {member.user} 为{unit.name}的填报人。")
    return redirect("plantasks:task", number=unit.task.number)


@require_POST
@permission_required("plantasks.manage", MANAGE_MESSAGE)
def unassign(request, pk: int, user_id: int):
    unit = get_object_or_404(TaskUnit.objects.select_related("task"), pk=pk)
    progress.unassign(request.user, unit, user_id)
    messages.success(request, f"已取消{unit.name}的一位填报人。")
    return redirect("plantasks:task", number=unit.task.number)


@permission_required("plantasks.view", VIEW_MESSAGE)
def report(request, pk: int):
    unit = get_object_or_404(TaskUnit.objects.select_related("task"), pk=pk, task__active=True)
    require(request.user, "plantasks.report", unit, message="您不是该任务责任单位的填报人。")
    today = timezone.localdate()
    periods = progress.reportable_periods(today)
    form = ReportForm(request.POST or None, request.FILES or None, periods=periods,
                      initial={"period": request.GET.get("period") or (periods[0].key if periods else "")})
    for field in form.fields.values():
        style_widget(field.widget)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            progress.submit(request.user, unit, parse(data["period"]), data["progress"], data["evidence"], today)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "进展已报送。")
            return redirect("plantasks:task", number=unit.task.number)
    reported = {r.period_key for r in unit.reports.all()}
    return render(request, "plantasks/report.html", {"unit": unit, "form": form, "reported": reported,
                                                     "periods": periods})


@permission_required("plantasks.view", VIEW_MESSAGE)
def evidence(request, pk: int):
    item = get_object_or_404(ProgressReport.objects.select_related("unit"), pk=pk)
    require(request.user, "plantasks.view_report", item, hide=True)
    response = FileResponse(item.evidence.open("rb"), as_attachment=True)
    response["Content-Disposition"] = content_disposition(item.evidence_name,
                                                          f"evidence-{item.pk}{item.evidence_extension}")
    return response


@permission_required("plantasks.manage", MANAGE_MESSAGE)
def dispatch_report(request):
    period, today = _period(request), timezone.localdate()
    fmt = request.GET.get("format", "")
    if fmt not in ("pdf", "xlsx"):
        return render(request, "plantasks/dispatch.html", {"period": period, "periods": definitions.periods()})
    made = dispatch.build(period, today)
    name, ascii_name = f"定期调度报告-{period.label}", f"dispatch-{period.key}"
    if fmt == "xlsx":
        response = HttpResponse(dispatch.workbook(made), content_type=XLSX)
        response["Content-Disposition"] = content_disposition(f"{name}.xlsx", f"{ascii_name}.xlsx")
        return response
    response = HttpResponse(dispatch.pdf(made), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{name}.pdf", f"{ascii_name}.pdf", inline=True)
    return response
