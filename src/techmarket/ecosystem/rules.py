"""The ecosystem's permissions (docs/ecosystem.md): a verified member files for its own organisation; the
provincial department's reviewers (the REVIEWERS group's review permission) decide filings, keep the broker
register, investigate complaints and sanction; anyone logged in may complain; the registers are public once filed."""

import rules

from techmarket.common.permissions import has_django_perm, is_active, is_verified_member, sees_contacts

# The provincial department: the reviewers' role (accounts/roles.py REVIEWERS grants this permission).
is_reviewer = is_active & has_django_perm("catalogue.review_listing")


@rules.predicate
def is_institution_member(user, institution) -> bool:
    return bool(institution is not None and is_verified_member(user)
                and user.organisation_id == institution.organisation_id)


@rules.predicate
def is_public_institution(user, institution) -> bool:
    return bool(institution is not None and institution.is_public)


@rules.predicate
def is_complaint_reporter(user, complaint) -> bool:
    return bool(complaint is not None and is_active(user) and complaint.reporter_id == user.pk)


rules.add_perm("ecosystem.file_institution", is_verified_member)
rules.add_perm("ecosystem.edit_institution", is_institution_member)
rules.add_perm("ecosystem.view_institution", is_public_institution | is_institution_member | is_reviewer)
rules.add_perm("ecosystem.review", is_reviewer)
rules.add_perm("ecosystem.complain", is_active)
rules.add_perm("ecosystem.view_complaint", is_complaint_reporter | is_reviewer)
rules.add_perm("ecosystem.see_broker_contacts", sees_contacts)
