"""Timing of /indicators/ on the seed (docs/indicators.md, "Performance"). Not collected by the suite (its name is not
test_*.py) and asserts no timing: run it by hand,

    .venv/bin/pytest -p no:cacheprovider -s tests/indicators/measure_dashboard.py

It prints p50/p95 over 30 requests through the Django test client and the number of SQL queries of one request,
on the seed alone, with 40 registered contracts added (the figures then have records to count) and with a
reviewer logged in."""

import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

REQUESTS = 30


def _measure(client, label, params=None):
    url = reverse("indicators:dashboard")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200  # the first request (a cold cache) counted apart
    first = queries.captured_queries
    timings = []
    for _ in range(REQUESTS):
        began = time.perf_counter()
        assert client.get(url, params or {}).status_code == 200
        timings.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as warm:
        client.get(url, params or {})
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
    print(f"\n{label}: first request {len(first)} queries; then {len(warm.captured_queries)} queries; "
          f"p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms "
          f"over {REQUESTS} requests")


@pytest.mark.django_db
def test_measure_seed(client):
    _measure(client, "seed")


@pytest.mark.django_db
def test_measure_seed_with_contracts(absorb, client):
    for n in range(40):
        absorb(technology=str(100000 + n * 1000), total=str(1000000 + n * 1000),
               contract_type="transfer" if n % 2 else "development-commissioned")
    _measure(client, "seed + 40 registered contracts")


@pytest.mark.django_db
def test_measure_reviewer_with_contracts(absorb, staff, client):
    for n in range(40):
        absorb(technology=str(100000 + n * 1000), total=str(1000000 + n * 1000),
               contract_type="transfer" if n % 2 else "development-commissioned")
    client.force_login(staff[1])
    _measure(client, "seed + 40 registered contracts, a reviewer logged in")
