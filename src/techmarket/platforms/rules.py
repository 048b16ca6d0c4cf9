"""Who may record, review and see innovation platforms, teams and 科技专员 (docs/platforms.md).

Approved platforms and teams are public; a submitted or rejected one is seen by its host's verified members and the
reviewers only (others get 404). Reviewers hold the model permission platforms.review_record (accounts/roles.py)."""

import rules

from techmarket.common.permissions import has_django_perm, is_active, is_verified_member

REVIEW_PERMISSION = "platforms.review_record"

is_reviewer = is_active & has_django_perm(REVIEW_PERMISSION)


def _member_of(user, organisation_id) -> bool:
    return bool(organisation_id is not None and is_verified_member(user) and user.organisation_id == organisation_id)


@rules.predicate
def is_host_member(user, record) -> bool:
    return record is not None and _member_of(user, record.host_id)


@rules.predicate
def is_approved(user, record) -> bool:
    return record is not None and record.is_approved


@rules.predicate
def is_institution_member(user, assignment) -> bool:
    return assignment is not None and _member_of(user, assignment.institution_id)


@rules.predicate
def is_enterprise_member(user, assignment) -> bool:
    return assignment is not None and _member_of(user, assignment.enterprise_id)


rules.add_perm("platforms.record", is_verified_member | is_reviewer)
rules.add_perm("platforms.review", is_reviewer)
rules.add_perm("platforms.view_record", is_approved | is_host_member | is_reviewer)
rules.add_perm("platforms.view_document", is_host_member | is_reviewer | (is_approved & is_verified_member))
rules.add_perm("platforms.assign_specialist", is_verified_member | is_reviewer)
rules.add_perm("platforms.view_assignment", is_institution_member | is_enterprise_member | is_reviewer)
rules.add_perm("platforms.log_service", is_institution_member)
rules.add_perm("platforms.evaluate_specialist", is_enterprise_member)
rules.add_perm("platforms.record_pay", is_enterprise_member)
