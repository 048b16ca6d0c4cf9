"""The notification centre: an in-app inbox (消息) and e-mail through Django's mail backends, with each user's
choice of e-mails per topic (通知设置). See docs/notifications.md.

A domain declares its topics in `<app>/notification_topics.py` (discovered when the project starts) with
`register_topic(code, label, description)`, then calls

    notify(users, topic, title, body, link)

inside its own transaction: the inbox rows are written in that transaction, and the e-mails leave only after it
commits (transaction.on_commit), so a rolled-back action mails nothing. A mail failure is logged and never breaks
the action. E-mail goes only to active users with an address who have not switched the topic off.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from techmarket.common.bounds import TITLE_MAX
from techmarket.common.models import KEY_MAX, LINK_MAX, TOPIC_MAX, Notification, NotificationPreference

log = logging.getLogger(__name__)

SUBJECT_PREFIX = "【青海科技开放合作平台】"
SIGNATURE = "青海省科学技术厅 · 青海科技开放合作平台"


# --- Topics ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Topic:
    code: str
    label: str
    description: str = ""


_TOPICS: dict[str, Topic] = {}


def register_topic(code: str, label: str, description: str = "") -> Topic:
    """Declare a topic (idempotent for the same code and label). Codes are `<app>.<what>`, stable, never reused."""
    if not code or len(code) > TOPIC_MAX:
        raise ValueError(f"topic code must be 1 to {TOPIC_MAX} characters: {code!r}")
    topic = Topic(code, label, description)
    existing = _TOPICS.get(code)
    if existing is not None and existing != topic:
        raise ValueError(f"topic {code!r} registered twice with different labels")
    _TOPICS[code] = topic
    return topic


def topics() -> list[Topic]:
    """Every registered topic, in registration order."""
    return list(_TOPICS.values())


def get_topic(code: str) -> Topic:
    try:
        return _TOPICS[code]
    except KeyError:
        raise ValueError(f"unknown notification topic {code!r} (declare it with register_topic)") from None


# --- Preferences -------------------------------------------------------------------------------------------

def email_enabled(user, topic: str) -> bool:
    """Whether `user` wants e-mail for `topic` (default: yes)."""
    pref = NotificationPreference.objects.filter(user=user, topic=topic).values_list("email", flat=True).first()
    return True if pref is None else pref


def email_choices(user) -> list[tuple[Topic, bool]]:
    """Each registered topic with the user's choice, for the settings page."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("topic", "email"))
    return [(topic, chosen.get(topic.code, True)) for topic in topics()]


def set_email_choices(user, choices: dict[str, bool]) -> None:
    """Record the user's choice per topic; unknown topics are refused."""
    for code, enabled in choices.items():
        get_topic(code)
        NotificationPreference.objects.update_or_create(user=user, topic=code, defaults={"email": bool(enabled)})


# --- Sending -----------------------------------------------------------------------------------------------

@dataclass
class Notified:
    """What notify() did: the inbox rows written and the addresses e-mail will be sent to after commit."""

    notifications: list[Notification] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.notifications)


def site_url(link: str) -> str:
    """A site-relative link as an absolute URL for e-mail (settings.TECHMARKET_SITE_URL, when set)."""
    return getattr(settings, "TECHMARKET_SITE_URL", "").rstrip("/") + link if link else ""


def _check_link(link: str) -> str:
    link = (link or "").strip()
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link or len(link) > LINK_MAX):
        raise ValueError(f"a notification link must be a site-relative URL: {link!r}")
    return link


def _short(title: str) -> str:
    title = " ".join((title or "").split())
    return title if len(title) <= TITLE_MAX else title[:TITLE_MAX - 1] + "…"


def _users(users) -> list:
    User = get_user_model()
    if isinstance(users, User):
        users = [users]
    if isinstance(users, QuerySet):
        users = list(users)
    seen, result = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        result.append(user)
    return result


def notify(users: Iterable, topic: str, title: str, body: str = "", link: str = "", *, key: str = "") -> Notified:
    """Write a message to each active user's inbox and, after the current transaction commits, e-mail those with
    an address and the topic on. With `key`, users who already received a message with that key get nothing
    (reminders run twice the same day send once). Returns the rows written and the addresses to be mailed."""
    get_topic(topic)
    link = _check_link(link)
    if len(key) > KEY_MAX:
        raise ValueError("key too long")
    title = _short(title)
    body = (body or "").strip()
    recipients = _users(users)
    if key and recipients:
        done = set(Notification.objects.filter(key=key, recipient__in=[u.pk for u in recipients])
                   .values_list("recipient_id", flat=True))
        recipients = [u for u in recipients if u.pk not in done]
    if not recipients:
        return Notified()
    now = timezone.now()
    rows = Notification.objects.bulk_create([
        Notification(recipient=u, topic=topic, title=title, body=body, link=link, key=key, created_at=now)
        for u in recipients
    ])
    off = set(NotificationPreference.objects.filter(user__in=[u.pk for u in recipients], topic=topic, email=False)
              .values_list("user_id", flat=True))
    addresses = []
    for user in recipients:
        address = (user.email or "").strip()
        if address and user.pk not in off and address not in addresses:
            addresses.append(address)
    if addresses:
        subject = SUBJECT_PREFIX + title
        text = _email_body(body, link)
        transaction.on_commit(lambda: send_emails(subject, text, addresses))
    return Notified(notifications=rows, emails=addresses)


def _email_body(body: str, link: str) -> str:
    lines = [body, ""] if body else []
    if link:
        lines += [f"详情请登录平台查看：{site_url(link)}", ""]
    lines += ["（您可以在平台的“通知设置”中选择接收哪些邮件通知。）", "", SIGNATURE]
    return "\n".join(lines)


def send_emails(subject: str, body: str, addresses: list[str]) -> list[str]:
    """Send one message to each address (recipients never see each other's addresses). Returns the addresses
    written to; a failure is logged, never raised."""
    sent = []
    try:
        connection = get_connection(fail_silently=False)
    except Exception:
        log.exception("could not open the mail connection for %r", subject)
        return sent
    for address in addresses:
        try:
            EmailMessage(subject, body, None, [address], connection=connection).send()
        except Exception:
            log.exception("could not e-mail %r to %s", subject, address)
            continue
        sent.append(address)
    return sent


# --- Inbox -------------------------------------------------------------------------------------------------

def inbox(user) -> QuerySet[Notification]:
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not (user and user.is_authenticated):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, notification_id: int) -> Notification:
    """Mark one of the user's own messages read; Notification.DoesNotExist for anyone else's."""
    notification = Notification.objects.get(pk=notification_id, recipient=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user) -> int:
    """Mark every unread message of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
