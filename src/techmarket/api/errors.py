"""JSON error answers everywhere under /api/, and the error responses of the OpenAPI document.

django-ninja answers the errors of its operations itself (api.py's exception handlers). What it does not
cover is answered here, so that no response under /api/ is HTML:

- an unknown path: a catch-all route after the API's own (`api_not_found`), 404;
- a method the path does not have: ninja's plain-text 405 becomes JSON (`json_errors`), with its `Allow`;
- an error outside ninja's reach (a 500 from an exception the API does not handle, a 400 for a request body
  over Django's size limit, a 403 or 404 raised by a middleware): the project URLconf's handler400/403/404/500
  answer JSON for /api/ and Django's default pages elsewhere.

`add_error_responses` documents, for every operation of the OpenAPI document, the errors it may answer.
"""

import functools

from django.http import Http404, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from techmarket.common.errors import DomainError
from techmarket.common.web_errors import error_response

API_PREFIX = "/api/"
SERVER_ERROR = "服务器内部错误"
NOT_FOUND = "未找到。"
BAD_REQUEST = "请求无效。"
FORBIDDEN = "您无权执行此操作。"
CONFLICT = "与已有记录冲突（可能是重复提交），未保存任何内容。"

# ninja's 422: `detail` is pydantic's list of errors (api.py's ListingIn errors have the same form).
VALIDATION_ERROR_SCHEMA = {
    "title": "ValidationErrorOut",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(status: int, detail, headers: dict | None = None) -> HttpResponse:
    """`{"detail": …}` with Chinese written as is, as api.py's renderer does."""
    return JsonResponse(
        {"detail": detail}, status=status, headers=headers, content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


def is_unique_violation(exc: Exception) -> bool:
    """Whether an IntegrityError is a unique constraint's (PostgreSQL's SQLSTATE 23505, SQLite's message)."""
    return getattr(exc.__cause__, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(exc)


def method_not_allowed(request, allowed) -> HttpResponse:
    allowed = sorted(allowed)
    return json_error(
        405, f"此地址不支持 {request.method} 方法，可用的方法：{'、'.join(allowed)}。",
        headers={"Allow": ", ".join(allowed)},
    )


@csrf_exempt  # a write to an unknown path is a 404, not Django's HTML CSRF page
def api_not_found(request, *args, **kwargs) -> HttpResponse:
    return json_error(404, NOT_FOUND)


def json_errors(view):
    """Wrap one of ninja's URL views: its 405 (plain text) and any Http404 it lets out become JSON."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return json_error(404, NOT_FOUND)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            return method_not_allowed(request, allowed)
        return response

    wrapped.csrf_exempt = True  # ninja's views are; its session auth checks the CSRF token itself
    return wrapped


# ---------------------------------------------------------------------------------------------------------
# The project URLconf's error handlers (techmarket/urls.py): JSON under /api/, Django's pages elsewhere.


def handler400(request, exception=None):
    if isinstance(exception, DomainError):  # raised in a write's transaction (AtomicWritesMiddleware): its status
        return error_response(request, exception)
    if is_api_request(request):
        return json_error(400, BAD_REQUEST)
    return defaults.bad_request(request, exception)


def handler403(request, exception=None):
    if isinstance(exception, DomainError):
        return error_response(request, exception)
    if is_api_request(request):
        return json_error(403, FORBIDDEN)
    return defaults.permission_denied(request, exception)


def handler404(request, exception=None):
    if isinstance(exception, DomainError):
        return error_response(request, exception)
    if is_api_request(request):
        return json_error(404, NOT_FOUND)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if is_api_request(request):
        return json_error(500, SERVER_ERROR)
    return defaults.server_error(request)


# ---------------------------------------------------------------------------------------------------------
# OpenAPI: the error responses of every operation

ERROR_REF = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR_REF = {"$ref": "#/components/schemas/ValidationErrorOut"}
UNSAFE_METHODS = {"post", "put", "patch", "delete"}

ERROR_DESCRIPTIONS = {
    400: "请求无效：请求体不是 JSON，或参数组合不被接受",
    401: "未登录",
    403: "无权执行此操作，或 CSRF 校验失败",
    404: "未找到，或您无权查看",
    409: "与已有记录冲突，未保存任何内容",
    422: "输入不符合要求（detail 为错误列表：loc、msg、type）",
    503: "系统繁忙，未保存任何内容，请稍后重试",
}


def error_codes(method: str, operation: dict) -> list[int]:
    """The error statuses an operation may answer, from what it takes (see docs/api.md, "Errors")."""
    parameters = operation.get("parameters", [])
    has_input = bool(parameters) or "requestBody" in operation
    secured = bool(operation.get("security"))
    codes = []
    if has_input:
        codes += [400, 422]
    if secured:
        codes += [401, 403]
    if any(p.get("in") == "path" for p in parameters):
        codes.append(404)
    if method in UNSAFE_METHODS:
        if secured:
            codes.append(409)
        codes.append(503)
    return sorted(codes)


def add_error_responses(schema: dict, error_schema: dict, validation_error_schema: dict) -> dict:
    """Add to every operation the error responses it may answer that it does not document itself."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", error_schema)
    components.setdefault("ValidationErrorOut", validation_error_schema)
    for method_map in schema.get("paths", {}).values():
        for method, operation in method_map.items():
            responses = operation.setdefault("responses", {})
            for code in error_codes(method, operation):
                if code in responses or str(code) in responses:
                    continue
                ref = VALIDATION_ERROR_REF if code == 422 else ERROR_REF
                responses[code] = {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ref}},
                }
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))
    return schema


