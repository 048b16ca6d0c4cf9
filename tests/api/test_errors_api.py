"""Every answer under /api/ is JSON, errors included, with the status codes of docs/api.md; the OpenAPI
document lists every operation's error responses (issue 9)."""

import json

import pytest
from django.db import IntegrityError
from django.test import Client

from techmarket.api import api as api_module
from techmarket.api.routers import listings as listings_router
from techmarket.catalogue.models import Listing

pytestmark = pytest.mark.django_db

DRAFT = {"kind": "demand", "title": "盐湖卤水提锂吸附剂中试放大", "description": "需要联合研发高选择性吸附剂。",
         "modes": ["joint-rd"], "trl": 4}


def assert_json(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


@pytest.mark.parametrize("path", ["/api/nonexistent", "/api/listings/", "/api/stats/x", "/api/market/nope/1",
                                  "/api/organisations/1/listings", "/api/", "/api/%E7%9B%90"])
def test_unknown_paths_are_json_404(client, path):
    assert assert_json(client.get(path), 404) == {"detail": "未找到。"}


def test_unknown_listing_reference_is_json_404(client):
    assert assert_json(client.get("/api/listings/x/y/z"), 404) == {"detail": "未找到该条目，或您无权查看。"}


def test_write_to_an_unknown_path_is_404_not_the_csrf_page(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert assert_json(client.post("/api/nonexistent", data="{}", content_type="application/json"), 404)


@pytest.mark.parametrize("method, path, allowed", [
    ("delete", "/api/listings", "GET, POST"),
    ("post", "/api/listings/x/y/z", "GET, PATCH, PUT"),
    ("put", "/api/stats", "GET"),
    ("get", "/api/policy/rewards", "POST"),
    ("delete", "/api/listings/innovation/hightech/6", "GET, PATCH, PUT"),
])
def test_wrong_methods_are_json_405_with_allow(client, method, path, allowed):
    response = getattr(client, method)(path)
    data = assert_json(response, 405)
    assert response["Allow"] == allowed
    assert method.upper() in data["detail"]


def test_unhandled_exception_is_json_500(monkeypatch):
    def broken(user):
        raise RuntimeError("a defect")

    monkeypatch.setattr(api_module, "catalogue_counts", broken)
    client = Client(raise_request_exception=False)
    assert assert_json(client.get("/api/stats"), 500) == {"detail": "服务器内部错误"}


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_body_that_is_not_json_is_400(login, member):
    response = login(member).post("/api/listings", data="{not json", content_type="application/json")
    assert assert_json(response, 400) == {"detail": "请求体不是有效的 JSON。"}


def test_body_over_the_size_limit_is_json_400(login, member, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({**DRAFT, "description": "长" * 2000})
    client = login(member)
    client.raise_request_exception = False
    assert_json(client.post("/api/listings", data=body, content_type="application/json"), 400)


def test_anonymous_write_is_json_401(client):
    response = client.post("/api/listings", data=json.dumps(DRAFT), content_type="application/json")
    assert assert_json(response, 401) == {"detail": "请先登录。"}


@pytest.mark.parametrize("method, suffix, body", [
    ("post", "", DRAFT), ("patch", "/innovation/hightech/6", {"trl": 5}),
    ("post", "/innovation/hightech/6/transitions", {"to_status": "withdrawn", "reason": "测试"}),
])
def test_csrf_failure_on_api_writes_is_json_403(member, method, suffix, body):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = getattr(client, method)(f"/api/listings{suffix}", data=json.dumps(body),
                                       content_type="application/json")
    assert "CSRF" in assert_json(response, 403)["detail"]


def test_invalid_input_is_422_with_a_list_of_errors(client):
    detail = assert_json(client.get("/api/listings", {"limit": 1000}), 422)["detail"]
    assert detail[0]["loc"] == ["query", "limit"] and detail[0]["type"] == "less_than_equal"
    assert detail[0]["msg"] == "不能大于 100。"  # in Chinese, with the limit


def test_422_messages_are_chinese_for_every_kind_of_problem(login, member):
    client = login(member)
    body = {"kind": "demand", "title": "题" * 301, "description": "", "modes": "joint-rd", "trl": "x",
            "valid_until": "明天"}
    detail = assert_json(client.post("/api/listings", data=json.dumps(body), content_type="application/json"),
                         422)["detail"]
    messages = {error["loc"][-1]: error["msg"] for error in detail}
    assert messages["title"] == "不能超过 300 个字符。"
    assert messages["trl"] == "须为整数。"
    assert messages["valid_until"].startswith("须为日期")
    assert all(not any("a" <= ch.lower() <= "z" for ch in message if ch not in "YMD") for message in messages.values())


def test_duplicate_record_is_409_and_saves_nothing(login, member, monkeypatch):
    def duplicate(user, data):
        Listing.objects.filter(owner=user.organisation).update(title="改了")  # rolled back with the 409
        raise IntegrityError("UNIQUE constraint failed: catalogue_listing.reference")

    monkeypatch.setattr(listings_router, "create_listing", duplicate)
    response = login(member).post("/api/listings", data=json.dumps(DRAFT), content_type="application/json")
    assert assert_json(response, 409)["detail"].startswith("与已有记录冲突")
    assert not Listing.objects.filter(title="改了").exists()


def test_other_integrity_errors_are_500(login, member, monkeypatch):
    def broken(user, data):
        raise IntegrityError("NOT NULL constraint failed: catalogue_listing.title")

    monkeypatch.setattr(listings_router, "create_listing", broken)
    client = login(member)
    client.raise_request_exception = False
    response = client.post("/api/listings", data=json.dumps(DRAFT), content_type="application/json")
    assert assert_json(response, 500) == {"detail": "服务器内部错误"}


# --- The OpenAPI document ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi():
    return Client().get("/api/openapi.json").json()


def operations(openapi):
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_documents_its_errors(openapi):
    for path, method, operation in operations(openapi):
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        if parameters or "requestBody" in operation:
            assert {"400", "422"} <= set(responses), (method, path)
            assert responses["422"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ValidationErrorOut"}
        if operation.get("security"):
            assert {"401", "403"} <= set(responses), (method, path)
        if any(p["in"] == "path" for p in parameters):
            assert "404" in responses, (method, path)
        for code, response in responses.items():
            if code.startswith("4") and code != "422":
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"].rsplit("/", 1)[1] in {"Error", "ErrorOut"}, (method, path, code)
    assert openapi["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_writes_document_conflicts_and_busy(openapi):
    responses = openapi["paths"]["/api/listings"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "422", "503"} <= set(responses)
    transitions = openapi["paths"]["/api/listings/{reference}/transitions"]["post"]["responses"]
    assert transitions["403"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
