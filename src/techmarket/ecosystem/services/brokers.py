"""Technology brokers (技术经纪人): the register the provincial department keeps, training and assessment records
(第二十五条), a dated status history (so the status on any day can be asked), the contracts each brokered (read
through techmarket.market.services.brokered) and the sanctions that suspend or revoke (第二十八条)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from techmarket.common.audit import log_action
from techmarket.common.notifications import notify
from techmarket.common.permissions import require
from techmarket.ecosystem.models import Broker, BrokerDeal, BrokerStatus, Training
from techmarket.ecosystem.models import EcosystemAction as A
from techmarket.ecosystem.services.errors import EcosystemError, EcosystemInputError
from techmarket.ecosystem.services.institutions import NOT_REVIEWER, members, today
from techmarket.market.services.brokered import BrokeredContract, brokered_contracts, contracts_by_id

ST = BrokerStatus.Status


@dataclass
class BrokerInput:
    name: str
    id_number: str = ""
    organisation_id: int | None = None
    institution_id: int | None = None
    phone: str = ""
    email: str = ""


def register_broker(user, data: BrokerInput) -> Broker:
    require(user, "ecosystem.review", message=NOT_REVIEWER)
    name = (data.name or "").strip()
    if not name:
        raise EcosystemInputError("请填写技术经纪人姓名。")
    with transaction.atomic():
        broker = Broker(name=name, id_number=data.id_number.strip(), organisation_id=data.organisation_id,
                        institution_id=data.institution_id, phone=data.phone.strip(), email=data.email.strip(),
                        created_by=user)
        if broker.institution_id and not broker.organisation_id:
            broker.organisation_id = broker.institution.organisation_id
        broker.full_clean()
        broker.save()
        log_action(broker, A.REGISTER_BROKER, user)
    return broker


def record_training(user, broker: Broker, trainer: str, trained_on: datetime.date, assessed_on: datetime.date,
                    result: str, certificate_number: str = "") -> Training:
    """A training and its assessment; a pass qualifies the broker from the assessment's date (unless revoked)."""
    require(user, "ecosystem.review", message=NOT_REVIEWER)
    if result not in Training.Result.values:
        raise EcosystemInputError("请选择考核结果。")
    if assessed_on < trained_on:
        raise EcosystemInputError("考核日期不能早于培训日期。")
    if assessed_on > today():
        raise EcosystemInputError("考核日期不能晚于今天。")
    if result == Training.Result.PASSED and not certificate_number.strip():
        raise EcosystemInputError("考核合格的，请填写证书编号。")
    with transaction.atomic():
        broker = Broker.objects.select_for_update().get(pk=broker.pk)
        training = Training(broker=broker, trainer=trainer.strip(), trained_on=trained_on, assessed_on=assessed_on,
                            result=result, certificate_number=certificate_number.strip(), recorded_by=user)
        training.full_clean()
        training.save()
        log_action(broker, A.RECORD_TRAINING, user, to_value=result,
                   data={"trainer": training.trainer, "assessed_on": assessed_on.isoformat(),
                         "certificate": training.certificate_number})
        if result == Training.Result.PASSED and status_on(broker, assessed_on) != ST.REVOKED:
            set_status(broker, ST.QUALIFIED, assessed_on, f"培训考核合格（证书 {training.certificate_number}）", user)
    return training


def set_status(broker: Broker, status: str, effective_on: datetime.date, reason: str, user, sanction=None):
    """Add a line to the status history (inside the caller's transaction) and log it."""
    before = status_on(broker, effective_on) or ""
    line = BrokerStatus.objects.create(broker=broker, status=status, effective_on=effective_on, reason=reason[:300],
                                       sanction=sanction)
    log_action(broker, A.STATUS, user, from_value=before, to_value=status, reason=reason,
               data={"effective_on": effective_on.isoformat()})
    if broker.organisation_id:
        notify(members(broker.organisation_id), "ecosystem.broker",
               f"技术经纪人{broker.name}：{line.get_status_display()}（{effective_on:%Y-%m-%d} 起）", reason,
               broker.get_absolute_url())
    return line


def status_line_on(broker: Broker, on: datetime.date) -> BrokerStatus | None:
    """The line in force on `on`: the last one effective on or before it (None: never qualified by then)."""
    return broker.statuses.filter(effective_on__lte=on).order_by("-effective_on", "-id").first()


def status_on(broker: Broker, on: datetime.date) -> str | None:
    line = status_line_on(broker, on)
    return line.status if line else None


def status_label(broker: Broker, on: datetime.date | None = None) -> str:
    line = status_line_on(broker, on or today())
    return line.get_status_display() if line else "未取得资格"


@dataclass
class BrokerFilters:
    q: str = ""
    status: str = ""
    organisation: int | None = None


def register(filters: BrokerFilters | None = None) -> list[tuple[Broker, str | None]]:
    """The public register: every broker with its status today (filtered by status, name, organisation)."""
    filters = filters or BrokerFilters()
    qs: QuerySet[Broker] = Broker.objects.select_related("organisation", "institution")
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(organisation__name__icontains=filters.q)
                       | Q(institution__name__icontains=filters.q))
    if filters.organisation:
        qs = qs.filter(organisation_id=filters.organisation)
    day = today()
    rows = [(broker, status_on(broker, day)) for broker in qs.order_by("name", "pk")[:500]]
    if filters.status:
        rows = [row for row in rows if (row[1] or "none") == filters.status]
    return rows


def find(name: str, organisation_id: int | None = None) -> list[Broker]:
    qs = Broker.objects.filter(name=name)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return list(qs)


# --- Deals ------------------------------------------------------------------------------------------------

def candidate_contracts(broker: Broker) -> list[BrokeredContract]:
    """Contracts the broker's organisation brokered on the platform, not yet linked to the broker."""
    if not broker.organisation_id:
        return []
    linked = set(broker.deals.values_list("contract_id", flat=True))
    return [c for c in brokered_contracts(broker.organisation_id) if c.id not in linked]


def record_deal(user, broker: Broker, contract_id: int) -> BrokerDeal:
    """Link a contract the broker's organisation brokered to the broker (reviewers, or the organisation's members)."""
    if not (_may_record_deal(user, broker)):
        raise EcosystemError("只有审核人员或该经纪人所在单位已核验的成员可以记录经纪的合同。")
    if contract_id not in {c.id for c in candidate_contracts(broker)}:
        raise EcosystemError("该合同不是本单位作为中介方（技术经纪人或中介机构）参与的合同，或已记录。")
    with transaction.atomic():
        deal = BrokerDeal.objects.create(broker=broker, contract_id=contract_id, recorded_by=user)
        log_action(broker, A.RECORD_DEAL, user, data={"contract": contract_id})
    return deal


def _may_record_deal(user, broker: Broker) -> bool:
    from techmarket.common.permissions import allowed

    return allowed(user, "ecosystem.review") or (
        allowed(user, "ecosystem.file_institution") and broker.organisation_id == user.organisation_id)


def deals(broker: Broker) -> list[BrokeredContract]:
    return contracts_by_id(broker.deals.values_list("contract_id", flat=True))
