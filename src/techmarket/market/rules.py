"""Technology trading and registration (docs/market.md): inquiries, contracts and registrations are seen only by
their parties, the registries examining them and administrators; to everyone else they do not exist (404)."""

import rules

from techmarket.common.permissions import has_django_perm, is_active, is_superuser, is_verified_member
from techmarket.market.services.registries import MANAGE, OVERSEE_PERMISSION, staff_registry


@rules.predicate
def is_registry_staff(user) -> bool:
    """Staff of a registry: the role's permission and an assignment, both needed."""
    return staff_registry(user) is not None


@rules.predicate
def is_inquiry_side(user, inquiry) -> bool:
    return bool(inquiry is not None and is_verified_member(user)
                and user.organisation_id in (inquiry.organisation_id, inquiry.counterpart_id))


@rules.predicate
def is_contract_party(user, contract) -> bool:
    from techmarket.market.services.contracts import is_party

    return bool(contract is not None and is_party(user, contract))


@rules.predicate
def examines_contract(user, contract) -> bool:
    """Staff of a registry the contract was submitted to (the provincial registry's staff also see the
    reconsiderations they decide)."""
    registry = staff_registry(user)
    return bool(contract is not None and registry is not None and any(
        r.registry_id == registry.pk or (registry.is_provincial and r.reconsideration_requested_at)
        for r in contract.registrations.all()))


@rules.predicate
def examines_registration(user, registration) -> bool:
    registry = staff_registry(user)
    return bool(registration is not None and registry is not None and (
        registry.pk == registration.registry_id
        or (registry.is_provincial and registration.reconsideration_requested_at is not None)))


@rules.predicate
def is_registration_party(user, registration) -> bool:
    return bool(registration is not None and is_contract_party(user, registration.contract))


is_overseer = is_active & (is_superuser | has_django_perm(OVERSEE_PERMISSION))

rules.add_perm("market.oversee", is_overseer)
# The provincial department keeps the registries (第十五条): its reviewers' role, or an overseer.
rules.add_perm(MANAGE, is_overseer | (is_active & has_django_perm("catalogue.review_listing")))
rules.add_perm("market.examine", is_registry_staff)
rules.add_perm("market.use_registry_desk", is_registry_staff | is_overseer)
rules.add_perm("market.record_contract", is_verified_member)
rules.add_perm("market.view_inquiry", is_inquiry_side)
rules.add_perm("market.view_contract", is_contract_party | is_overseer | examines_contract)
rules.add_perm("market.view_registration", is_overseer | is_registration_party | examines_registration)
