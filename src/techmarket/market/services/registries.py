"""Registries (技术合同登记机构) and their staff: the registries of data/market/registries.yaml created after
migrate, then kept by the provincial department as managed records (name, legal person, premises, the prefectures
they serve, their registrars with the 技术合同认定登记员证书), the conditions of 第十五条 checked against them,
which registry a party applies to, and who examines for which registry (docs/market.md, "Registries")."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from techmarket.common.audit import log_action
from techmarket.common.bounds import NAME_MAX, checked_text
from techmarket.common.errors import InvalidInput, Refused
from techmarket.common.permissions import require
from techmarket.directory.models import Region
from techmarket.market.models import Location, Registry, RegistryAction, RegistryStaff
from techmarket.market.schemas import RegistriesFile
from techmarket.market.services.rules import read

STAFF_PERMISSION = "market.examine_registration"
OVERSEE_PERMISSION = "market.oversee_registrations"
MANAGE = "market.manage_registries"
NOT_MANAGER = "只有省科技厅工作人员可以管理技术合同登记机构。"
CERTIFICATE_MAX = 40


def _file() -> RegistriesFile:
    return read("registries.yaml", RegistriesFile)


def registries_data() -> list[dict]:
    return _file().model_dump()["registries"]


def registry_conditions():
    """第十五条 as data/market/registries.yaml states it (document, article, excerpt, min_registrars)."""
    return _file().conditions


@transaction.atomic
def sync_registries(**kwargs) -> None:
    """Create the registries of the file that the database lacks. An existing registry is a managed record: the
    file does not change it (the department edits it on the platform)."""
    existing = set(Registry.objects.values_list("code", flat=True))
    for position, item in enumerate(registries_data()):
        if item["code"] in existing:
            continue
        Registry.objects.create(code=item["code"], name=item["name"], region_code=item["region"],
                                number_code=str(item["number_code"]), is_provincial=bool(item.get("provincial")),
                                position=position, active=True)


def served_codes(registry: Registry) -> set[str]:
    """The region codes whose parties apply at `registry`: the prefectures it serves, or, when none is recorded,
    its own region."""
    codes = {region.code for region in registry.served_regions.all()}
    return codes or {registry.region_code}


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
    registries = list(active_registries().prefetch_related("served_regions"))
    provincial = [r for r in registries if r.is_provincial]
    if party.location != Location.QINGHAI:
        return provincial
    local = [r for r in registries if not r.is_provincial and party.region_code in served_codes(r)]
    return local + provincial


def staff_registry(user) -> Registry | None:
    """The registry `user` examines for: an assignment with a recorded registrar certificate (第十五条（二）) and
    the group's permission, all needed. Read once per user object (a request's user; pages ask several times), as
    Django keeps a user's permissions."""
    if not (user and user.is_authenticated and user.is_active and user.has_perm(STAFF_PERMISSION)):
        return None
    if getattr(user, "_staff_registry_of", None) != user.pk:
        assignment = (RegistryStaff.objects.select_related("registry").filter(user=user)
                      .exclude(certificate_number="").first())
        user._staff_registry = assignment.registry if assignment else None
        user._staff_registry_of = user.pk
    return user._staff_registry


def is_registry_staff(user) -> bool:
    return staff_registry(user) is not None


def can_oversee(user) -> bool:
    """Administrators see every registry's queue, the overdue report and registrations' details."""
    from techmarket.common.permissions import allowed

    return allowed(user, "market.oversee")


# The register of registries and its management by the department.

@dataclass(frozen=True)
class Condition:
    clause: str
    label: str
    met: bool
    detail: str

    @property
    def message(self) -> str:
        return f"{self.clause}{self.label}：{self.detail}"


def certified(staff: list[RegistryStaff]) -> list[RegistryStaff]:
    """The full-time registrars holding a certificate: those 第十五条（二）counts."""
    return [s for s in staff if s.full_time and s.certificate_number]


def conditions(registry: Registry, staff: list[RegistryStaff] | None = None) -> list[Condition]:
    """The three conditions of 第十五条, each met or not with the fact it rests on."""
    if staff is None:
        staff = list(registry.staff.all())
    article = registry_conditions().article
    need = registry_conditions().min_registrars
    count = len(certified(staff))
    return [
        Condition(f"{article}（一）", "具备法人资格", bool(registry.legal_person),
                  f"依托法人单位：{registry.legal_person}" if registry.legal_person else "尚未登记依托的法人单位"),
        Condition(f"{article}（二）", f"有 {need} 名以上持证专职登记人员", count >= need,
                  f"持《技术合同认定登记员证书》的专职人员 {count} 人"
                  + ("" if count >= need else f"，还差 {need - count} 人")),
        Condition(f"{article}（三）", "具备登记所需的办公场所和办公条件", registry.has_premises,
                  "已确认" if registry.has_premises else "尚未确认"),
    ]


def unmet_conditions(registry: Registry, staff: list[RegistryStaff] | None = None) -> list[Condition]:
    return [c for c in conditions(registry, staff) if not c.met]


def registries_with_staff():
    return (Registry.objects.prefetch_related("served_regions", "staff__user")
            .order_by("-active", "position", "code"))


