"""Contract-registration institutions (技术合同登记机构) as the department keeps them: the public register with the
conditions of 第十五条, the prefectures served, figures and 第十九条 sanctions; a registry's page where the
department edits it, appoints registrars with their certificates and records sanctions. The records are the
market's (techmarket.market.services.registries); the sanctions are the ecosystem's one kind (services/complaints)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from techmarket.common.audit import history_for
from techmarket.common.errors import DomainError
from techmarket.common.permissions import allowed, permission_required
from techmarket.ecosystem.forms import RegistrarForm, RegistryForm, SanctionForm
from techmarket.ecosystem.models import Target
from techmarket.ecosystem.services import registry_register
from techmarket.ecosystem.services.institutions import NOT_REVIEWER
from techmarket.ecosystem.views.complaints import decide_sanction
from techmarket.market.models import Registry, RegistryStaff
from techmarket.market.services import registries as service

MANAGE = service.MANAGE


def _errors(form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def register(request):
    rows, year = registry_register.entries()
    return render(request, "ecosystem/registries.html", {
        "rows": rows, "year": year, "conditions": service.registry_conditions(),
        "manager": allowed(request.user, MANAGE)})


def _registry(code: str) -> Registry:
    return get_object_or_404(service.registries_with_staff(), code=code)


def detail(request, code: str):
    registry = _registry(code)
    manager = allowed(request.user, MANAGE)
    [row], year = registry_register.entries([registry])
    staff = list(registry.staff.select_related("user").order_by("since", "pk"))
    return render(request, "ecosystem/registry.html", {
        "registry": registry, "row": row, "year": year, "conditions": service.conditions(registry, staff),
        "source": service.registry_conditions(), "manager": manager, "staff": staff if manager else None,
        "sanctions": row.sanctions,
        "form": RegistryForm(registry=registry) if manager else None,
        "registrar_form": RegistrarForm() if manager else None,
        "sanction_form": SanctionForm(target=Target.REGISTRY) if allowed(request.user, "ecosystem.review") else None,
        "history": history_for(registry) if manager else None,
        "can_complain": allowed(request.user, "ecosystem.complain"), "complain_target": Target.REGISTRY,
    })


def _done(request, registry: Registry, call, success: str):
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("ecosystem:registry", code=registry.code)


@require_POST
@permission_required(MANAGE, service.NOT_MANAGER)
def edit(request, code: str):
    registry = _registry(code)
    form = RegistryForm(request.POST, registry=registry)
    if not form.is_valid():
        messages.error(request, "请检查登记机构信息：" + _errors(form))
        return redirect("ecosystem:registry", code=registry.code)
    d = form.cleaned_data
    return _done(request, registry, lambda: service.update_registry(
        request.user, registry, name=d["name"], legal_person=d["legal_person"], has_premises=d["has_premises"],
        region_codes=list(d["served_regions"]), active=d["active"]), "已保存登记机构信息。")


@require_POST
@permission_required(MANAGE, service.NOT_MANAGER)
def appoint(request, code: str):
    registry = _registry(code)
    form = RegistrarForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查登记员信息：" + _errors(form))
        return redirect("ecosystem:registry", code=registry.code)
    d = form.cleaned_data
    return _done(request, registry, lambda: service.appoint_registrar(
        request.user, registry, d["login"], d["certificate_number"], d["certificate_issued_on"], d["full_time"]),
        "已任命登记员。")


def _staff(registry: Registry, pk: int) -> RegistryStaff:
    staff = RegistryStaff.objects.filter(registry=registry, pk=pk).select_related("user").first()
    if staff is None:
        raise Http404
    return staff


@require_POST
@permission_required(MANAGE, service.NOT_MANAGER)
def registrar(request, code: str, pk: int):
    registry = _registry(code)
    staff = _staff(registry, pk)
    if request.POST.get("action") == "remove":
        return _done(request, registry, lambda: service.remove_registrar(request.user, staff), "已解除该登记员。")
    form = RegistrarForm(request.POST, appointed=True)
    if not form.is_valid():
        messages.error(request, "请检查登记员证书：" + _errors(form))
        return redirect("ecosystem:registry", code=registry.code)
    d = form.cleaned_data
    return _done(request, registry, lambda: service.update_registrar(
        request.user, staff, d["certificate_number"], d["certificate_issued_on"], d["full_time"]),
        "已更新登记员证书。")


@require_POST
@permission_required("ecosystem.review", NOT_REVIEWER)
def sanction(request, code: str):
    registry = _registry(code)
    return decide_sanction(request, Target.REGISTRY, registry, reverse("ecosystem:registry", args=[registry.code]))
