"""The request id: one identifier per web request (the X-Request-ID header, honoured or made), carried into what
the request starts (background jobs) so their log lines can be found together (docs/operations.md, "Logs").

It lives in a context variable: the request's middleware (techmarket.ops.middleware) sets it, the log filter adds
it to every line, and job backends hand it to their worker (rq: the job's meta; threads: a copied context).
Here, in common, because the apps that enqueue jobs may not import the ops app.
"""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[str] = ContextVar("techmarket_request_id", default="")
VALID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,64}$")  # what is honoured from a client or a proxy


def get() -> str:
    return _current.get()


def set_current(value: str) -> None:
    """Bind `value` in this context until the next call (a request's thread: until its response is closed)."""
    _current.set(value)


def new() -> str:
    return uuid.uuid4().hex


def accept(value: str | None) -> str:
    """A client's or proxy's id if it is a plain token of at most 64 characters, else a new one."""
    value = (value or "").strip()
    return value if VALID.match(value) else new()


@contextmanager
def bound(request_id: str):
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)


def job_meta() -> dict:
    """What a job carries to its worker."""
    return {"request_id": get()} if get() else {}


def rq_worker_class():
    """rq's SimpleWorker, running each job under the request id it carries (`job_meta()`), or a new one."""
    from rq import SimpleWorker

    class RequestIdWorker(SimpleWorker):
        def perform_job(self, job, queue):
            with bound(accept((job.meta or {}).get("request_id"))):
                return super().perform_job(job, queue)

    return RequestIdWorker
