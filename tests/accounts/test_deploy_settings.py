"""The documented production environment (README, "Production"): `techmarket check --deploy` is clean, and
a site served over HTTPS redirects plain HTTP, sends HSTS and secure cookies. Run as separate processes with
the production settings module and that environment."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

TECHMARKET = Path(sys.executable).with_name("techmarket")
README = Path(__file__).resolve().parents[2] / "README.md"


def documented_environment() -> dict[str, str]:
    """The variables in the README's "Production" shell block."""
    text = README.read_text().split("## Production", 1)[1]
    block = text.split("```sh", 1)[1].split("```", 1)[0]
    pairs = (line.split("#", 1)[0].strip().split("=", 1) for line in block.splitlines())
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


DOCUMENTED = documented_environment()
HOST = DOCUMENTED["ALLOWED_HOSTS"].split(",")[0]


def production_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "HSTS_"))}
    env.pop("BEHIND_PROXY", None)
    env.update(DOCUMENTED)
    env.update({
        "DJANGO_SETTINGS_MODULE": "techmarket.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),  # the README says "50 or more random characters"
        "TECHMARKET_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # check --deploy does not need the database
    })
    env.update(extra)
    return env


def test_the_readme_documents_a_production_environment():
    assert DOCUMENTED["DEBUG"] == "false" and DOCUMENTED["SECURE_COOKIES"] == "true"
    assert DOCUMENTED["BEHIND_PROXY"] == "true" and HOST and DOCUMENTED["SECRET_KEY"] == "..."


def check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run([str(TECHMARKET), "check", "--deploy", "--fail-level", "WARNING"], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("extra", [{}, {"BEHIND_PROXY": "false"}])
def test_check_deploy_is_clean_with_the_documented_settings(tmp_path, extra):
    result = check_deploy(production_env(tmp_path, **extra))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_warns_without_https(tmp_path):
    result = check_deploy(production_env(tmp_path, SECURE_COOKIES="false"))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in output


PROBE = """
import json, django
django.setup()
from django.test import Client
host = {host!r}
out = {{}}
plain = Client(SERVER_NAME=host).get("/api/openapi.json")
out["plain"] = [plain.status_code, plain.headers.get("Location")]
proxied = Client(SERVER_NAME=host).get("/api/openapi.json", headers={{"x-forwarded-proto": "https"}})
out["proxied"] = [proxied.status_code, proxied.headers.get("Strict-Transport-Security")]
secure = Client(SERVER_NAME=host).get("/accounts/login/", secure=True)
cookie = secure.cookies["csrftoken"]
out["secure"] = [secure.status_code, secure.headers.get("Strict-Transport-Security"), bool(cookie["secure"]),
                 "Content-Security-Policy" in secure.headers]
print(json.dumps(out))
"""


def probe(env) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE.format(host=HOST)], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_redirect_hsts_and_secure_cookies(tmp_path):
    # Plain static file names: this probe renders a page without running collectstatic first.
    out = probe(production_env(tmp_path, TECHMARKET_PLAIN_STATIC="true", BEHIND_PROXY="false"))
    assert out["plain"] == [301, f"https://{HOST}/api/openapi.json"]
    # Without BEHIND_PROXY, a forwarded scheme header is not believed.
    assert out["proxied"][0] == 301
    assert out["secure"] == [200, "max-age=31536000; includeSubDomains", True, True]


def test_behind_a_tls_proxy(tmp_path):
    out = probe(production_env(tmp_path, TECHMARKET_PLAIN_STATIC="true"))
    assert out["plain"][0] == 301
    assert out["proxied"] == [200, "max-age=31536000; includeSubDomains"]
