"""Who may read and write listings (docs/catalogue.md). Drafts and other unpublished listings are hidden (404) from
whoever may not see them; a refused write is a 403 with the reason."""

import rules

from techmarket.catalogue.models import PUBLIC_STATUSES
from techmarket.common.permissions import has_django_perm, is_verified_member, sees_contacts

# Provincial reviewers (省科技厅审核员): the role's model permission.
is_reviewer = has_django_perm("catalogue.review_listing")


@rules.predicate
def is_listing_member(user, listing) -> bool:
    """A verified member of the listing's owner organisation."""
    return bool(listing is not None and is_verified_member(user) and listing.owner_id == user.organisation_id)


@rules.predicate
def is_public_listing(user, listing) -> bool:
    return bool(listing is not None and listing.status in PUBLIC_STATUSES)


rules.add_perm("catalogue.review", is_reviewer)
rules.add_perm("catalogue.view_listing", is_public_listing | is_reviewer | is_listing_member)
rules.add_perm("catalogue.create_listing", is_verified_member)
rules.add_perm("catalogue.own_listing", is_listing_member)
rules.add_perm("catalogue.write_listing", is_listing_member | is_reviewer)
# A listing's attachments are kept like its contact persons (they may name people): the listing's members and
# reviewers, and, once it is public, users who may see contacts (verified users).
rules.add_perm("catalogue.download_attachment", is_listing_member | is_reviewer | (is_public_listing & sees_contacts))
