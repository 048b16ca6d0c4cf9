"""Who may read and write listings (docs/catalogue.md). Drafts and other unpublished listings are hidden (404) from
whoever may not see them; a refused write is a 403 with the reason."""

import rules

from techmarket.catalogue.models import PUBLIC_STATUSES
from techmarket.common.permissions import has_django_perm, is_active, is_verified_member, sees_contacts

# Provincial reviewers (省科技厅审核员): the role's model permission.
is_reviewer = has_django_perm("catalogue.review_listing")


@rules.predicate
def is_listing_member(user, listing) -> bool:
    """A verified member of the listing's owner organisation."""
    return bool(listing is not None and is_verified_member(user) and listing.owner_id == user.organisation_id)


@rules.predicate
def is_public_listing(user, listing) -> bool:
    return bool(listing is not None and listing.status in PUBLIC_STATUSES)


@rules.predicate
def reviews_a_prefecture(user) -> bool:
    """A prefecture bureau's reviewer (directory.RegionReviewer), of any prefecture."""
    return bool(is_active(user) and user.region_reviews.exists())


@rules.predicate
def reviews_listing_region(user, listing) -> bool:
    """A prefecture bureau's reviewer of the prefecture the listing's owner is in."""
    region_id = listing.owner.region_id if listing is not None and listing.owner_id else None
    return bool(region_id and is_active(user) and user.region_reviews.filter(region_id=region_id).exists())


# catalogue.review: the province's reviewers, over every listing. A prefecture's reviewers open the review desk
# (catalogue.review_desk, their prefecture's queue) and approve or reject their prefecture's listings
# (catalogue.decide_listing; "review_listing" is the role's model permission). Grading, classification and
# everything else stay with the province.
rules.add_perm("catalogue.review", is_reviewer)
rules.add_perm("catalogue.review_desk", is_reviewer | reviews_a_prefecture)
rules.add_perm("catalogue.decide_listing", is_reviewer | reviews_listing_region)
rules.add_perm("catalogue.view_listing", is_public_listing | is_reviewer | is_listing_member)
rules.add_perm("catalogue.create_listing", is_verified_member)
rules.add_perm("catalogue.own_listing", is_listing_member)
rules.add_perm("catalogue.write_listing", is_listing_member | is_reviewer)
# A listing's attachments are kept like its contact persons (they may name people): the listing's members and
# reviewers, and, once it is public, users who may see contacts (verified users).
rules.add_perm("catalogue.download_attachment", is_listing_member | is_reviewer | (is_public_listing & sees_contacts))
