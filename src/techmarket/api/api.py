"""The NinjaAPI instance: routers, error responses (Chinese messages) and the documentation page.

Every answer under /api/ is JSON, errors included (docs/api.md, "Errors"): the exception handlers below answer
the errors of the operations; errors.py answers unknown paths, wrong methods and what ninja does not handle
(a 500 goes through Django's handling, so it is logged, and the project URLconf's handler500 answers JSON).
The OpenAPI document lists the error responses of every operation (errors.add_error_responses).
"""

import json

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.shortcuts import render
from django.urls import re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from techmarket.api import errors
from techmarket.api.routers.listings import router as listings_router
from techmarket.api.routers.organisations import router as organisations_router
from techmarket.api.routers.search import router as search_router
from techmarket.api.schemas import Error, Stats
from techmarket.catalogue.services.listings import catalogue_counts
from techmarket.common.errors import DomainError


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

class TechmarketAPI(NinjaAPI):
    """NinjaAPI whose URLs answer JSON for unknown paths and wrong methods, and whose OpenAPI document lists
    every operation's error responses."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return errors.add_error_responses(schema, Error.model_json_schema(), errors.VALIDATION_ERROR_SCHEMA)

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = errors.json_errors(pattern.callback)
        # Last: whatever no route above takes. It also keeps CommonMiddleware from redirecting /api/x to /api/x/.
        patterns.append(re_path(r"", errors.api_not_found, name="not-found"))
        return patterns, app_name, namespace


api = TechmarketAPI(
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
api.add_router("/platforms", "techmarket.api.routers.platforms.router")
api.add_router("/experts", "techmarket.api.routers.experts.router")
api.add_router("/ecosystem", "techmarket.api.routers.ecosystem.router")
api.add_router("/publishing", "techmarket.api.routers.publishing.router")
api.add_router("/challenges", "techmarket.api.routers.challenges.router")
api.add_router("/achievements", "techmarket.api.routers.achievements.router")
api.add_router("/enterprises", "techmarket.api.routers.enterprises.router")


@api.get("/stats", response=Stats, tags=["stats"], summary="按类别、领域统计可见条目")
def stats(request):
    return catalogue_counts(request.user)


@api.exception_handler(DomainError)
def domain_error(request, exc):
    """Every domain error (techmarket.common.errors), whatever its app: its status and its Chinese message, e.g. a
    refused permission (403, ListingPermissionError, TransitionForbidden…), a step the lifecycle forbids (400,
    TransitionError…), a hidden object (404), a duplicate (409)."""
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    """422 with each error's message in Chinese (api/errors.py); `loc` and `type` as pydantic gives them."""
    return api.create_response(request, {"detail": errors.chinese_validation_errors(exc.errors)}, status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(request, {"detail": "请先登录。"}, status=401)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": errors.NOT_FOUND}, status=404)


# ninja's own messages, in Chinese like every other.
NINJA_MESSAGES = {"Cannot parse request body": "请求体不是有效的 JSON。"}


@api.exception_handler(HttpError)
def http_error(request, exc):
    message = NINJA_MESSAGES.get(str(exc), str(exc))
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(IntegrityError)
def integrity_error(request, exc):
    """A unique constraint refused a second record of the same thing (a double submit, two requests at once):
    409, nothing saved. Any other integrity error is a defect: it goes on to Django's 500 handling."""
    if not errors.is_unique_violation(exc):
        raise exc
    if connection.in_atomic_block:
        transaction.set_rollback(True)
    return api.create_response(request, {"detail": errors.CONFLICT}, status=409)


@api.exception_handler(Exception)
def unhandled(request, exc):
    """Let Django handle it (even with DEBUG on, where ninja would answer a plain-text traceback): it logs the
    error, AtomicWritesMiddleware turns a busy database into its 503, and handler500 answers JSON."""
    raise exc
