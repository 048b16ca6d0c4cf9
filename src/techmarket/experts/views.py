"""Pages of the expert pool (docs/experts.md). Thin: queries and writes are the services'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from techmarket.catalogue.models import Field
from techmarket.common.errors import DomainError
from techmarket.common.permissions import allowed, permission_required, require
from techmarket.directory.models import Region
from techmarket.experts.forms import JoinForm, RejectForm
from techmarket.experts.models import Assignment, Expert
from techmarket.experts.services import profiles, search
from techmarket.experts.services.profiles import Filters

PAGE_SIZE = 20
VERIFIER_ONLY = "只有省科技厅审核员可以核验专家、查看专家抽取记录。"


def _rows(experts, today):
    return [{"expert": e, "availability": profiles.availability_label(e, today)} for e in experts]


def directory(request):
    filters = Filters(q=request.GET.get("q", "").strip()[:100], field=request.GET.get("field", "")[:60],
                      region=request.GET.get("region", "")[:40], availability=request.GET.get("availability", "")[:20])
    today = timezone.localdate()
    experts, words = search.find(filters, today)
    page = Paginator(experts, PAGE_SIZE).get_page(request.GET.get("page"))
    fields = Field.objects.filter(parent__isnull=True).order_by("position")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "experts/directory.html", {
        "page": page, "rows": _rows(page.object_list, today), "filters": filters, "words": words,
        "fields": fields, "regions": Region.objects.filter(kind__in=["province", "prefecture"]),
        "availabilities": [(Expert.Availability.AVAILABLE, "可参加评审"), (Expert.Availability.BUSY, "暂不可参加")],
        "query": query.urlencode(), "own": profiles.own_profile(request.user),
        "can_verify": allowed(request.user, "experts.verify"),
    })


def detail(request, pk: int):
    expert = profiles.visible_expert(request.user, pk)
    return render(request, "experts/detail.html", {
        "expert": expert, "availability": profiles.availability_label(expert),
        "contacts": profiles.contacts(expert, request.user),
        "fields": list(expert.fields.all()),
        "can_verify": allowed(request.user, "experts.verify"),
        "is_own": expert.user_id is not None and expert.user_id == request.user.pk,
        "reject_form": RejectForm(),
    })


@login_required
def join(request):
    expert = profiles.own_profile(request.user)
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            try:
                saved = profiles.join(request.user, form.to_input())
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                if saved.status == Expert.Status.VERIFIED:
                    messages.success(request, "专家信息已保存。")
                else:
                    messages.success(request, "专家信息已提交，省科技厅审核员核验后列入专家库，结果将通过消息通知您。")
                return redirect("experts:join")
    else:
        form = JoinForm(initial=JoinForm.initial_for(expert, request.user))
    return render(request, "experts/join.html", {"form": form, "expert": expert})


@permission_required("experts.verify", VERIFIER_ONLY)
def review_queue(request):
    return render(request, "experts/review_queue.html", {
        "experts": profiles.pending(), "reject_form": RejectForm(),
    })


@require_POST
@permission_required("experts.verify", VERIFIER_ONLY)
def decide(request, pk: int):
    expert = get_object_or_404(Expert, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "verify":
            profiles.verify(request.user, expert)
            messages.success(request, f"已核验通过专家“{expert.name}”。")
        elif action == "reject":
            profiles.reject(request.user, expert, request.POST.get("reason", ""))
            messages.success(request, f"已将专家“{expert.name}”标记为未通过核验。")
        else:
            messages.error(request, "未知的核验操作。")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("experts:review-queue")


@permission_required("experts.see_assignments", VERIFIER_ONLY)
def assignments(request):
    page = Paginator(Assignment.objects.select_related("assigned_by"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "experts/assignments.html", {"page": page})


@login_required
def assignment(request, pk: int):
    require(request.user, "experts.see_assignments", message=VERIFIER_ONLY)
    item = get_object_or_404(Assignment.objects.select_related("assigned_by"), pk=pk)
    return render(request, "experts/assignment.html", {
        "assignment": item, "drawn": item.drawn, "excluded": item.excluded,
    })
