"""Content-Security-Policy on every page (django-csp) and the other security headers."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["/", "/catalogue/", "/search/?q=牦牛", "/accounts/login/", "/accounts/signup/", "/indicators/",
         "/policy/", "/api/docs", "/api/stats", "/admin/login/", "/no-such-page/"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == (404 if path == "/no-such-page/" else 200)
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"] and directives["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", [p for p in PAGES if p != "/api/stats"])
def test_inline_scripts_carry_the_nonce_or_are_data(client, path):
    response = client.get(path)
    nonce = next((v for v in policy(response)["script-src"] if v.startswith("'nonce-")), None)
    for attributes in INLINE_SCRIPT.findall(response.content.decode()):
        if re.search(r'type="application/json"', attributes):
            continue  # a data block, never run
        assert nonce and f'nonce="{nonce[7:-1]}"' in attributes, attributes


def test_the_indicator_charts_script_runs_under_its_nonce(client):
    response = client.get(reverse("indicators:dashboard"))
    [nonce] = [v[7:-1] for v in policy(response)["script-src"] if v.startswith("'nonce-")]
    assert f'<script nonce="{nonce}">' in response.content.decode()
    # A fresh nonce on each response.
    assert f"'nonce-{nonce}'" not in client.get(reverse("indicators:dashboard")).headers["Content-Security-Policy"]


def test_no_https_headers_without_https(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert "secure" not in str(client.get("/accounts/login/").cookies.get("csrftoken", "")).lower()
