"""Registries (技术合同登记机构) and their staff: loading data/market/registries.yaml, which registry a party
applies to, and who examines for which registry."""

from __future__ import annotations

from django.db import transaction

from techmarket.market.models import Location, Registry, RegistryStaff
from techmarket.market.schemas import RegistriesFile
from techmarket.market.services.rules import read

STAFF_PERMISSION = "market.examine_registration"
OVERSEE_PERMISSION = "market.oversee_registrations"


def registries_data() -> list[dict]:
    return read("registries.yaml", RegistriesFile).model_dump()["registries"]


@transaction.atomic
def sync_registries(**kwargs) -> None:
    """Create or update the registries of the file; a registry removed from it becomes inactive (registrations
    refer to it)."""
    codes = []
    for position, item in enumerate(registries_data()):
        Registry.objects.update_or_create(code=item["code"], defaults={
            "name": item["name"], "region_code": item["region"], "number_code": str(item["number_code"]),
            "is_provincial": bool(item.get("provincial")), "position": position, "active": True,
        })
        codes.append(item["code"])
    Registry.objects.exclude(code__in=codes).update(active=False)


def provincial_registry() -> Registry:
    registry = Registry.objects.filter(is_provincial=True, active=True).first()
    if registry is None:
        sync_registries()
        registry = Registry.objects.get(is_provincial=True, active=True)
    return registry


def active_registries():
    if not Registry.objects.exists():
        sync_registries()
    return Registry.objects.filter(active=True)


def registries_for_party(party) -> list[Registry]:
    """The registries a registering party may apply to.

    A party in a Qinghai prefecture applies to that prefecture's registry or to the provincial one; a party located
    in the province as a whole (no prefecture known) to the provincial one. A party outside Qinghai registers at its
    own locality's registry and records that registration here, where the provincial registry verifies it.
    """
    registries = list(active_registries())
    provincial = [r for r in registries if r.is_provincial]
    if party.location != Location.QINGHAI:
        return provincial
    local = [r for r in registries if not r.is_provincial and r.region_code == party.region_code]
    return local + provincial


def staff_registry(user) -> Registry | None:
    """The registry `user` examines for: an assignment and the group's permission, both needed. Read once per user
    object (a request's user; pages ask several times), as Django keeps a user's permissions."""
    if not (user and user.is_authenticated and user.is_active and user.has_perm(STAFF_PERMISSION)):
        return None
    if getattr(user, "_staff_registry_of", None) != user.pk:
        assignment = RegistryStaff.objects.select_related("registry").filter(user=user).first()
        user._staff_registry = assignment.registry if assignment else None
        user._staff_registry_of = user.pk
    return user._staff_registry


def is_registry_staff(user) -> bool:
    return staff_registry(user) is not None


def can_oversee(user) -> bool:
    """Administrators see every registry's queue, the overdue report and registrations' details."""
    from techmarket.common.permissions import allowed

    return allowed(user, "market.oversee")
