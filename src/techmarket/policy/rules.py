"""Policy rewards: verified members apply for their organisation; reviewers review and keep the ledger."""

import rules

from techmarket.common.permissions import has_django_perm, is_verified_member

is_policy_reviewer = has_django_perm("policy.review_application")


@rules.predicate
def is_applicant_member(user, application) -> bool:
    return bool(application is not None and is_verified_member(user)
                and application.organisation_id == user.organisation_id)


rules.add_perm("policy.apply", is_verified_member)
rules.add_perm("policy.review", is_policy_reviewer)
rules.add_perm("policy.view_application", is_policy_reviewer | is_applicant_member)
