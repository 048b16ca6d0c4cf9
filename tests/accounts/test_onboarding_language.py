"""Issue 13 point 3: sign-up collects a confirmed e-mail address and a mobile number; the "no permission" page
says whom to contact and what to do; the Django admin speaks Chinese."""

import json
import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse

from techmarket.accounts import services
from techmarket.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP_URL = reverse("signup")


def signup_data(**overrides) -> dict:
    data = {
        "username": "lisi", "display_name": "李四", "email": "LiSi@Example.com", "phone": "139 0971 0000",
        "claimed_organisation_name": "青海大学", "password1": PASSWORD, "password2": PASSWORD,
    }
    return data | overrides


def link_in(message) -> str:
    [path] = re.findall(r"/accounts/email/confirm/[^/\s]+/", message.body)
    return path


# --- 1. Sign-up: e-mail (confirmed by a signed link) and mobile number -----------------------------------------

def test_signup_asks_for_email_and_mobile(client):
    content = client.get(SIGNUP_URL).content.decode()
    assert "电子邮箱" in content and 'name="email"' in content and 'maxlength="254"' in content
    assert "手机号码" in content and 'name="phone"' in content


def test_signup_stores_email_and_mobile_and_mails_a_confirmation_link(client):
    response = client.post(SIGNUP_URL, signup_data())
    assert response.status_code == 302
    user = User.objects.get(username="lisi")
    assert user.email == "LiSi@example.com" and user.phone == "13909710000"
    assert user.email_confirmed_at is None and not user.email_confirmed
    [message] = mail.outbox
    assert message.to == ["LiSi@example.com"]
    assert "确认" in message.subject and message.subject.startswith("【青海科技开放合作平台】")
    assert "3 天" in message.body


@pytest.mark.parametrize("overrides, error", [
    ({"email": ""}, "请填写电子邮箱。"),
    ({"email": "not-an-address"}, "请填写有效的电子邮箱地址。"),
    ({"email": "a" * 250 + "@x.cn"}, "254"),
    ({"phone": ""}, "请填写手机号码"),
    ({"phone": "0971-1234567"}, "请填写有效的手机号码"),
    ({"phone": "12800138000"}, "请填写有效的手机号码"),
    ({"phone": "1380013800"}, "请填写有效的手机号码"),
    ({"phone": "138001380001"}, "请填写有效的手机号码"),
])
def test_bad_email_or_mobile_is_refused_in_chinese(client, overrides, error):
    response = client.post(SIGNUP_URL, signup_data(**overrides))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.filter(username="lisi").exists() and not mail.outbox


def test_mainland_mobile_with_country_code_is_accepted(client):
    client.post(SIGNUP_URL, signup_data(phone="+86 138-0013-8000"))
    assert User.objects.get(username="lisi").phone == "13800138000"


def test_email_is_unique_ignoring_case(client, make_user):
    make_user("first", email="lisi@example.com")
    response = client.post(SIGNUP_URL, signup_data())
    assert response.status_code == 200
    assert "该电子邮箱已被注册" in response.content.decode()
    assert not User.objects.filter(username="lisi").exists()


def test_the_database_refuses_a_second_account_with_the_same_email(make_user):
    make_user("first", email="same@example.com")
    make_user("blank1", email="")
    make_user("blank2", email="")  # accounts without an address do not collide
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("second", email="SAME@example.com")


