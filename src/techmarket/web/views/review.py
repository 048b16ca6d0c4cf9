"""Provincial reviewers approve or reject submitted listings, and regrade or reclassify any listing."""


from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services import lifecycle, listings
from techmarket.catalogue.services.history import listing_history
from techmarket.catalogue.services.lifecycle import TransitionError
from techmarket.catalogue.services.listings import ListingFilters, ListingPermissionError
from techmarket.common.permissions import permission_required, require
from techmarket.web.forms import ApproveForm, ReclassifyForm, RegradeForm, RejectForm, ReviewFilterForm

PAGE_SIZE = 50
NOT_REVIEWER = "只有省科技厅审核人员可以访问审核页面。"


reviewer_required = permission_required("catalogue.review_desk", NOT_REVIEWER)


@reviewer_required
def review_queue(request):
    tab = "all" if request.GET.get("tab") == "all" else "queue"
    queue = listings.in_review_scope(listings.review_queue_listings(), request.user)
    context = {"tab": tab, "queue_count": queue.count()}
    if tab == "queue":
        context["listings"] = queue
    else:
        form = ReviewFilterForm(request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        filters = ListingFilters(grade=data.get("grade", ""), field=data.get("field", ""),
                                 status=data.get("status", ""), q=data.get("q", ""))
        qs = listings.in_review_scope(listings.filter_listings(filters, request.user), request.user).order_by(
            "created_at", "id")
        if data.get("unconfirmed"):
            qs = qs.filter(field_confirmed=False)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update({"filter_form": form, "page": page, "listings": page.object_list,
                        "query": query.urlencode()})
    return render(request, "web/review_queue.html", context)


ACTIONS = {"approve": ApproveForm, "reject": RejectForm, "regrade": RegradeForm, "reclassify": ReclassifyForm}


@reviewer_required
def review_listing(request, reference):
    listing = get_object_or_404(Listing.objects.select_related("field", "field__parent", "owner"),
                                reference=reference)
    require(request.user, "catalogue.decide_listing", listing, message="该条目不属于您审核的市州。")
    forms = {name: form_class(prefix=name) for name, form_class in ACTIONS.items()}
    forms["regrade"].initial = {"grade": listing.grade}
    forms["reclassify"].initial = {"field": listing.field.code if listing.field_id else ""}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, "未知的审核操作。")
            return redirect("review-listing", reference=listing.reference)
        form = forms[action] = ACTIONS[action](request.POST, prefix=action)
        if form.is_valid():
            try:
                response = _apply(request, listing, action, form.cleaned_data)
            except (TransitionError, ListingPermissionError) as error:
                form.add_error(None, str(error))
            else:
                return response
        listing.refresh_from_db()
    return render(request, "web/review_listing.html", {
        "listing": listing, "forms": forms, "active_action": request.POST.get("action", ""),
        "can_decide": listing.status == Listing.Status.SUBMITTED,
        "decision_forms": [forms["approve"], forms["reject"]],
        "events": listing_history(listing, newest_first=True),
        "organisations": listing.organisation_links.select_related("organisation"),
        "modes": listing.modes.all(),
    })


def _apply(request, listing: Listing, action: str, data: dict):
    user = request.user
    if action == "approve":
        listing = lifecycle.approve(listing, user, valid_until=data["valid_until"])
        messages.success(request, f"已审核通过并发布“{listing.title}”，有效期至 {listing.valid_until}。")
        return redirect("review-queue")
    if action == "reject":
        lifecycle.reject(listing, user, data["reason"])
        messages.success(request, f"已退回“{listing.title}”，发布单位将看到退回原因。")
        return redirect("review-queue")
    if action == "regrade":
        listings.regrade(user, listing, data["grade"], data["reason"])
        messages.success(request, f"已将分级调整为“{listing.get_grade_display()}”。")
    else:
        listings.reclassify(user, listing, data["field"], data["reason"])
        messages.success(request, f"已将领域调整为“{listing.field}”。")
    return redirect(reverse("review-listing", args=[listing.reference]))