def prefectures():
    """The regions a registry may serve: the province's prefectures."""
    return Region.objects.filter(kind=Region.Kind.PREFECTURE).order_by("position", "code")


_line = partial(checked_text, error=InvalidInput, single_line=True)


def update_registry(user, registry: Registry, *, name: str, legal_person: str, has_premises: bool,
                    region_codes: list[str], active: bool) -> Registry:
    """The department edits a registry's record; every change is logged with the fields before and after."""
    require(user, MANAGE, message=NOT_MANAGER)
    name = _line(name, "名称", 100, required=True)
    legal_person = _line(legal_person, "依托法人单位", NAME_MAX, required=False)
    regions = list(prefectures().filter(code__in=region_codes))
    if len(regions) != len(set(region_codes)):
        raise InvalidInput("服务的市州须从列表中选择。")
    with transaction.atomic():
        registry = Registry.objects.select_for_update().get(pk=registry.pk)
        if not active and registry.is_provincial:
            raise Refused("省级登记机构不能停用：省外登记的核验和复议由它办理。")
        before = _snapshot(registry)
        registry.name, registry.legal_person = name, legal_person
        registry.has_premises, registry.active = bool(has_premises), bool(active)
        try:
            registry.full_clean()
        except ValidationError as exc:
            raise InvalidInput("；".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc
        registry.save()
        registry.served_regions.set(regions)
        after = _snapshot(registry)
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changed:
            log_action(registry, RegistryAction.EDIT, user, data={"changed": changed})
    return registry


def _snapshot(registry: Registry) -> dict:
    return {"name": registry.name, "legal_person": registry.legal_person, "has_premises": registry.has_premises,
            "active": registry.active,
            "served_regions": sorted(r.name for r in registry.served_regions.all())}


def _certificate(number: str, issued_on: datetime.date | None) -> tuple[str, datetime.date | None]:
    number = _line(number, "登记员证书编号", CERTIFICATE_MAX, required=True)
    if issued_on is not None and issued_on > datetime.date.today():
        raise InvalidInput("发证日期不能晚于今天。")
    return number, issued_on


def appoint_registrar(user, registry: Registry, login: str, certificate_number: str,
                      issued_on: datetime.date | None, full_time: bool = True) -> RegistryStaff:
    """Make the user with this user name or e-mail a registrar of `registry` (第十五条（二）: with the number of
    the certificate they hold). The user gets the registrars' role; a user registers at one registry at a time."""
    require(user, MANAGE, message=NOT_MANAGER)
    number, issued_on = _certificate(certificate_number, issued_on)
    login = (login or "").strip()
    users = get_user_model().objects.filter(is_active=True)
    person = (users.filter(username=login).first() or users.filter(email__iexact=login).first()) if login else None
    if person is None:
        raise InvalidInput("未找到该用户（请填写用户名或注册邮箱）。")
    from techmarket.accounts.roles import REGISTRARS

    try:
        with transaction.atomic():
            registry = Registry.objects.select_for_update().get(pk=registry.pk)
            if not registry.active:
                raise Refused("该登记机构已停用。")
            if RegistryStaff.objects.filter(user=person).exists():
                raise Refused("该用户已是登记机构工作人员；请先在原机构解除。")
            staff = RegistryStaff(user=person, registry=registry, certificate_number=number,
                                  certificate_issued_on=issued_on, full_time=bool(full_time))
            staff.save()
            Group.objects.get(name=REGISTRARS).user_set.add(person)
            log_action(registry, RegistryAction.APPOINT, user, to_value=person.get_username(),
                       data={"certificate_number": number})
    except IntegrityError as exc:
        raise Refused("该用户已是登记机构工作人员；请先在原机构解除。") from exc
    return staff


def update_registrar(user, staff: RegistryStaff, certificate_number: str, issued_on: datetime.date | None,
                     full_time: bool) -> RegistryStaff:
    require(user, MANAGE, message=NOT_MANAGER)
    number, issued_on = _certificate(certificate_number, issued_on)
    with transaction.atomic():
        staff = RegistryStaff.objects.select_for_update().select_related("registry", "user").get(pk=staff.pk)
        before = {"certificate_number": staff.certificate_number, "full_time": staff.full_time}
        staff.certificate_number, staff.certificate_issued_on = number, issued_on
        staff.full_time = bool(full_time)
        staff.save()
        log_action(staff.registry, RegistryAction.EDIT_REGISTRAR, user, to_value=staff.user.get_username(),
                   data={"before": before, "certificate_number": number, "full_time": staff.full_time})
    return staff


def remove_registrar(user, staff: RegistryStaff) -> None:
    """End a registrar's assignment; the role goes with it."""
    require(user, MANAGE, message=NOT_MANAGER)
    from techmarket.accounts.roles import REGISTRARS

    with transaction.atomic():
        staff = RegistryStaff.objects.select_for_update().select_related("registry", "user").filter(
            pk=staff.pk).first()
        if staff is None:
            raise Refused("该工作人员已解除。")
        person, registry = staff.user, staff.registry
        staff.delete()
        Group.objects.get(name=REGISTRARS).user_set.remove(person)
        log_action(registry, RegistryAction.REMOVE, user, from_value=person.get_username())