def test_following_the_link_confirms_the_email(client):
    client.post(SIGNUP_URL, signup_data())
    client.logout()
    response = client.get(link_in(mail.outbox[0]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "邮箱已确认" in content and "LiSi@example.com" in content
    assert User.objects.get(username="lisi").email_confirmed
    again = client.get(link_in(mail.outbox[0]))
    assert again.status_code == 200 and "此前已经确认" in again.content.decode()


def test_an_expired_link_is_refused_with_a_chinese_message(client, make_user, monkeypatch):
    user = make_user("late", email="late@example.com")
    four_days_ago = signing.b62_encode(int(time.time() - timedelta(days=4).total_seconds()))
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: four_days_ago)
        token = services.make_token(user)
    with override_settings(TECHMARKET_EMAIL_CONFIRM_DAYS=3):
        response = client.get(reverse("confirm-email", args=[token]))
    assert response.status_code == 400
    content = response.content.decode()
    assert "确认链接已过期" in content and "3 天" in content and "服务台" in content
    user.refresh_from_db()
    assert user.email_confirmed_at is None


@pytest.mark.parametrize("token", ["forged", "eyJ1IjoxfQ:1abcde:xxxxxxxx", "a" * 300])
def test_a_forged_link_is_refused_with_a_chinese_message(client, token):
    response = client.get(reverse("confirm-email", args=[token]))
    assert response.status_code == 400
    assert "确认链接无效" in response.content.decode()


def test_a_link_for_a_changed_address_is_refused(client, make_user):
    user = make_user("moved", email="old@example.com")
    token = services.make_token(user)
    User.objects.filter(pk=user.pk).update(email="new@example.com")
    response = client.get(reverse("confirm-email", args=[token]))
    assert response.status_code == 400 and "确认链接无效" in response.content.decode()
    user.refresh_from_db()
    assert user.email_confirmed_at is None


# --- 2. The "no permission" page says whom to contact and what to do ------------------------------------------

@override_settings(TECHMARKET_SUPPORT_EMAIL="fuwu@kjt.qinghai.gov.cn", TECHMARKET_SUPPORT_PHONE="0971-0000000")
def test_the_403_page_names_the_service_desk_and_the_steps(client):
    client.post(SIGNUP_URL, signup_data())
    response = client.get(reverse("listing-create"))
    assert response.status_code == 403
    content = response.content.decode()
    assert "fuwu@kjt.qinghai.gov.cn" in content and "0971-0000000" in content and "平台服务台" in content
    assert "完成实名核验" in content and "关联单位" in content and "确认您的电子邮箱" in content
    assert "请联系平台管理员" not in content


def test_the_403_page_for_a_verified_user_without_organisation_asks_only_to_link_it(login, outsider):
    client = login(outsider)
    response = client.get(reverse("listing-create"))
    assert response.status_code == 403
    content = response.content.decode()
    assert "关联单位" in content and "完成实名核验" not in content
    assert "support@localhost" in content  # the documented default


# --- 3. The admin in Chinese ----------------------------------------------------------------------------------

ENGLISH = re.compile(r"Choose |Can (add|change|delete|view) |Add another|Select all|"
                     r"\b(listing contact|listing organisation|user|group|permission)s?\b(?![-_=\"/])")


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    return client


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_permission_names_are_chinese():
    assert not Permission.objects.filter(name__startswith="Can ").exists()
    assert Permission.objects.get(codename="add_user", content_type__app_label="accounts").name == "可新增用户"


@pytest.mark.parametrize("url", [
    reverse("admin:index"),
    reverse("admin:accounts_user_add"),
    reverse("admin:auth_group_add"),
])
def test_admin_pages_have_no_english(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert not ENGLISH.search(text), ENGLISH.search(text)


def test_the_user_change_form_has_no_english(admin_client, member):
    response = admin_client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert not ENGLISH.search(text), ENGLISH.search(text)
    assert "邮箱确认时间" in text


def test_the_admin_javascript_catalogue_is_chinese(admin_client):
    response = admin_client.get(reverse("admin:jsi18n"))
    content = response.content.decode()
    assert "Choose %s by selecting them" in content  # the English key ...
    assert json.dumps("在下框中选中要添加的%s", ensure_ascii=True)[1:-1] in content  # ... with its Chinese


def test_listing_models_have_chinese_names():
    from django.apps import apps

    english = [m._meta.label for m in apps.get_models()
               if m._meta.app_label.split(".")[-1] in {"accounts", "catalogue"}
               and re.fullmatch(r"[a-z ]+", str(m._meta.verbose_name))]
    assert not english
