"""Domain errors a view lets out become a page with the reason (in Chinese), once for the whole site.

Under /api/ the API's own handler answers them as JSON (techmarket.api.api); this middleware only answers JSON there
for a view outside the API's routers. Placed after AtomicWritesMiddleware in MIDDLEWARE, so a write's transaction
is already rolled back when the page is rendered.
"""

from django.http import JsonResponse
from django.shortcuts import render

from techmarket.common.errors import DomainError


def error_response(request, error: DomainError):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": error.message}, status=error.status, json_dumps_params={"ensure_ascii": False})
    return render(request, "web/forbidden.html", {"title": error.title, "message": error.message},
                  status=error.status)


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return error_response(request, exception)
        return None
