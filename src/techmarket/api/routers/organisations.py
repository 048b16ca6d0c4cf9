"""Organisations (read only). Persons and their contact details are never part of these responses:
contacts are given with listings, to users who may see them."""

from typing import Annotated

from django.db.models import Count, Q
from ninja import Field, Path, Query, Router
from ninja.errors import HttpError

from techmarket.api.schemas import (
    MAX_ID,
    Error,
    OrganisationDetail,
    OrganisationPage,
    OrganisationQuery,
    listing_url,
    organisation_out,
)
from techmarket.catalogue.services.listings import ListingFilters, filter_listings, visible_listings
from techmarket.directory.models import Organisation

router = Router(tags=["organisations"])


def _with_counts(request):
    """Organisations with the number of listings the user may see."""
    visible = visible_listings(request.user).values("pk")
    return Organisation.objects.select_related("region").annotate(
        listing_count=Count("listings", filter=Q(listings__in=visible), distinct=True)
    )


@router.get("", response=OrganisationPage, summary="列出单位")
def list_organisations(request, params: Query[OrganisationQuery]):
    qs = _with_counts(request)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.region:
        qs = qs.filter(Q(region__code=params.region) | Q(region__parent__code=params.region))
    if params.q:
        qs = qs.filter(Q(name__icontains=params.q) | Q(aliases__name__icontains=params.q)).distinct()
    qs = qs.order_by("name", "pk")
    return {
        "count": qs.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": [organisation_out(o) for o in qs[params.offset: params.offset + params.limit]],
    }


@router.get("/{organisation_id}", response={200: OrganisationDetail, 404: Error}, summary="单位详情及其可见条目")
def get_organisation(request, organisation_id: Path[Annotated[int, Field(ge=1, le=MAX_ID)]]):
    organisation = _with_counts(request).filter(pk=organisation_id).first()
    if organisation is None:
        raise HttpError(404, "未找到该单位。")
    listings = filter_listings(ListingFilters(organisation=organisation.pk), request.user)
    return {
        **organisation_out(organisation),
        "aliases": list(organisation.aliases.values_list("name", flat=True)),
        "listings": [
            {"reference": listing.reference, "kind": listing.kind, "title": listing.title,
             "status": listing.status, "url": listing_url(request, listing)}
            for listing in listings
        ],
    }
