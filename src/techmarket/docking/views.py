"""Public URLs of the open feed (docs/docking.md): /open/feed.json[?since=YYYY-MM-DD], /open/feed.rss,
/open/schema.json, /open/contract-registration.schema.json. No login: the feed holds what the public pages show,
and no personal contact."""

from __future__ import annotations

import datetime
import json

from django.contrib.syndication.views import Feed
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from techmarket.catalogue.services.listings import changed_since
from techmarket.common.bounds import EARLIEST_DATE, LATEST_DATE
from techmarket.docking.services import contracts, openfeed

RSS_SIZE = 50


def _since(request) -> datetime.date | None:
    text = request.GET.get("since", "").strip()
    if not text:
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return False
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return False
    return day


@require_GET
def feed_json(request):
    day = _since(request)
    if day is False:
        return JsonResponse({"detail": "since 须为 YYYY-MM-DD 格式的日期，例如 2026-01-01。"}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    feed = openfeed.build(day, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(openfeed.as_json(feed), content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


def _schema_response(document: dict) -> HttpResponse:
    return HttpResponse(json.dumps(document, ensure_ascii=False, indent=1),
                        content_type="application/schema+json; charset=utf-8")


@require_GET
def schema_json(request):
    return _schema_response(openfeed.schema())


@require_GET
def contracts_schema_json(request):
    """The schema of a row of the registered-contracts file (the file itself is for the registries, not public)."""
    return _schema_response(contracts.schema())


class ListingsFeed(Feed):
    """RSS 2.0: the public listings most recently changed."""

    title = "青海科技开放合作平台 · 技术需求与成果"
    description = "新发布和更新的技术需求、科技成果（不含个人联系方式）。"

    def link(self):
        return reverse("catalogue")

    def items(self):
        listings, _ = changed_since(None)
        return listings.order_by("-updated_at", "-id")[:RSS_SIZE]

    def item_title(self, item):
        return openfeed.redact(item.title)

    def item_description(self, item):
        return openfeed.redact(item.description)[:300]

    def item_pubdate(self, item):
        return item.published_at or item.updated_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display(), *([item.field.name] if item.field_id else [])]

