"""Confirming a user's e-mail address: a signed, expiring link sent through the notification centre's mail
(techmarket.common.notifications.send_emails, so the same backend, sender and signature as every other e-mail).

The link carries the user's id and the address it was sent to, signed with the site's key (TimestampSigner,
its own salt); following it within TECHMARKET_EMAIL_CONFIRM_DAYS marks that address confirmed. A link for an
address the user no longer has, an expired link and a forged one are each refused with their own reason.
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from techmarket.accounts.models import User
from techmarket.common.errors import Refused
from techmarket.common.notifications import SIGNATURE, SUBJECT_PREFIX, send_emails, site_url

SALT = "techmarket.accounts.confirm-email"
SUBJECT = SUBJECT_PREFIX + "请确认您的电子邮箱"


def max_age_days() -> int:
    return int(getattr(settings, "TECHMARKET_EMAIL_CONFIRM_DAYS", 3))


class Outcome(enum.Enum):
    CONFIRMED = "confirmed"
    ALREADY = "already"
    EXPIRED = "expired"
    INVALID = "invalid"


def make_token(user: User) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"u": user.pk, "e": user.email.strip().lower()},
                                                          compress=True)


def confirmation_link(user: User) -> str:
    return reverse("confirm-email", args=[make_token(user)])


def send_confirmation(user: User) -> list[str]:
    """E-mail the user a confirmation link; returns the addresses written to (none if the mail failed)."""
    if not user.email:
        return []
    days = max_age_days()
    body = "\n".join([
        f"{user.display_name or user.username}，您好：",
        "",
        "您在青海科技开放合作平台注册了账户，并填写了此电子邮箱。请在 "
        f"{days} 天内打开以下链接确认邮箱，此后平台的审核结果和通知将发送到此邮箱：",
        "",
        site_url(confirmation_link(user)),
        "",
        "如果您没有注册，请忽略本邮件。",
        "",
        SIGNATURE,
    ])
    return send_emails(SUBJECT, body, [user.email])


RESEND_INTERVAL_SECONDS = 60
RESEND_TOO_SOON = "确认邮件刚刚已发送，请查收邮箱（包括垃圾邮件箱）；如仍未收到，请 1 分钟后再试。"
RESEND_NOTHING = {"no-email": "您的账户没有填写电子邮箱，请联系平台服务台补充。",
                  "confirmed": "您的电子邮箱已经确认，无需再次发送。"}


def resend_confirmation(user: User) -> list[str]:
    """Send the confirmation link again, at most once per RESEND_INTERVAL_SECONDS per user (the cache remembers
    the last sending; cache.add is atomic, so two clicks at once send one e-mail). Refused, with the reason, when
    there is nothing to confirm or the last sending was too recent. Returns the addresses written to."""
    if not user.email:
        raise Refused(RESEND_NOTHING["no-email"])
    if user.email_confirmed_at is not None:
        raise Refused(RESEND_NOTHING["confirmed"])
    if not cache.add(f"accounts:resend-confirmation:{user.pk}", 1, timeout=RESEND_INTERVAL_SECONDS):
        raise Refused(RESEND_TOO_SOON)
    return send_confirmation(user)


def confirm(token: str) -> tuple[Outcome, User | None]:
    """Check a link's token and, if it is good, mark the address it names confirmed."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age_days() * 86400)
    except signing.SignatureExpired:
        return Outcome.EXPIRED, None
    except (signing.BadSignature, ValueError, TypeError):
        return Outcome.INVALID, None
    if not isinstance(data, dict):
        return Outcome.INVALID, None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email.strip().lower() != data.get("e"):
        return Outcome.INVALID, user
    if user.email_confirmed_at is not None:
        return Outcome.ALREADY, user
    User.objects.filter(pk=user.pk, email_confirmed_at__isnull=True).update(email_confirmed_at=timezone.now())
    user.refresh_from_db(fields=["email_confirmed_at"])
    return Outcome.CONFIRMED, user
