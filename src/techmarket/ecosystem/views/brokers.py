"""Brokers: the public register, a broker's page (training, status history, deals, sanctions) and the reviewers'
forms."""

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.common.audit import history_for
from techmarket.common.errors import DomainError
from techmarket.common.permissions import allowed, permission_required
from techmarket.ecosystem.forms import BrokerForm, DealForm, SanctionForm, TrainingForm
from techmarket.ecosystem.models import Broker, BrokerStatus, Target
from techmarket.ecosystem.services import brokers as service
from techmarket.ecosystem.services.institutions import NOT_REVIEWER
from techmarket.ecosystem.views.complaints import decide_sanction

STATUS_CHOICES = [*BrokerStatus.Status.choices, ("none", "未取得资格")]


def _errors(form) -> str:
    return "；".join(e for errs in form.errors.values() for e in errs)


def register(request):
    filters = service.BrokerFilters(q=request.GET.get("q", "")[:100], status=request.GET.get("status", "")[:20])
    rows = [(broker, dict(STATUS_CHOICES).get(status or "none")) for broker, status in service.register(filters)]
    return render(request, "ecosystem/brokers.html", {
        "rows": rows, "filters": filters, "statuses": STATUS_CHOICES,
        "reviewer": allowed(request.user, "ecosystem.review"),
    })


def _day(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def detail(request, pk: int):
    broker = get_object_or_404(Broker.objects.select_related("organisation", "institution"), pk=pk)
    user = request.user
    reviewer = allowed(user, "ecosystem.review")
    asked_on = _day(request.GET.get("on", "")[:10])
    may_record = reviewer or (allowed(user, "ecosystem.file_institution")
                              and broker.organisation_id == user.organisation_id)
    return render(request, "ecosystem/broker.html", {
        "broker": broker,
        "status": service.status_label(broker),
        "asked_on": asked_on,
        "status_on": service.status_label(broker, asked_on) if asked_on else "",
        "statuses": broker.statuses.select_related("sanction").all(),
        "trainings": broker.trainings.all(),
        "deals": service.deals(broker),
        "sanctions": broker.sanctions.all(),
        "contacts": allowed(user, "ecosystem.see_broker_contacts"),
        "reviewer": reviewer,
        "training_form": TrainingForm() if reviewer else None,
        "sanction_form": SanctionForm(target=Target.BROKER) if reviewer else None,
        "deal_form": DealForm(contracts=service.candidate_contracts(broker)) if may_record else None,
        "history": history_for(broker) if reviewer else [],
        "can_complain": allowed(user, "ecosystem.complain"),
        "complain_target": Target.BROKER,
    })


@permission_required("ecosystem.review", NOT_REVIEWER)
def create(request):
    form = BrokerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        institution = d["institution"]
        try:
            broker = service.register_broker(request.user, service.BrokerInput(
                name=d["name"], id_number=d["id_number"], institution_id=institution.pk if institution else None,
                organisation_id=institution.organisation_id if institution else None,
                phone=d["phone"], email=d["email"]))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记技术经纪人，请记录其培训与考核。")
            return redirect(broker)
    return render(request, "ecosystem/broker_form.html", {"form": form})


@require_POST
@permission_required("ecosystem.review", NOT_REVIEWER)
def training(request, pk: int):
    broker = get_object_or_404(Broker, pk=pk)
    form = TrainingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查培训与考核的内容：" + _errors(form))
        return redirect(broker)
    d = form.cleaned_data
    try:
        service.record_training(request.user, broker, d["trainer"], d["trained_on"], d["assessed_on"], d["result"],
                                d["certificate_number"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录培训与考核。")
    return redirect(broker)


@require_POST
@permission_required("ecosystem.review", NOT_REVIEWER)
def sanction(request, pk: int):
    broker = get_object_or_404(Broker, pk=pk)
    return decide_sanction(request, Target.BROKER, broker, broker)


@require_POST
@permission_required("ecosystem.complain", "请先登录。")
def deal(request, pk: int):
    broker = get_object_or_404(Broker, pk=pk)
    form = DealForm(request.POST, contracts=service.candidate_contracts(broker))
    if not form.is_valid():
        messages.error(request, "请选择合同。")
        return redirect(broker)
    try:
        service.record_deal(request.user, broker, form.cleaned_data["contract"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录经纪的合同。")
    return redirect(broker)
