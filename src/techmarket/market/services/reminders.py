"""Deadline reminders for technology contract registrations (`techmarket remind_registrations`, run daily).

A pending application (submitted, accepted or under reconsideration) whose decision is due within N days (default
5), or is already overdue, is brought to the attention of the staff who must decide it: the staff of its registry,
and for a reconsideration the provincial registry's staff (who decide reconsiderations). Each gets a notification
(techmarket.common.notifications: the inbox, and an e-mail after commit unless they switched the topic off).

At most once per registration per day: each notification carries the key `registration-deadline:<id>:<date>`,
and a second run the same day finds it and sends nothing again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet

from techmarket.common.notifications import notify
from techmarket.market.models import Registration, RegistryStaff
from techmarket.market.services.registration import PENDING, today, with_relations
from techmarket.market.services.registries import STAFF_PERMISSION

TOPIC = "market.registration-deadline"  # declared in market/notification_topics.py
DEFAULT_DAYS = 5


@dataclass
class Reminded:
    registration: Registration
    days_left: int
    staff: list = field(default_factory=list)  # users notified now
    emails: list[str] = field(default_factory=list)  # addresses e-mailed after commit


def due_soon(days: int = DEFAULT_DAYS, on: datetime.date | None = None) -> QuerySet[Registration]:
    """Pending applications due within `days` days of `on` (default today), overdue ones included, by deadline."""
    if days < 0:
        raise ValueError("days must not be negative")
    on = on or today()
    return with_relations(Registration.objects.filter(status__in=PENDING,
                                                      due_on__lte=on + datetime.timedelta(days=days))
                          ).order_by("due_on", "id")


def deciding_staff(registration: Registration) -> list:
    """The active staff (assigned and holding the registrars' permission) who decide the application now."""
    if registration.status == Registration.Status.RECONSIDERATION:
        assignments = RegistryStaff.objects.filter(registry__is_provincial=True).exclude(certificate_number="")
    else:
        assignments = RegistryStaff.objects.filter(registry_id=registration.registry_id).exclude(certificate_number="")
    users = get_user_model().objects.filter(pk__in=assignments.values("user_id"), is_active=True).order_by("pk")
    return [user for user in users if user.has_perm(STAFF_PERMISSION)]


def reminder_key(registration: Registration, on: datetime.date) -> str:
    return f"registration-deadline:{registration.pk}:{on.isoformat()}"


def _message(registration: Registration, days_left: int) -> tuple[str, str]:
    contract = registration.contract
    if days_left < 0:
        when = f"已逾期 {-days_left} 日（应于 {registration.due_on:%Y-%m-%d} 前作出决定）"
        title = f"登记申请已逾期：{contract.title}"
    elif days_left == 0:
        when = f"今日（{registration.due_on:%Y-%m-%d}）到期"
        title = f"登记申请今日到期：{contract.title}"
    else:
        when = f"还有 {days_left} 日到期（应于 {registration.due_on:%Y-%m-%d} 前作出决定）"
        title = f"登记申请即将到期：{contract.title}"
    body = "\n".join([
        f"{registration.registry.name}：",
        "",
        f"技术合同“{contract.title}”的{registration.get_status_display()}登记申请（{registration.label}，"
        f"登记方 {registration.organisation.name}）{when}。",
        "",
        "请登录平台，在登记审查队列中及时办理。",
    ])
    return title, body


def remind_registrations(days: int = DEFAULT_DAYS, on: datetime.date | None = None) -> list[Reminded]:
    """Notify the deciding staff of every application due soon or overdue (see the module's docstring); returns
    those notified by this run (none a second time on the same day)."""
    on = on or today()
    result = []
    for registration in due_soon(days, on):
        staff = deciding_staff(registration)
        if not staff:
            continue
        days_left = (registration.due_on - on).days
        title, body = _message(registration, days_left)
        with transaction.atomic():
            done = notify(staff, TOPIC, title, body, link=registration.get_absolute_url(),
                          key=reminder_key(registration, on))
        if done.notifications:
            result.append(Reminded(registration, days_left, [n.recipient for n in done.notifications],
                                   done.emails))
    return result
