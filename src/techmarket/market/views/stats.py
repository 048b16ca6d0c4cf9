"""The statistics page and its Excel export: aggregates only (counts and amounts), open to everyone."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from techmarket.common.downloads import content_disposition
from techmarket.market.forms import StatisticsForm
from techmarket.market.services.exports import statistics_workbook
from techmarket.market.services.statistics import Filters, statistics

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filters_from(request) -> tuple[StatisticsForm, Filters]:
    form = StatisticsForm(request.GET or None)
    filters = Filters()
    if form.is_valid():
        data = form.cleaned_data
        filters = Filters(start=data.get("start"), end=data.get("end"), contract_type=data.get("contract_type") or "",
                          registry=data.get("registry") or "", field=data.get("field") or "",
                          on_platform={"yes": True, "no": False}.get(data.get("on_platform") or ""))
    return form, filters


def statistics_page(request):
    form, filters = filters_from(request)
    result = statistics(filters)
    return render(request, "market/statistics.html", {
        "form": form, "result": result, "query": request.GET.urlencode(),
    })


def statistics_export(request):
    _, filters = filters_from(request)
    response = HttpResponse(statistics_workbook(statistics(filters)), content_type=XLSX)
    day = f"{timezone.localdate():%Y%m%d}"
    response["Content-Disposition"] = content_disposition(f"技术合同统计-{day}.xlsx",
                                                          f"technology-contract-statistics-{day}.xlsx")
    return response