# ---------------------------------------------------------------------------------------------------------
# 422: pydantic's messages in Chinese (the `type` and `loc` stay as they are, for programs)

VALIDATION_MESSAGES = {
    "missing": "必填。",
    "string_too_long": "不能超过 {max_length} 个字符。",
    "string_too_short": "至少 {min_length} 个字符。",
    "too_long": "最多 {max_length} 项。",
    "too_short": "至少 {min_length} 项。",
    "greater_than_equal": "不能小于 {ge}。",
    "less_than_equal": "不能大于 {le}。",
    "greater_than": "须大于 {gt}。",
    "less_than": "须小于 {lt}。",
    "int_parsing": "须为整数。",
    "int_type": "须为整数。",
    "int_from_float": "须为整数。",
    "decimal_parsing": "须为数字。",
    "decimal_type": "须为数字。",
    "float_parsing": "须为数字。",
    "float_type": "须为数字。",
    "decimal_max_digits": "数字位数过多：最多 {max_digits} 位。",
    "decimal_max_places": "最多 {decimal_places} 位小数。",
    "decimal_whole_digits": "整数部分位数过多：最多 {whole_digits} 位。",
    "finite_number": "须为有限的数字。",
    "date_parsing": "须为日期，格式 YYYY-MM-DD。",
    "date_from_datetime_parsing": "须为日期，格式 YYYY-MM-DD。",
    "date_from_datetime_inexact": "须为日期，不含时间。",
    "date_type": "须为日期，格式 YYYY-MM-DD。",
    "datetime_parsing": "须为日期时间（ISO 8601）。",
    "bool_parsing": "须为 true 或 false。",
    "bool_type": "须为 true 或 false。",
    "string_type": "须为文字。",
    "string_pattern_mismatch": "格式不正确。",
    "literal_error": "须为以下之一：{expected}。",
    "enum": "须为以下之一：{expected}。",
    "json_invalid": "不是有效的 JSON。",
    "json_type": "不是有效的 JSON。",
    "list_type": "须为列表。",
    "dict_type": "须为对象。",
    "model_type": "须为对象。",
    "model_attributes_type": "须为对象。",
    "extra_forbidden": "不接受此字段。",
    "union_tag_invalid": "类型不正确。",
    "url_parsing": "须为有效的网址。",
}
_VALUE_ERROR_PREFIXES = ("Value error, ", "Assertion failed, ")


def chinese_message(error: dict) -> str:
    """The Chinese message of one pydantic error: our own validators' messages are Chinese already (pydantic
    may prefix them); pydantic's own are looked up by type, with the limits of the error's context."""
    message = str(error.get("msg", ""))
    for prefix in _VALUE_ERROR_PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix):]
    if any("\u4e00" <= ch <= "\u9fff" for ch in message):  # our own validators' messages
        return message
    template = VALIDATION_MESSAGES.get(error.get("type", ""))
    if template is None:
        return "输入不符合要求。"
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):  # a limit the context does not give
        return "输入不符合要求。"


def chinese_validation_errors(errors: list[dict]) -> list[dict]:
    return [{**error, "msg": chinese_message(error)} for error in errors]

