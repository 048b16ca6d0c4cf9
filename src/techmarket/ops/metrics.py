"""Prometheus metrics at /metrics (docs/operations.md, "Metrics").

django-prometheus counts requests, responses by status, exceptions and latency by view (its middleware pair in
settings.MIDDLEWARE). This module adds the platform's own figures:

- `techmarket_search_seconds` (histogram): the search page's and the search API's latency, observed by
  `SearchLatencyMiddleware` in the process that served the request;
- gauges read from the database and the node's index at each scrape (`PlatformCollector`): the index lag, the job
  backlog and the oldest queued job's age, and registrations whose decision is due within the reminder window or
  overdue (through the market's services).

With several worker processes (gunicorn), PROMETHEUS_MULTIPROC_DIR names a directory the processes write their
counters to, and a scrape adds them up (prometheus_client's multiprocess mode; deploy/gunicorn.conf.py clears a
dead worker's files). Access: loopback clients only, or any client presenting TECHMARKET_METRICS_TOKEN as a bearer
token.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time

import prometheus_client
from django.conf import settings
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

SEARCH_SECONDS = Histogram(
    "techmarket_search_seconds", "Latency of searches (the search page and the search API), seconds.",
    ["endpoint"], buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0))
SEARCH_PATHS = {"/search/": "page", "/api/search": "api", "/api/match": "api-match"}


def allowed(request) -> bool:
    token = getattr(settings, "TECHMARKET_METRICS_TOKEN", "")
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    from techmarket.accounts.throttling import client_ip

    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


class PlatformCollector:
    """Figures computed at each scrape from the shared database (the same for every process of the site)."""

    def collect(self):
        from techmarket.ops import health

        try:
            lag = health.index_lag()
            family = GaugeMetricFamily("techmarket_search_index_lag_seconds",
                                       "How long this node's search index has been behind the database, seconds.")
            family.add_metric([], lag["lag_seconds"])
            yield family
            behind = GaugeMetricFamily("techmarket_search_index_behind_changes",
                                       "Index sequence numbers the node's search index has not applied yet.")
            behind.add_metric([], max(0, lag["database_seq"] - lag["index_seq"]))
            yield behind
        except Exception:  # noqa: BLE001 - a scrape reports what it can
            log.exception("metrics: the index lag could not be read")
        try:
            jobs = health.job_queue()
            backlog = GaugeMetricFamily("techmarket_job_backlog", "Background work waiting, by kind.",
                                        labels=["kind"])
            backlog.add_metric(["scheduled"], jobs["scheduled_queued"])
            backlog.add_metric(["embeddings"], jobs["embeddings_pending"])
            if "rq_queued" in jobs:
                backlog.add_metric(["rq"], jobs["rq_queued"])
            yield backlog
            oldest = GaugeMetricFamily("techmarket_job_oldest_queued_seconds",
                                       "Age of the oldest queued job, seconds (0: none waiting).")
            oldest.add_metric([], jobs["oldest_seconds"])
            yield oldest
        except Exception:  # noqa: BLE001
            log.exception("metrics: the job queue could not be read")
        try:
            from techmarket.market.services import reminders
            from techmarket.market.services.registration import overdue

            risk = GaugeMetricFamily(
                "techmarket_registrations_deadline_at_risk",
                "Pending contract registrations whose decision is due within the reminder window, or overdue.",
                labels=["state"])
            overdue_count = overdue().count()
            risk.add_metric(["due_soon"], reminders.due_soon().count() - overdue_count)
            risk.add_metric(["overdue"], overdue_count)
            yield risk
        except Exception:  # noqa: BLE001
            log.exception("metrics: the registration deadlines could not be read")


def exposition() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    platform = CollectorRegistry()
    platform.register(PlatformCollector())
    body = prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(platform)
    return body, prometheus_client.CONTENT_TYPE_LATEST


class SearchLatencyMiddleware:
    """Observes the latency of the search endpoints (SEARCH_PATHS) into techmarket_search_seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        endpoint = SEARCH_PATHS.get(request.path)
        if endpoint is None:
            return self.get_response(request)
        started = time.perf_counter()
        try:
            return self.get_response(request)
        finally:
            SEARCH_SECONDS.labels(endpoint).observe(time.perf_counter() - started)
