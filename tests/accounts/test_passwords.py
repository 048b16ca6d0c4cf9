"""Password rules on the sign-up page: at least 10 characters, three kinds of characters, not like the
user's name or phone, not common, not all digits (settings.AUTH_PASSWORD_VALIDATORS)."""

import pytest
from django.urls import reverse

from techmarket.accounts.models import User
from tests.accounts.test_signup import SIGNUP_URL, signup_data

pytestmark = pytest.mark.django_db


def test_the_sign_up_page_states_the_rules(client):
    content = client.get(SIGNUP_URL).content.decode()
    assert "至少 10 个字符" in content
    assert "大写字母、小写字母、数字、符号中的至少 3 种" in content


@pytest.mark.parametrize("password, errors", [
    ("zhang1234", ["密码太短，至少需要 10 个字符。", "密码须包含大写字母、小写字母、数字、符号中的至少 3 种。"]),
    ("zhangsan12345", ["太相似", "至少 3 种"]),
    ("Zhangsan-2026", ["密码跟 用户名 太相似了。"]),
    ("13800138000", ["手机号码 太相似", "密码只包含数字。"]),
    ("password123", ["这个密码太常见了。"]),
    ("qinghaixining", ["至少 3 种"]),
])
def test_weak_passwords_are_refused_in_chinese(client, password, errors):
    response = client.post(SIGNUP_URL, signup_data(password1=password, password2=password))
    assert response.status_code == 200
    content = response.content.decode()
    for error in errors:
        assert error in content
    assert "This password" not in content
    assert not User.objects.filter(username="zhangsan").exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("password", ["Xining-2026-kj", "青海大学科技处2026xy", "Salt Lake 2026"])
def test_strong_passwords_are_accepted(client, password):
    response = client.post(SIGNUP_URL, signup_data(password1=password, password2=password))
    assert response.status_code == 302 and response.url == reverse("my-organisation")
    assert User.objects.get(username="zhangsan").check_password(password)
