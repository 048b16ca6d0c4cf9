"""Staff pages of compilation imports: the batches with the upload form, a batch's page (column mapping, preview,
progress, result) and its actions. Thin: the services (imports.services.batches) do the work and check that
the user is staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.catalogue.models import Listing
from techmarket.common.errors import DomainError
from techmarket.common.uploads import UploadError
from techmarket.imports.forms import UploadForm
from techmarket.imports.models import ImportBatch
from techmarket.imports.services import batches as service
from techmarket.imports.services.wording import location_text, message_text, problem_text


@login_required
def batches_page(request):
    service.require_staff(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = service.upload(request.user, form.cleaned_data["file"], form.cleaned_data["collection"])
            except (DomainError, UploadError) as exc:
                messages.error(request, getattr(exc, "message", str(exc)))
            else:
                return redirect("imports:batch", pk=batch.pk)
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    return render(request, "imports/batches.html", {
        "form": form, "batches": ImportBatch.objects.select_related("created_by")[:50]})


@login_required
def batch_page(request, pk: int):
    service.require_staff(request.user)
    batch = get_object_or_404(ImportBatch, pk=pk)
    context = {"batch": batch, "columns": service.column_choices()}
    if batch.status == ImportBatch.Status.PREVIEWED:
        shown = service.preview(request.user, batch)
        batch.refresh_from_db()
        rows = [_row(r) for r in shown.rows]
        context.update(preview=shown, problems=[problem_text(p) for p in shown.problems], rows=rows,
                       duplicates=[r for r in rows if r.get("duplicate")])
    elif batch.status == ImportBatch.Status.FAILED:
        context["problems"] = [problem_text(p) for p in batch.error.splitlines()]
    elif batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.UNDONE):
        context["report"] = _report(batch.report)
    return render(request, "imports/batch.html", context)


KIND_LABELS = dict(Listing.Kind.choices)


def _row(row: dict) -> dict:
    return {**row, "where": location_text(row["location"]), "kind_label": KIND_LABELS.get(row.get("kind"), ""),
            "warnings": [message_text(w) for w in row.get("warnings", [])]}


def _report(report: dict) -> dict:
    return {**report, "warnings": [problem_text(w) for w in report.get("warnings", [])]}


@login_required
@require_POST
def mapping(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk)
    headers = request.POST.getlist("header")
    choices = {h: request.POST.get(f"column-{i}", "") for i, h in enumerate(headers)}
    try:
        shown = service.preview(request.user, batch)
        service.choose_mapping(request.user, batch, choices, shown.headers)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已保存表头对应；同样表头的文件下次会自动使用。")
    return redirect("imports:batch", pk=batch.pk)


@login_required
@require_POST
def duplicates(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk)
    answers = {key[len("dup-"):]: value for key, value in request.POST.items() if key.startswith("dup-")}
    try:
        service.decide_duplicates(request.user, batch, answers)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已保存对疑似重复条目的处理。")
    return redirect("imports:batch", pk=batch.pk)


@login_required
@require_POST
def start(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        service.start(request.user, batch)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("imports:batch", pk=batch.pk)


@login_required
@require_POST
def undo(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        service.undo(request.user, batch)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤销该批次：新增的条目已删除或撤回，更新的条目已恢复为导入前的内容。")
    return redirect("imports:batch", pk=batch.pk)
