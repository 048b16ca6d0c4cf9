"""The history of deals and registrations, in the one audit log (techmarket.common.audit).

A step of a deal is logged about the contract when there is one, else about the inquiry, with the acting
organisation (its id and name, as shown on the pages) and, for a contract made from an inquiry, the inquiry's id
in `data`; a registration's steps are logged about the registration, from one status to the next."""

from django.db.models import QuerySet

from techmarket.common import audit
from techmarket.common.models import AuditEntry
from techmarket.market.models import Contract, Inquiry


def log_deal(action: str, user, *, inquiry: Inquiry | None = None, contract: Contract | None = None,
             note: str = "", data: dict | None = None) -> AuditEntry:
    data = dict(data or {})
    if inquiry is not None and contract is not None:
        data["inquiry"] = inquiry.pk
    organisation = getattr(user, "organisation", None)
    if organisation is not None:
        data["organisation_id"], data["organisation"] = organisation.pk, organisation.name
    return audit.log_action(contract if contract is not None else inquiry, action, user, reason=note, data=data)


def deal_history(inquiry: Inquiry) -> QuerySet[AuditEntry]:
    """The steps of a deal: the inquiry's and those of every contract made from it, oldest first."""
    return audit.history_for(inquiry, Contract.objects.filter(inquiry=inquiry))


def contract_history(contract: Contract) -> QuerySet[AuditEntry]:
    """The steps shown on a contract's page: its own, and those of the inquiry it was made from (with the
    contract steps logged about that inquiry), oldest first."""
    if contract.inquiry_id is None:
        return audit.history_for(contract)
    siblings = audit.history_of_model(Contract).filter(data__inquiry=contract.inquiry_id)
    return (audit.history_for(contract, contract.inquiry) | siblings).select_related("actor").order_by("at", "id")


STAFF_GRANT, STAFF_REVOKE = "registry-staff-grant", "registry-staff-revoke"


def _log_staff(staff, action: str) -> None:
    actor = audit.current_actor()
    registry = staff.registry.name
    audit.log_action(staff.user, action, actor if actor is not None and actor.is_authenticated else None,
                     actor_label="" if actor is not None else "system",
                     to_value=registry if action == STAFF_GRANT else "",
                     from_value=registry if action == STAFF_REVOKE else "", data={"registry": staff.registry.code})


def registry_staff_saved(sender, instance, created, raw=False, **kwargs):
    """post_save of RegistryStaff: a user made staff of a registry (a role grant) is logged about the user."""
    if created and not raw:
        _log_staff(instance, STAFF_GRANT)


def registry_staff_deleted(sender, instance, **kwargs):
    _log_staff(instance, STAFF_REVOKE)
