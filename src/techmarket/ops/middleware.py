"""The request id (X-Request-ID): honoured from the proxy or client when it is a plain token, else made; bound for
the request's log lines and jobs, and returned on the response. It stays bound until the response is closed
(`request_finished`), so Django's own lines about the response ("Not Found: …", logged after the middleware
returned) carry it too."""

from django.core.signals import request_finished

from techmarket.common import request_id

HEADER = "X-Request-ID"


def _clear(**kwargs) -> None:
    request_id.set_current("")


request_finished.connect(_clear, dispatch_uid="techmarket.ops.request_id")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id.accept(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = rid
        request_id.set_current(rid)
        response = self.get_response(request)
        response[HEADER] = rid
        return response
