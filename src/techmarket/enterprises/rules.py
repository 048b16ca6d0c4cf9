"""Who may see and act on a check-up (docs/enterprises.md): a verified member acts for the organisation; the
check-up and its report are seen by the organisation's verified members and the department's reviewers."""

import rules

from techmarket.common.permissions import has_django_perm, is_active, is_verified_member

is_reviewer = is_active & has_django_perm("catalogue.review_listing")


@rules.predicate
def is_member_of_checkup(user, checkup) -> bool:
    return bool(checkup is not None and is_verified_member(user) and user.organisation_id == checkup.organisation_id)


rules.add_perm("enterprises.run_checkup", is_verified_member)
rules.add_perm("enterprises.view_checkup", is_member_of_checkup | is_reviewer)
rules.add_perm("enterprises.publish_from_checkup", is_member_of_checkup)
