"""Complaints about behaviours 第二十七条 prohibits (data/ecosystem/prohibited_behaviours.yaml) and the sanctions
reviewers decide: a warning, a suspension from a date to a date, a revocation (of a broker's qualification,
第二十八条, or an institution's filing). Sanctions in force show on the registers and block rewards through the
policy facts (ecosystem/policy_facts.py)."""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from techmarket.common.audit import log_action
from techmarket.common.bounds import REASON_MAX
from techmarket.common.datafiles import FileModel, load, read_yaml
from techmarket.common.errors import NotFound
from techmarket.common.notifications import notify
from techmarket.common.permissions import require
from techmarket.ecosystem.models import Broker, BrokerStatus, Complaint, Institution, Sanction, Target
from techmarket.ecosystem.models import EcosystemAction as A
from techmarket.ecosystem.services import brokers as broker_service
from techmarket.ecosystem.services.errors import EcosystemError, EcosystemInputError
from techmarket.ecosystem.services.institutions import NOT_REVIEWER, members, reviewers, today
from techmarket.market.models import Registry
from techmarket.platforms.models import Platform, Review
from techmarket.platforms.services import records as platform_records

TOPIC = "ecosystem.complaint"
NOT_LOGGED_IN = "请先登录再投诉举报。"


class Behaviour(FileModel):
    code: str
    clause: str
    label: str


class BehavioursFile(FileModel):
    source: dict
    behaviours: list[Behaviour]


@cache
def behaviours() -> dict[str, Behaviour]:
    path = Path(settings.TECHMARKET_DATA_FILES) / "ecosystem" / "prohibited_behaviours.yaml"
    return {b.code: b for b in load(BehavioursFile, read_yaml(path), path.name).behaviours}


def behaviour_choices() -> list[tuple[str, str]]:
    return [(b.code, f"{b.clause}{b.label}") for b in behaviours().values()]


def behaviour_label(code: str) -> str:
    item = behaviours().get(code)
    return f"第二十七条{item.clause}{item.label}" if item else code


def resolve_target(user, target: str, key: str) -> tuple[str, object | None]:
    """(label, register object or None) of what a complaint is about; NotFound if there is none the user may see."""
    key = (key or "").strip()[:60]
    if target == Target.INSTITUTION and key.isdigit():
        institution = Institution.objects.filter(pk=int(key), status__in=[
            Institution.Status.FILED, Institution.Status.CLOSED, Institution.Status.REVOKED]).first()
        if institution:
            return f"技术转移机构 {institution.name}", institution
    elif target == Target.BROKER and key.isdigit():
        broker = Broker.objects.filter(pk=int(key)).first()
        if broker:
            return f"技术经纪人 {broker.name}", broker
    elif target == Target.PLATFORM and key.isdigit():
        platform = Platform.objects.filter(pk=int(key), status=Review.APPROVED).first()
        if platform:
            return f"创新平台 {platform.name}", platform
    elif target == Target.REGISTRY and key:
        registry = Registry.objects.filter(code=key).first()
        if registry:
            return f"技术合同登记机构 {registry.name}", registry
    elif target == Target.LISTING and key:
        from techmarket.catalogue.services.listings import visible_listings

        listing = visible_listings(user).filter(reference=key).first()
        if listing:
            return f"条目 {listing.number} {listing.title}"[:200], None
    elif target == Target.CONTRACT and key.isdigit():
        from techmarket.market.services.brokered import contract_label

        label = contract_label(int(key), user)
        if label:
            return label[:200], None
    raise NotFound("未找到投诉举报的对象，或您无权查看。")


def complain(user, target: str, key: str, behaviour: str, description: str) -> Complaint:
    require(user, "ecosystem.complain", message=NOT_LOGGED_IN)
    if behaviour not in behaviours():
        raise EcosystemInputError("请选择第二十七条所列的违规行为。")
    description = (description or "").strip()
    if not description or len(description) > REASON_MAX:
        raise EcosystemInputError(f"请写明事实和理由（最多 {REASON_MAX} 字）。")
    label, _ = resolve_target(user, target, key)
    with transaction.atomic():
        complaint = Complaint(target=target, target_key=key, target_label=label, behaviour=behaviour,
                              description=description, reporter=user)
        complaint.full_clean()
        complaint.save()
        log_action(complaint, A.COMPLAIN, user, to_value=Complaint.Status.OPEN,
                   data={"behaviour": behaviour})
        notify(reviewers(), TOPIC, f"收到投诉举报：{label}", behaviour_label(behaviour), complaint.get_absolute_url())
    return complaint


