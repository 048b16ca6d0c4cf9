"""Log-in throttling (django-axes): which client a failed log-in is counted against.

Settings (AXES_*) are in settings.py: a username is locked for one client address after
LOGIN_FAILURE_LIMIT failures, for LOGIN_COOLOFF_MINUTES. The locked-out page is accounts/locked.html.
"""

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str:
    """The client's address. Behind a reverse proxy (BEHIND_PROXY=true) every request comes from the proxy,
    so the address is the last one the proxy appended to X-Forwarded-For (earlier entries come from the
    client and can be forged); otherwise REMOTE_ADDR."""
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """The page shown while locked out (HTTP 429), in Chinese; the admin's log-in page shows it too."""
    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "accounts/locked.html", context, status=429)
