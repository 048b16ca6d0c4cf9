"""Every write request is one transaction, and a busy database is a clear message, never a 500.

A request with an unsafe method (POST, PUT, PATCH, DELETE) runs its view inside one transaction: the view's
rows and their follow-up rows (history, search-index documents) commit together or not at all. (Log-in,
log-out and sign-up are the exceptions: see NON_ATOMIC_VIEW_NAMES.) When the
database stays busy past its timeout (SQLite "database is locked", PostgreSQL lock timeouts, deadlocks or
serialization failures) the transaction is rolled back and the user gets a 503 with a message saying nothing
was saved: a page in Chinese, or JSON under /api/.
"""

import logging
import time

from django.db import DatabaseError, OperationalError, transaction
from django.http import JsonResponse
from django.template.response import SimpleTemplateResponse

log = logging.getLogger(__name__)

BUSY_MESSAGE = "系统繁忙，您的操作未能完成，也没有保存任何内容，请稍后重试。"
RETRY_AFTER_SECONDS = 5
SLOW_WRITE_SECONDS = 2.0  # a write transaction this long makes others wait: logged
# Views whose writes are independent single statements and whose work is mostly password hashing (a second of
# CPU that must not be spent holding SQLite's write lock): they run in autocommit. A view of our own says so
# with Django's `transaction.non_atomic_requests` (and opens its own short transaction where it needs one).
NON_ATOMIC_VIEW_NAMES = {"login", "logout", "admin:login", "admin:logout"}
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# SQLSTATEs of a transaction that lost a race for locks: serialization_failure, deadlock_detected,
# lock_not_available, query_canceled (statement/lock timeout).
_PG_BUSY = {"40001", "40P01", "55P03", "57014"}


def is_busy_error(exc: BaseException) -> bool:
    """Whether `exc` means "the database was busy" (try again later) rather than a defect."""
    if isinstance(exc, OperationalError) and any(word in str(exc).lower() for word in ("locked", "busy")):
        return True
    cause = getattr(exc, "__cause__", None)
    return isinstance(exc, DatabaseError) and getattr(cause, "sqlstate", None) in _PG_BUSY


def busy_response(request):
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": BUSY_MESSAGE}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = SimpleTemplateResponse("common/busy.html", {"message": BUSY_MESSAGE}, status=503)
        response.render()
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class AtomicWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.monotonic()
        try:
            return self.get_response(request)
        except DatabaseError as exc:  # raised outside a view (e.g. a middleware's own write)
            if is_busy_error(exc):
                log.warning("database busy on %s %s after %.1f s: %s", request.method, request.path,
                            time.monotonic() - start, exc)
                return busy_response(request)
            raise

    def process_exception(self, request, exception):
        """A busy database in a view that runs in autocommit (see NON_ATOMIC_VIEW_NAMES): each of its statements
        either committed or did nothing."""
        if isinstance(exception, DatabaseError) and is_busy_error(exception):
            log.warning("database busy on %s %s: %s", request.method, request.path, exception)
            return busy_response(request)
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in _SAFE_METHODS or getattr(view_func, "_non_atomic_requests", None):
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in NON_ATOMIC_VIEW_NAMES:
            return None
        start = time.monotonic()
        try:
            with transaction.atomic():
                response = view_func(request, *view_args, **view_kwargs)
                # A lazily rendered response renders (and reads) inside the transaction too.
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
        except DatabaseError as exc:
            if is_busy_error(exc):
                log.warning("database busy on %s %s after %.1f s: %s", request.method, request.path,
                            time.monotonic() - start, exc)
                return busy_response(request)
            raise
        elapsed = time.monotonic() - start
        if elapsed > SLOW_WRITE_SECONDS:
            log.warning("slow write %s %s: %.1f s", request.method, request.path, elapsed)
        return response
