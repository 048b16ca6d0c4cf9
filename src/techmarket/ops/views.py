"""Machine endpoints: health (JSON) and metrics (Prometheus text). No page, no session, no personal data."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from techmarket.common.permissions import permission_required
from techmarket.ops import health


@never_cache
@require_GET
def live(request):
    """The process answers (no database access): a supervisor restarts a process that does not."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request):
    """200 when this node can serve (database, migrations, search index lag, job queue), else 503 with the
    failing checks: a load balancer sends no traffic to it meanwhile."""
    ok, body = health.readiness()
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


@never_cache
@require_GET
def metrics(request):
    from techmarket.ops import metrics as ops_metrics

    if not ops_metrics.allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    body, content_type = ops_metrics.exposition()
    return HttpResponse(body, content_type=content_type)


@permission_required("ops.export_audit", "只有有权查看操作记录的工作人员可以导出操作记录。")
@require_GET
def audit_export(request):
    """操作记录导出: the form, or with `format` the file (Excel or CSV) of the chosen days."""
    import datetime

    from django.shortcuts import render
    from django.utils import timezone

    from techmarket.common.downloads import content_disposition
    from techmarket.common.models import AuditEntry
    from techmarket.ops.audit_export import export

    since, until = request.GET.get("since", ""), request.GET.get("until", "")
    fmt = request.GET.get("format", "")
    error = ""
    try:
        days = [datetime.date.fromisoformat(value) if value else None for value in (since, until)]
    except ValueError:
        days, error = [None, None], "日期格式应为 年-月-日，例如 2026-03-01。"
    if fmt in ("xlsx", "csv") and not error:
        data = export(fmt, *days)
        stamp = timezone.localdate().isoformat()
        response = HttpResponse(data, content_type="text/csv; charset=utf-8" if fmt == "csv" else
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = content_disposition(f"操作记录-{stamp}.{fmt}", f"audit-log-{stamp}.{fmt}")
        return response
    return render(request, "ops/audit_export.html", {"since": since, "until": until, "error": error,
                                                     "total": AuditEntry.objects.count()})
