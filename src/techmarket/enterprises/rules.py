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


# Financing needs (docs/enterprises.md, "Financing needs").

@rules.predicate
def is_enterprise_member(user) -> bool:
    from techmarket.directory.models import Organisation

    return bool(is_verified_member(user) and user.organisation.kind == Organisation.Kind.ENTERPRISE)


@rules.predicate
def is_institution_member(user) -> bool:
    from techmarket.directory.models import Organisation

    return bool(is_verified_member(user) and user.organisation.kind == Organisation.Kind.FINANCIAL_INSTITUTION)


@rules.predicate
def is_member_of_need(user, need) -> bool:
    return bool(need is not None and is_verified_member(user) and user.organisation_id == need.organisation_id)


@rules.predicate
def is_shared_with(user, need) -> bool:
    """The enterprise chose the user's financial institution to see its figures."""
    return bool(need is not None and is_institution_member(user)
                and need.shared_with.filter(pk=user.organisation_id).exists())


@rules.predicate
def is_lender_of(user, bad_loan) -> bool:
    return bool(bad_loan is not None and is_institution_member(user)
                and bad_loan.response.institution_id == user.organisation_id)


rules.add_perm("enterprises.post_need", is_enterprise_member)
rules.add_perm("enterprises.manage_need", is_member_of_need)
rules.add_perm("enterprises.view_need", is_member_of_need | is_shared_with | is_reviewer)
rules.add_perm("enterprises.respond_need", is_shared_with)
rules.add_perm("enterprises.lend", is_institution_member)
rules.add_perm("enterprises.view_bad_loan", is_lender_of | is_reviewer)


# The enterprise profile (docs/enterprises.md, "Enterprise profile").

@rules.predicate
def is_member_of_recognition(user, recognition) -> bool:
    return bool(recognition is not None and is_verified_member(user)
                and user.organisation_id == recognition.organisation_id)


rules.add_perm("enterprises.edit_profile", is_enterprise_member)
rules.add_perm("enterprises.verify_recognition", is_reviewer)
rules.add_perm("enterprises.view_recognition", is_member_of_recognition | is_reviewer)
rules.add_perm("enterprises.manage_pools", is_reviewer)


# A check-up run on an enterprise's behalf (docs/enterprises.md, "On the enterprise's behalf").

@rules.predicate
def is_specialist_for(user, organisation) -> bool:
    """A verified member of the institution that assigned a 科技专员 to the enterprise, the assignment running today
    (the platforms app's register of assignments)."""
    from django.utils import timezone

    from techmarket.platforms.services.specialists import visible

    if organisation is None or not is_verified_member(user):
        return False
    today = timezone.localdate()
    return visible(user).filter(institution_id=user.organisation_id, enterprise_id=organisation.pk,
                                starts_on__lte=today, ends_on__gte=today).exists()


@rules.predicate
def is_prefecture_of(user, organisation) -> bool:
    """A prefecture bureau's reviewer (directory.RegionReviewer) of the enterprise's prefecture."""
    return bool(organisation is not None and organisation.region_id and is_active(user)
                and user.region_reviews.filter(region_id=organisation.region_id).exists())


@rules.predicate
def ran_checkup(user, checkup) -> bool:
    return bool(checkup is not None and is_active(user) and checkup.completed_by_id == user.pk
                and checkup.run_by != "self")


rules.add_perm("enterprises.run_checkup_for", is_specialist_for | is_prefecture_of)
rules.set_perm("enterprises.view_checkup", is_member_of_checkup | is_reviewer | ran_checkup)