def dismiss(user, complaint: Complaint, outcome: str) -> Complaint:
    require(user, "ecosystem.review", message=NOT_REVIEWER)
    outcome = (outcome or "").strip()
    if not outcome:
        raise EcosystemInputError("请填写调查结论。")
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.status != Complaint.Status.OPEN:
            raise EcosystemError("该投诉举报已有调查结论。")
        complaint.status = Complaint.Status.DISMISSED
        complaint.outcome = outcome
        complaint.decided_by = user
        complaint.decided_at = timezone.now()
        complaint.save()
        log_action(complaint, A.DISMISS, user, from_value=Complaint.Status.OPEN, to_value=complaint.status,
                   reason=outcome)
        notify([complaint.reporter], TOPIC, f"投诉举报调查结论：{complaint.target_label}", f"不成立。{outcome}",
               complaint.get_absolute_url())
    return complaint


# What may be decided about whom: 第十九条 for a contract-registration institution, 第二十七/二十八条 for the rest.
REGISTRY_KINDS = (Sanction.Kind.CRITICISM, Sanction.Kind.RECTIFICATION)
OTHER_KINDS = (Sanction.Kind.WARNING, Sanction.Kind.SUSPENSION, Sanction.Kind.REVOCATION)
DATED_KINDS = (Sanction.Kind.SUSPENSION, Sanction.Kind.RECTIFICATION)  # these need an end date


def kinds_for(target: str) -> tuple[str, ...]:
    return tuple(str(k) for k in (REGISTRY_KINDS if target == Target.REGISTRY else OTHER_KINDS))


def kind_choices(target: str) -> list[tuple[str, str]]:
    return [(k, Sanction.Kind(k).label) for k in kinds_for(target)]


def default_article(target: str, kind: str) -> str:
    if target == Target.REGISTRY:
        return "第十九条"
    return "第二十八条" if (target == Target.BROKER and kind == Sanction.Kind.REVOCATION) else "第二十七条"


def sanction(user, target: str, subject, kind: str, starts_on: datetime.date, ends_on: datetime.date | None,
             reason: str, *, article: str = "", complaint: Complaint | None = None,
             target_key: str = "", target_label: str = "") -> Sanction:
    """Decide a sanction. `subject` is the Institution, Broker, Registry or Platform (None for a listing or a
    contract, named by `target_key`/`target_label`). A broker's suspension and revocation enter its status
    history; an institution's revocation takes it off the filed institutions."""
    require(user, "ecosystem.review", message=NOT_REVIEWER)
    reason = (reason or "").strip()
    if not reason:
        raise EcosystemInputError("请填写处理理由。")
    if kind not in kinds_for(target):
        raise EcosystemInputError("请选择处理方式。")
    if kind in DATED_KINDS and ends_on is None:
        raise EcosystemInputError(f"{Sanction.Kind(kind).label}须填写截止日期。")
    if ends_on is not None and ends_on < starts_on:
        raise EcosystemInputError("截止日期不能早于起始日期。")
    if kind not in DATED_KINDS:
        ends_on = None
    if not article:
        article = default_article(target, kind)
    with transaction.atomic():
        if complaint is not None:
            complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
            if complaint.status != Complaint.Status.OPEN:
                raise EcosystemError("该投诉举报已有调查结论。")
        item = Sanction(target=target, kind=kind, starts_on=starts_on, ends_on=ends_on, article=article,
                        reason=reason, complaint=complaint, decided_by=user,
                        target_key=str(subject.pk) if subject is not None else target_key,
                        target_label=target_label or _label(subject))
        if isinstance(subject, Institution):
            item.institution = subject
        elif isinstance(subject, Broker):
            item.broker = subject
        elif isinstance(subject, Registry):
            item.registry = subject
            item.target_key = subject.code
        elif isinstance(subject, Platform):
            item.platform = subject
        item.full_clean()
        item.save()
        log_action(subject or item, A.SANCTION, user, to_value=kind, reason=reason,
                   data={"sanction": item.pk, "starts_on": starts_on.isoformat(),
                         "ends_on": ends_on.isoformat() if ends_on else "", "article": article})
        _apply(user, item, subject)
        if complaint is not None:
            complaint.status = Complaint.Status.SANCTIONED
            complaint.outcome = f"{item.get_kind_display()}：{reason}"
            complaint.decided_by = user
            complaint.decided_at = timezone.now()
            complaint.save()
            log_action(complaint, A.SANCTION, user, from_value=Complaint.Status.OPEN, to_value=complaint.status,
                       reason=reason)
            notify([complaint.reporter], TOPIC, f"投诉举报调查结论：{complaint.target_label}",
                   complaint.outcome, complaint.get_absolute_url())
        organisation_id = getattr(subject, "organisation_id", None) or getattr(subject, "host_id", None)
        if organisation_id:
            notify(members(organisation_id), TOPIC, f"处理决定：{item.target_label}{item.get_kind_display()}",
                   reason, subject.get_absolute_url())
    return item


