"""Log-in throttling (django-axes): after 5 failed log-ins for one username from one address, log-ins for
that pair are refused for 15 minutes, with a Chinese page (HTTP 429), even with the right password."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("login")
ADMIN_LOGIN_URL = reverse("admin:login")
LOCKED = "登录已暂时锁定"


def post_login(client, username, password, url=LOGIN_URL, address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_limits_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_ENABLED is not False
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)


def test_fifty_wrong_passwords_lock_the_account_for_that_address(client, member):
    statuses = []
    for attempt in range(50):
        response = post_login(client, "member", f"wrong-{attempt}")
        statuses.append(response.status_code)
        content = response.content.decode()
        if response.status_code == 200:
            assert "请输入一个正确的" in content
        else:
            assert response.status_code == 429
            assert LOCKED in content and "15 分钟后再试" in content and "member" in content
    assert statuses == [200] * 4 + [429] * 46

    response = post_login(client, "member", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("my-listings")).status_code == 302  # still sent to log in

    # Another address is not locked out: the limit is per username and address.
    response = post_login(client, "member", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_the_lock_ends_after_the_cool_off(client, member):
    for attempt in range(5):
        post_login(client, "member", f"wrong-{attempt}")
    assert post_login(client, "member", PASSWORD).status_code == 429
    # Fifteen minutes pass.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = post_login(client, "member", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_successful_log_in_resets_the_count(client, member):
    for attempt in range(4):
        assert post_login(client, "member", f"wrong-{attempt}").status_code == 200
    assert post_login(client, "member", PASSWORD).status_code == 302
    client.logout()
    for attempt in range(4):
        assert post_login(client, "member", f"wrong-again-{attempt}").status_code == 200
    assert post_login(client, "member", PASSWORD).status_code == 302


def test_the_admin_log_in_is_throttled_too(client, make_user):
    make_user("admin", is_staff=True, is_superuser=True)
    statuses = [post_login(client, "admin", f"wrong-{n}", url=ADMIN_LOGIN_URL).status_code for n in range(6)]
    assert statuses == [200] * 4 + [429] * 2
    response = post_login(client, "admin", PASSWORD, url=ADMIN_LOGIN_URL)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_login_page_still_opens_while_locked(client, member):
    for attempt in range(5):
        post_login(client, "member", f"wrong-{attempt}")
    response = client.get(LOGIN_URL, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200 and "登录" in response.content.decode()


def test_behind_a_proxy_the_forwarded_address_counts(client, member, settings):
    """Behind a reverse proxy (BEHIND_PROXY=true) every request comes from the proxy's address; the client's
    is the last one in X-Forwarded-For (earlier entries are whatever the client sent)."""
    settings.BEHIND_PROXY = True

    def attempt(password, forwarded):
        return client.post(LOGIN_URL, {"username": "member", "password": password}, REMOTE_ADDR="127.0.0.1",
                           headers={"x-forwarded-for": forwarded})

    for n in range(5):
        attempt(f"wrong-{n}", f"198.51.100.{n}, 203.0.113.7")  # a forged first entry changes nothing
    assert attempt(PASSWORD, "203.0.113.7").status_code == 429
    assert attempt(PASSWORD, "203.0.113.8").status_code == 302
