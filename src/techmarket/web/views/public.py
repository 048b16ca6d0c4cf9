"""Public pages: home, the catalogue with its filters and Excel export, listing and organisation pages.

Queries come from techmarket.catalogue.services.listings; personal contact details only through
techmarket.directory.services.privacy.
"""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services.export import export_listings_xlsx
from techmarket.catalogue.services.history import listing_history
from techmarket.catalogue.services.lifecycle import is_owner
from techmarket.catalogue.services.listings import (
    ListingFilters,
    catalogue_counts,
    filter_listings,
    visible_listings,
)
from techmarket.common.downloads import content_disposition
from techmarket.directory.models import Organisation
from techmarket.directory.services.privacy import can_see_contacts, listing_contacts
from techmarket.matching.services.panel import listing_panel
from techmarket.web.filters import CatalogueFilterForm

PAGE_SIZE = 20
HOME_LISTINGS = 6
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a listing card shows besides the listing's own columns.
CARD_PREFETCH = ("organisation_links__organisation",)


@require_GET
def home(request):
    user = request.user
    return render(request, "web/home.html", {
        "counts": catalogue_counts(user),
        "newest": filter_listings(ListingFilters(sort="newest"), user).prefetch_related(*CARD_PREFETCH)[
            :HOME_LISTINGS],
        "grade_a": filter_listings(ListingFilters(grade=Listing.Grade.A, sort="newest"), user)
        .prefetch_related(*CARD_PREFETCH)[:HOME_LISTINGS],
    })


@require_GET
def catalogue(request):
    form = CatalogueFilterForm(request.GET, user=request.user)
    listings = filter_listings(form.to_filters(), request.user).prefetch_related(*CARD_PREFETCH)
    page = Paginator(listings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/catalogue.html", {
        "form": form,
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "listings": page.object_list,
        "total": page.paginator.count,
        "organisation": form.selected_organisation(),
        "query": query.urlencode(),
    })


@require_GET
def catalogue_export(request):
    form = CatalogueFilterForm(request.GET, user=request.user)
    listings = filter_listings(form.to_filters(), request.user)
    content = export_listings_xlsx(listings, include_contacts=can_see_contacts(request.user))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    day = f"{timezone.localdate():%Y%m%d}"
    response["Content-Disposition"] = content_disposition(f"需求与成果库-{day}.xlsx", f"catalogue-{day}.xlsx")
    return response


@require_GET
def organisation_detail(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.select_related("region", "region__parent"), pk=pk)
    listings = filter_listings(ListingFilters(organisation=organisation.pk), request.user)
    return render(request, "web/organisation_detail.html", {
        "organisation": organisation,
        "aliases": organisation.aliases.all(),
        "listings": listings.prefetch_related(*CARD_PREFETCH),
    })


@require_GET
def listing_detail(request, reference: str):
    user = request.user
    listing = get_object_or_404(
        visible_listings(user).select_related("field", "field__parent", "owner", "source_document"),
        reference=reference,
    )
    is_reviewer = user.is_authenticated and user.is_reviewer
    is_owner_member = is_owner(user, listing)
    basis = listing.grade_basis if isinstance(listing.grade_basis, dict) else {}
    return render(request, "web/listing_detail.html", {
        "listing": listing,
        "organisation_links": listing.organisation_links.select_related("organisation", "organisation__region"),
        "modes": listing.modes.all(),
        "grade_basis": basis,
        "grade_criteria": [c for c in basis.get("criteria", []) if isinstance(c, dict)],
        "can_see_contacts": can_see_contacts(user),
        "contacts": listing_contacts(listing, user),
        "events": listing_history(listing) if (is_reviewer or is_owner_member) else None,
        "matches_panel": listing_panel(listing),
        "show_review_link": is_reviewer,
        "show_edit_link": is_owner_member,
    })

