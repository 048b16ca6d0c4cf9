"""Pages of the enterprise profile (docs/enterprises.md, "Enterprise profile"): the profile with its forms (R&D
figures by year, recognitions with their certificates), the certificate's download, and the department's queue of
recognitions to verify. Thin: forms in, services do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from techmarket.common.downloads import content_disposition
from techmarket.common.errors import DomainError
from techmarket.common.permissions import permission_required
from techmarket.enterprises.forms import DecideForm, FiguresForm, RecognitionForm
from techmarket.enterprises.models import PoolEntry, Recognition, YearFigures
from techmarket.enterprises.services import points, pools
from techmarket.enterprises.services import profile as service
from techmarket.enterprises.services.profile import FIGURE_FIELDS, RecognitionInput
from techmarket.enterprises.views_forms import form_errors


@permission_required("enterprises.edit_profile", service.NOT_MEMBER)
def profile_page(request):
    user = request.user
    organisation = user.organisation
    figures_form = FiguresForm(request.POST if request.POST.get("action") == "figures" else None)
    recognition_form = RecognitionForm(request.POST if request.POST.get("action") == "recognition" else None,
                                       request.FILES or None)
    if request.method == "POST":
        form = figures_form if request.POST.get("action") == "figures" else recognition_form
        if form.is_valid():
            d = form.cleaned_data
            try:
                if form is figures_form:
                    service.save_figures(user, d["year"], {name: d[name] for name in FIGURE_FIELDS})
                    messages.success(request, f"已保存 {d['year']} 年度研发数据，创新积分已重新计算。")
                else:
                    service.add_recognition(user, RecognitionInput(d["kind"], d["certificate_number"],
                                                                   d["recognised_on"], d["valid_until"],
                                                                   d["document"]))
                    messages.success(request, "已提交资质认定，等待省科技厅核验。")
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("enterprises:profile")
        else:
            form_errors(request, form)
    facts, sources = points.facts_of(organisation)
    total, _ = points.compute(facts)
    return render(request, "enterprises/profile.html", {
        "organisation": organisation, "figures": YearFigures.objects.filter(organisation=organisation),
        "recognitions": Recognition.objects.filter(organisation=organisation),
        "record": service.platform_record(organisation), "score": total,
        "history": service.history(organisation)[:50], "figures_form": figures_form,
        "pool_entry": pools.entry_of(organisation),
        "recognition_form": recognition_form})


@login_required
def recognition_document(request, pk: int):
    recognition = service.recognition_for(request.user, pk)
    response = FileResponse(recognition.document.open("rb"), content_type=recognition.document_type)
    response["Content-Disposition"] = content_disposition(
        recognition.document_name, f"recognition-{pk}.{recognition.document.name.rsplit('.', 1)[-1]}")
    return response


@permission_required("enterprises.verify_recognition", service.NOT_REVIEWER)
def recognition_queue(request):
    return render(request, "enterprises/recognition_queue.html", {
        "pending": service.pending_recognitions(), "form": DecideForm()})


@require_POST
@permission_required("enterprises.verify_recognition", service.NOT_REVIEWER)
def recognition_decide(request, pk: int):
    recognition = service.recognition_for(request.user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            service.decide_recognition(request.user, recognition, form.cleaned_data["verified"],
                                       form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已记录核验结论。")
    else:
        form_errors(request, form)
    return redirect("enterprises:recognition-queue")


@permission_required("enterprises.manage_pools", pools.NOT_REVIEWER)
def pools_page(request):
    if request.method == "POST":
        if request.POST.get("action") == "propose":
            made = pools.propose(request.user)
            messages.success(request, f"按入库条件筛选完成，新列入基础资源库 {len(made)} 家企业。")
        else:
            entry = PoolEntry.objects.filter(pk=request.POST.get("entry") or 0).first()
            if entry is None:
                messages.error(request, "未找到该企业。")
            else:
                try:
                    pools.select(request.user, entry, request.POST.get("reason", "")[:5000])
                except DomainError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, f"已将{entry.organisation.name}遴选进入精选库。")
        return redirect("enterprises:pools")
    return render(request, "enterprises/pools.html", {
        "rules": pools.criteria(), "reserve": pools.entries(PoolEntry.Pool.RESERVE),
        "selected": pools.entries(PoolEntry.Pool.SELECTED)})
