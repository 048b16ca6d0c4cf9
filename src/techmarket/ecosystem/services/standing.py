"""A party's standing in the registers on a day: the qualifications it holds (codes of data/policy/vocabulary.yaml
`qualifications`: `broker`, `transfer-institution`) and the sanctions in force that block rewards to it (of a
broker; of an organisation's transfer institutions and of the innovation platforms it hosts), each as a Chinese
sentence. ecosystem/policy_facts.py hands this to the policy engine (policy.services.facts)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from techmarket.ecosystem.models import Broker, BrokerStatus, Institution, Sanction, Target
from techmarket.ecosystem.services import brokers as broker_service

BROKER_QUALIFICATION = "broker"
INSTITUTION_QUALIFICATION = "transfer-institution"
BROKER_ROLE = "broker"


@dataclass(frozen=True)
class Found:
    qualifications: frozenset[str]
    blocks: tuple[str, ...]


def _d(day: datetime.date) -> str:
    return day.strftime("%Y-%m-%d")


def _sanction_sentence(subject: str, what: str, sanction: Sanction) -> str:
    if sanction.kind == Sanction.Kind.REVOCATION:
        return f"{subject}的{what}已于{_d(sanction.starts_on)}被撤销（{sanction.article}），不予补助"
    return (f"{subject}的{what}于{_d(sanction.starts_on)}至{_d(sanction.ends_on)}暂停（{sanction.article}），"
            "不予补助")


def broker_standing(name: str, organisation_id: int | None, on: datetime.date) -> Found | None:
    qs = Broker.objects.filter(name=name)
    if organisation_id is not None:
        qs = qs.filter(Q(organisation_id=organisation_id) | Q(institution__organisation_id=organisation_id))
    found = list(qs)
    if not found:
        return None
    qualifications: set[str] = set()
    blocks: list[str] = []
    for broker in found:
        line = broker_service.status_line_on(broker, on)
        if line is None:
            continue
        if line.status == BrokerStatus.Status.QUALIFIED:
            qualifications.add(BROKER_QUALIFICATION)
            continue
        sanction = line.sanction
        subject = f"技术经纪人{broker.name}"
        if sanction is not None:
            blocks.append(_sanction_sentence(subject, "资格", sanction))
        elif line.status == BrokerStatus.Status.REVOKED:
            blocks.append(f"{subject}的资格已于{_d(line.effective_on)}被撤销，不予补助")
        else:
            blocks.append(f"{subject}的资格自{_d(line.effective_on)}起暂停，不予补助")
    if blocks:
        qualifications.discard(BROKER_QUALIFICATION)
    return Found(frozenset(qualifications), tuple(blocks))


def institution_standing(organisation_id: int, on: datetime.date) -> Found | None:
    """A transfer institution's filing on a day, and the suspensions and revocations in force then of the
    organisation's institutions and of the innovation platforms it hosts: each blocks rewards to it."""
    found = list(Institution.objects.filter(organisation_id=organisation_id, approved_on__isnull=False)
                 .prefetch_related("sanctions"))
    platform_sanctions = [s for s in Sanction.objects.filter(target=Target.PLATFORM, platform__host_id=organisation_id)
                          .select_related("platform") if s.in_force_on(on)]
    if not found and not platform_sanctions:
        return None
    qualifications: set[str] = set()
    blocks: list[str] = []
    for institution in found:
        subject = f"技术转移机构{institution.name}"
        in_force = [s for s in institution.sanctions.all() if s.in_force_on(on)]
        blocks += [_sanction_sentence(subject, "备案", s) for s in in_force]
        closed = institution.closed_on is not None and institution.closed_on <= on
        if institution.approved_on <= on and not closed and not in_force:
            qualifications.add(INSTITUTION_QUALIFICATION)
    blocks += [_sanction_sentence(f"创新平台{s.platform.name}", "认定", s) for s in platform_sanctions]
    if blocks:
        qualifications.discard(INSTITUTION_QUALIFICATION)
    return Found(frozenset(qualifications), tuple(blocks))


def standing(role: str, name: str, organisation_id: int | None, on: datetime.date) -> Found | None:
    """A broker is matched by role "broker" and exact name (and organisation when given); an institution by its
    organisation (also for a "broker" party no broker in the register is named like). None when the registers do
    not know the party."""
    if role == BROKER_ROLE and name:
        found = broker_standing(name.strip(), organisation_id, on)
        if found is not None:
            return found
    # Any other party, or a broker that is an organisation (an intermediary institution): by organisation.
    if organisation_id is not None:
        return institution_standing(organisation_id, on)
    return None
