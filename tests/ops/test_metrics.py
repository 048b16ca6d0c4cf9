"""/metrics: django-prometheus's request counters and latency move with requests; the platform's figures (search
latency, index lag, job backlog, registration deadlines at risk) are there; only loopback or the token may read."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _value(text: str, name: str, **labels) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
    return total


def _metrics(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_requests_move_the_counters(client):
    before = _metrics(client)
    for _ in range(3):
        assert client.get("/search/", {"q": "盐湖提锂"}).status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    after = _metrics(client)
    name = "django_http_requests_total_by_view_transport_method_total"
    assert _value(after, name, view="search") - _value(before, name, view="search") == 3
    assert (_value(after, "django_http_responses_total_by_status_total", status="404")
            - _value(before, "django_http_responses_total_by_status_total", status="404")) == 1
    assert (_value(after, "techmarket_search_seconds_count", endpoint="page")
            - _value(before, "techmarket_search_seconds_count", endpoint="page")) == 3
    assert _value(after, "django_http_requests_latency_seconds_by_view_method_count", view="search") >= 3


def test_platform_figures_are_exposed(client, registered_contract, qinghai_university):
    from techmarket.directory.models import Organisation, Region
    from techmarket.market.models import Registration
    from techmarket.market.services import registration as reg

    seller = Organisation.objects.create(name="北京先进储能技术有限公司", region=Region.objects.get(code="beijing"))
    contract = registered_contract(seller, qinghai_university, title="高原储能技术许可")
    overdue = Registration.objects.filter(contract=contract).first()
    Registration.objects.filter(pk=overdue.pk).update(status=Registration.Status.SUBMITTED,
                                                       due_on=reg.today().replace(year=reg.today().year - 1))
    text = _metrics(client)
    assert re.search(r"^techmarket_search_index_lag_seconds \d", text, re.M)
    assert re.search(r'^techmarket_job_backlog\{kind="embeddings"\} \d', text, re.M)
    assert re.search(r"^techmarket_job_oldest_queued_seconds \d", text, re.M)
    assert _value(text, "techmarket_registrations_deadline_at_risk", state="overdue") >= 1


def test_only_loopback_or_the_token(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.TECHMARKET_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9",
                      HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    settings.BEHIND_PROXY = True  # behind the proxy, the address the proxy appended counts, not the proxy's
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
