"""Pages of the indicator dashboard. Thin: the rows come from services.dashboard, writes from services.values."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from techmarket.common.downloads import content_disposition
from techmarket.indicators.forms import ValueForm
from techmarket.indicators.models import Indicator, IndicatorValue
from techmarket.indicators.services import computations, dashboard, reports, values
from techmarket.indicators.services.periods import PeriodError, current, parse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request):
    text = request.GET.get("period", "")
    if not text:
        return current(timezone.localdate())
    try:
        return parse(text)
    except PeriodError as exc:
        raise Http404(str(exc)) from None


def dashboard_page(request):
    period, today = _period(request), timezone.localdate()
    # Rows, trends and breakdowns from one read of the records (services.dashboard.Sources).
    shown = dashboard.page(period, today)
    charts = shown.charts
    cards = [{"row": item, "breakdown": shown.breakdowns.get(item.indicator.code)} for item in shown.rows]
    groups = {}
    for card in cards:
        groups.setdefault(card["row"].indicator.plan_name, []).append(card)
    return render(request, "indicators/dashboard.html", {
        "period": period, "groups": groups, "charts": charts, "today": today,
        "can_enter": values.can_enter(request.user), "can_approve": values.can_approve(request.user),
        # The records page behind a computed figure is for reviewers and registration administrators: only they
        # get the figures as links (others would be sent to log-in or refused).
        "can_see_records": values.can_see_records(request.user),
        "pending": values.pending().count() if values.can_approve(request.user) else 0,
    })


def records(request, code: str):
    indicator = get_object_or_404(Indicator, code=code, active=True)
    if not indicator.is_computed:
        raise Http404("该指标不由平台计算。")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not values.can_see_records(request.user):
        raise PermissionDenied("查看来源合同需要审核员或登记管理权限。")
    period = _period(request)
    start, end = dashboard.window(indicator, period)
    sources = dashboard.Sources([indicator], [period])  # the figure and its contracts from one read
    computed = sources.computed(indicator.computed_by, start, end)
    ids = set(computed.contract_ids)
    # Contracts are described by their statistics rows; other records (platforms, teams, challenges) by their link's
    # label.
    contracts = indicator.computed_by not in computations.RECORD_MEASURES | computations.CHALLENGE_MEASURES.keys()
    by_id = {row.contract_id: row for row in sources.contracts(start, end) if row.contract_id in ids} \
        if contracts else {}
    items = [{"link": link, "row": by_id.get(link.id)} for link in computed.links]
    return render(request, "indicators/records.html", {
        "indicator": indicator, "period": period, "start": start, "end": end, "computed": computed,
        "items": items, "value": dashboard.fmt(computed.value), "contracts": contracts,
    })


def report(request):
    if not request.GET.get("period"):
        return render(request, "indicators/report.html", {"period": current(timezone.localdate())})
    period, today = _period(request), timezone.localdate()
    if period.granularity == "year":
        raise Http404("定期调度按月或季度生成。")
    items = reports.report_rows(period, today, snapshot=values.can_enter(request.user))
    name, ascii_name = f"指标监测调度报告-{period.label}", f"indicators-{period.key}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(reports.workbook(period, items, today), content_type=XLSX)
        response["Content-Disposition"] = content_disposition(f"{name}.xlsx", f"{ascii_name}.xlsx")
        return response
    response = HttpResponse(reports.pdf(period, items, today), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{name}.pdf", f"{ascii_name}.pdf", inline=True)
    return response


@login_required
def enter_value(request):
    if not values.can_enter(request.user):
        raise PermissionDenied("您没有录入指标数值的权限。")
    form = ValueForm(request.POST or None, request.FILES or None,
                     initial={"indicator": request.GET.get("indicator"),
                              "period": current(timezone.localdate()).key})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            values.submit_manual(request.user, data["indicator"], data["period"], data["value"],
                                 data.get("evidence"), data.get("note", ""))
        except values.IndicatorError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已提交，待另一位审核员审核后计入。")
            return redirect("indicators:queue")
    return render(request, "indicators/enter.html", {"form": form})


@login_required
def queue(request):
    if not (values.can_enter(request.user) or values.can_approve(request.user)):
        raise PermissionDenied
    recent = IndicatorValue.objects.filter(source=IndicatorValue.Source.MANUAL).exclude(
        status=IndicatorValue.Status.SUBMITTED).select_related("indicator", "entered_by", "approved_by")[:50]
    return render(request, "indicators/queue.html", {"pending": values.pending(), "recent": recent,
                                                     "can_approve": values.can_approve(request.user)})


@login_required
@require_POST
def decide(request, pk: int, action: str):
    item = get_object_or_404(IndicatorValue, pk=pk, source=IndicatorValue.Source.MANUAL)
    try:
        if action == "approve":
            values.approve(request.user, item, request.POST.get("reason", ""))
            messages.success(request, "已审核通过，数值已计入。")
        elif action == "reject":
            values.reject(request.user, item, request.POST.get("reason", ""))
            messages.success(request, "已退回。")
        else:
            raise Http404
    except values.IndicatorPermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    except values.IndicatorError as exc:
        messages.error(request, str(exc))
    return redirect("indicators:queue")


@login_required
def evidence(request, pk: int):
    item = get_object_or_404(IndicatorValue, pk=pk, source=IndicatorValue.Source.MANUAL)
    if not (values.can_enter(request.user) or values.can_approve(request.user)) or not item.evidence:
        raise Http404
    return FileResponse(item.evidence.open("rb"), as_attachment=True, filename=item.evidence_name or "evidence")