def _label(subject) -> str:
    if subject is None:
        return ""
    if isinstance(subject, Registry):
        return f"技术合同登记机构 {subject.name}"
    if isinstance(subject, Platform):
        return f"创新平台 {subject.name}"
    return subject.audit_label


def _apply(user, item: Sanction, subject) -> None:
    if isinstance(subject, Broker):
        why = f"{item.article}：{item.reason}"
        if item.kind == Sanction.Kind.REVOCATION:
            broker_service.set_status(subject, BrokerStatus.Status.REVOKED, item.starts_on, why, user, item)
        elif item.kind == Sanction.Kind.SUSPENSION:
            before = broker_service.status_on(subject, item.ends_on + datetime.timedelta(days=1))
            broker_service.set_status(subject, BrokerStatus.Status.SUSPENDED, item.starts_on, why, user, item)
            if before == BrokerStatus.Status.QUALIFIED:
                broker_service.set_status(subject, BrokerStatus.Status.QUALIFIED,
                                          item.ends_on + datetime.timedelta(days=1), "暂停期满，恢复资格", user, item)
    elif item.kind == Sanction.Kind.REVOCATION and item.starts_on <= today():
        _revoke(user, item, logged=False)


def _revoke(user, item: Sanction, logged: bool = True) -> bool:
    """A revocation takes effect: an institution leaves the filed ones (its history says so unless `logged` is
    False: the decision's own entry, made the same moment, says it), a platform is closed. False when it had taken
    effect already. The caller holds the transaction."""
    if item.institution_id is not None:
        institution = Institution.objects.select_for_update().get(pk=item.institution_id)
        if institution.status != Institution.Status.FILED:
            return False
        institution.status = Institution.Status.REVOKED
        institution.save(update_fields=["status", "updated_at"])
        if logged:
            log_action(institution, A.STATUS, user, from_value=Institution.Status.FILED, to_value=institution.status,
                       reason=f"{item.article}：{item.reason}",
                       data={"sanction": item.pk, "on": item.starts_on.isoformat()})
        return True
    if item.platform_id is not None:
        before = item.platform.state
        return platform_records.close(user, item.platform, f"{item.article}：{item.reason}",
                                      item.starts_on).state != before
    return False


def apply_due_revocations(on: datetime.date | None = None) -> list[Sanction]:
    """Revocations decided ahead (from a later day) of institutions and platforms take effect once their day has
    come: run daily by the scheduler (ops.schedule, `techmarket apply_sanctions`). Each in its own transaction,
    in the name of whoever decided it; one already in effect changes nothing. Returns those applied."""
    on = on or today()
    due = (Sanction.objects.filter(kind=Sanction.Kind.REVOCATION, starts_on__lte=on)
           .filter(Q(institution__status=Institution.Status.FILED)
                   | (Q(platform__isnull=False) & ~Q(platform__state=Platform.State.CLOSED)))
           .select_related("institution", "platform", "decided_by").order_by("starts_on", "pk"))
    applied = []
    for item in due:
        with transaction.atomic():
            if _revoke(item.decided_by, item):
                applied.append(item)
    return applied


def open_complaints():
    return Complaint.objects.filter(status=Complaint.Status.OPEN).select_related("reporter").order_by("created_at")


def sanctions_for(target: str, key: str):
    return Sanction.objects.filter(target=target, target_key=str(key)).order_by("-starts_on", "-id")


def registry_sanctions():
    """第十九条 decisions about contract-registration institutions, newest first."""
    return Sanction.objects.filter(target=Target.REGISTRY, registry__isnull=False).order_by("-starts_on", "-id")
