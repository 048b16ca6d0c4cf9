"""The NinjaAPI instance: routers, error responses (Chinese messages) and the documentation page."""

import json

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from techmarket.api.routers.listings import router as listings_router
from techmarket.api.routers.organisations import router as organisations_router
from techmarket.api.routers.search import router as search_router
from techmarket.api.schemas import Stats
from techmarket.catalogue.services.lifecycle import TransitionError
from techmarket.catalogue.services.listings import ListingPermissionError, catalogue_counts


class UnicodeJSONRenderer(JSONRenderer):
    """JSON with Chinese text written as is, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class LocalSwagger(Swagger):
    """ninja's Swagger UI from its bundled static files (never a CDN), with the CSRF token that the
    session-authenticated writes need for "Try it out"."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api, "add_csrf": True}
        return render(request, self.template, context)


# ninja serves Swagger UI from its own static files only when "ninja" is an installed app (otherwise from
# a CDN): without it the docs page is off and only /api/openapi.json is served.
DOCS_URL = "/docs" if "ninja" in settings.INSTALLED_APPS else None

api = NinjaAPI(
    title="青海科技开放合作平台 API",
    version="1",
    description="需求与成果、单位及统计的 JSON 接口。读取无需登录；写入使用网站登录会话并须携带 CSRF 令牌。"
    "联系人信息仅对已实名核验用户返回。说明见 docs/api.md。",
    urls_namespace="api",
    renderer=UnicodeJSONRenderer(),
    docs=LocalSwagger(),
    docs_url=DOCS_URL,
    openapi_url="/openapi.json",
)
api.add_router("", search_router)  # first: /listings/{reference}/matches before the listing routes
api.add_router("/listings", listings_router)
api.add_router("/organisations", organisations_router)
api.add_router("/policy", "techmarket.api.routers.policy.router")
api.add_router("/market", "techmarket.api.routers.market.router")
api.add_router("/indicators", "techmarket.api.routers.indicators.router")


@api.get("/stats", response=Stats, tags=["stats"], summary="按类别、领域统计可见条目")
def stats(request):
    return catalogue_counts(request.user)


@api.exception_handler(ListingPermissionError)
def listing_permission_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(TransitionError)
def transition_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(request, {"detail": "请先登录。"}, status=401)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "未找到。"}, status=404)
