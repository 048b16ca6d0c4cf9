"""/favicon.ico: browsers ask for it on every page, and pages that do not extend web/base.html (the admin, the API
docs) name no icon. Served from the web app's static file (web/static/web/favicon.ico, drawn like favicon.svg:
blue tile, white mountains, a sun), not through a redirect, so the answer is the icon itself."""

from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = Path(__file__).resolve().parent.parent / "static" / "web" / "favicon.ico"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    return HttpResponse(_icon(), content_type="image/x-icon")
