"""Sign-up creates an unverified user who waits for staff to verify (核验) them; logging in."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from techmarket.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP_URL = reverse("signup")


def signup_data(**overrides) -> dict:
    data = {
        "username": "zhangsan", "display_name": "张三", "email": "zhangsan@example.com", "phone": "13800138000",
        "claimed_organisation_name": "青海大学", "password1": PASSWORD, "password2": PASSWORD,
    }
    return data | overrides


def test_the_form_is_in_chinese(client):
    response = client.get(SIGNUP_URL)
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("注册", "用户名", "姓名", "手机号码", "所在单位", "密码", "核验"):
        assert text in content


def test_signup_creates_an_unverified_user_and_logs_them_in(client):
    response = client.post(SIGNUP_URL, signup_data())
    assert response.status_code == 302 and response.url == reverse("my-organisation")
    user = User.objects.get(username="zhangsan")
    assert (user.display_name, user.phone, user.claimed_organisation_name) == ("张三", "13800138000", "青海大学")
    assert not user.is_verified and user.organisation is None
    assert not user.is_staff and not user.is_superuser and not user.groups.exists()
    assert not user.can_see_contacts and not user.can_submit_listings
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "核验" in message and "联系人" in message and "发布" in message


def test_a_new_user_cannot_submit_listings_yet(client):
    client.post(SIGNUP_URL, signup_data())
    response = client.get(reverse("listing-create"))
    assert response.status_code == 403
    assert "尚未通过实名核验" in response.content.decode()


@pytest.mark.parametrize("overrides, error", [
    ({"password2": "Another-2026-pass"}, "输入的两个密码不一致"),
    ({"password1": "123", "password2": "123"}, "密码太短，至少需要 10 个字符。"),
    ({"username": ""}, "这个字段是必填项"),
    ({"display_name": " "}, "请填写姓名。"),
    ({"phone": ""}, "请填写手机号码"),
    ({"phone": "call me"}, "请填写有效的手机号码"),
    ({"claimed_organisation_name": ""}, "请填写所在单位。"),
])
def test_invalid_input_re_renders_with_chinese_errors(client, overrides, error):
    response = client.post(SIGNUP_URL, signup_data(**overrides))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.filter(username=overrides.get("username", "zhangsan") or "zhangsan").exists()
    assert "_auth_user_id" not in client.session


def test_usernames_are_unique_ignoring_case(client, member):
    response = client.post(SIGNUP_URL, signup_data(username="MEMBER"))
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    assert User.objects.filter(username__iexact="member").count() == 1


def test_signup_cannot_claim_verification_or_an_organisation(client, qinghai_university):
    client.post(SIGNUP_URL, signup_data(is_verified="on", organisation=str(qinghai_university.pk),
                                        is_staff="on"))
    user = User.objects.get(username="zhangsan")
    assert not user.is_verified and user.organisation is None and not user.is_staff


def test_a_logged_in_user_is_sent_home(login, member):
    response = login(member).get(SIGNUP_URL)
    assert response.status_code == 302 and response.url == reverse("home")


def test_login_page_and_logging_in(client, member):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode() and reverse("signup") in response.content.decode()
    response = client.post(reverse("login"), {"username": "member", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD,
                                              "next": reverse("my-listings")})
    assert response.status_code == 302 and response.url == reverse("my-listings")
    assert client.session["_auth_user_id"] == str(member.pk)
