"""Organisation members write their listings and move them through the lifecycle."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from techmarket.catalogue.forms import ListingPartiesForm
from techmarket.catalogue.models import Listing
from techmarket.catalogue.services import lifecycle, listings
from techmarket.catalogue.services.lifecycle import TransitionError
from techmarket.catalogue.services.listings import ListingInputError, ListingPermissionError
from techmarket.common.errors import NotAllowed
from techmarket.web.forms import ListingForm, TransitionForm

S = Listing.Status

# The button of each step, by (from, to); a to-status alone is the fallback.
ACTION_LABELS = {
    (S.EXPIRED, S.PUBLISHED): "续期并重新发布",
    (S.IN_TALKS, S.PUBLISHED): "恢复为已发布",
    (S.SUBMITTED, S.PUBLISHED): "审核通过并发布",
    S.SUBMITTED: "提交审核",
    S.DRAFT: "转为草稿",
    S.IN_TALKS: "标记为洽谈中",
    S.CONTRACTED: "标记为已签约",
    S.CLOSED: "标记为已完成",
    S.WITHDRAWN: "撤回",
    S.REJECTED: "退回",
    S.PUBLISHED: "发布",
}


def action_label(listing: Listing, to_status: str) -> str:
    return ACTION_LABELS.get((listing.status, to_status)) or ACTION_LABELS[to_status]



def listing_actions(user, listing: Listing) -> list[dict]:
    """The transitions `user` may offer for `listing`, with what each one asks for."""
    return [
        {"to_status": to_status, "label": action_label(listing, to_status),
         "needs_reason": to_status in lifecycle.REASON_REQUIRED,
         "needs_date": lifecycle.needs_new_validity(listing, to_status),
         "danger": to_status in (S.WITHDRAWN, S.REJECTED)}
        for to_status in lifecycle.available_transitions(user, listing)
        if (listing.status, to_status) not in lifecycle.REVIEWER_ONLY  # reviewers use the review page
    ]


@login_required
def my_listings(request):
    user = request.user
    rows = [
        {"listing": listing, "actions": listing_actions(user, listing),
         "can_edit": listings.can_edit(user, listing), "status_reason": _status_reason(listing)}
        for listing in listings.organisation_listings(user.organisation)
    ]
    return render(request, "web/my_listings.html", {
        "rows": rows, "organisation": user.organisation, "can_submit": user.can_submit_listings,
    })


def _status_reason(listing: Listing) -> str:
    """Why a listing was rejected, withdrawn or expired: the reason of the step that put it there."""
    if listing.status not in (S.REJECTED, S.WITHDRAWN, S.EXPIRED):
        return ""
    return (listing.last_transition_reason or "") if listing.last_transition_to == listing.status else ""


def _forms(request, listing: Listing | None = None) -> tuple[ListingForm, ListingPartiesForm]:
    """The listing's content form and its contact person, partner units and attachments form."""
    post = request.method == "POST"
    form = ListingForm(request.POST if post else None, listing=listing)
    parties = ListingPartiesForm(request.POST if post else None, request.FILES if post else None,
                                 user=request.user, listing=listing)
    return form, parties


def _valid(form: ListingForm, parties: ListingPartiesForm) -> bool:
    return all([form.is_valid(), parties.is_valid()])  # both validated: every error shows at once


def _input(form: ListingForm, parties: ListingPartiesForm) -> listings.ListingInput:
    return dataclasses.replace(form.to_input(), **parties.to_values())


def _refused(form: ListingForm, parties: ListingPartiesForm, error: ListingInputError) -> None:
    target = parties if error.field in parties.fields else form
    target.add_error(error.field if error.field in target.fields else None, str(error))


@login_required
def listing_create(request):
    try:
        listings.check_can_create(request.user)
    except ListingPermissionError as error:
        raise NotAllowed(str(error), title="暂不能发布") from None
    form, parties = _forms(request)
    if request.method == "POST" and _valid(form, parties):
        try:
            listing = listings.create_listing(request.user, _input(form, parties))
        except ListingPermissionError as error:
            raise NotAllowed(str(error), title="暂不能发布") from None
        except ListingInputError as error:
            _refused(form, parties, error)
        else:
            messages.success(request, f"已保存草稿“{listing.title}”。")
            if "submit_for_review" in request.POST:
                _submit(request, listing)
            return redirect("my-listings")
    return render(request, "web/listing_form.html", {"form": form, "parties": parties, "listing": None})


@login_required
def listing_edit(request, reference):
    listing = get_object_or_404(listings.visible_listings(request.user), reference=reference)
    try:
        listings.check_can_edit(request.user, listing)
    except ListingPermissionError as error:
        raise NotAllowed(str(error), title="不能修改此条目") from None
    form, parties = _forms(request, listing)
    if request.method == "POST" and _valid(form, parties):
        try:  # the service checks the input before it changes anything, and rolls back what it changed
            listing = listings.update_listing(request.user, listing, _input(form, parties))
        except ListingPermissionError as error:
            raise NotAllowed(str(error), title="不能修改此条目") from None
        except ListingInputError as error:
            _refused(form, parties, error)
            listing.refresh_from_db()
        else:
            messages.success(request, f"已保存“{listing.title}”。")
            if "submit_for_review" in request.POST:
                _submit(request, listing)
            if not lifecycle.is_owner(request.user, listing):  # a reviewer editing another's listing
                return redirect("review-listing", reference=listing.reference)
            return redirect("my-listings")
    return render(request, "web/listing_form.html", {
        "form": form, "parties": parties, "listing": listing,
        "can_submit_for_review": listing.status in lifecycle.ALLOWED[S.SUBMITTED],
    })


def _submit(request, listing: Listing) -> None:
    try:
        lifecycle.transition(listing, S.SUBMITTED, user=request.user)
    except TransitionError as error:
        messages.error(request, f"未能提交审核：{error}")
    else:
        messages.success(request, "已提交审核，省科技厅审核通过后将公开发布。")


@require_POST
@login_required
def listing_transition(request, reference):
    listing = get_object_or_404(listings.visible_listings(request.user), reference=reference)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request)
    to_status = form.cleaned_data["to_status"]
    try:
        lifecycle.transition(listing, to_status, user=request.user, reason=form.cleaned_data["reason"],
                             valid_until=form.cleaned_data["valid_until"])
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{listing.title}”已变更为“{S(to_status).label}”。")
    return _back(request)


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("my-listings")
