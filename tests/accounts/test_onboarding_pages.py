"""The onboarding pages: 单位与核验 (/my/organisation/) for the member, 用户核验 (/review/members/) for staff who may
verify, the resend button, and what the workspace and the menu show of them. All in Chinese."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from techmarket.accounts import onboarding
from techmarket.accounts.models import VerificationRequest
from techmarket.directory.models import Region
from tests.accounts.onboarding_helpers import (
    NEW_CODE,
    UNIVERSITY_CODE,
    invalid_code,
)

pytestmark = pytest.mark.django_db

PAGE = "/my/organisation/"
QUEUE = "/review/members/"
Status = VerificationRequest.Status
# Words of the code that must not reach a user's page as text.
CODE_WORDS = re.compile(r"\b(claim|register|pending|approved|rejected|enterprise|haidong|None|True|False)\b")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def said(response) -> str:
    """The message the request added (earlier ones stay stored until a page shows them)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def test_the_routes():
    assert reverse("my-organisation") == PAGE and reverse("member-review-queue") == QUEUE
    assert reverse("member-review-decide", args=[3]) == "/review/members/3/"


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (PAGE, QUEUE):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_page_shows_the_state_and_the_form_in_chinese(login, newcomer):
    html = login(newcomer).get(PAGE).content.decode()
    for text in ("单位与核验", "未核验", "尚未关联", "未确认", "重新发送确认邮件", "统一社会信用代码",
                 "单位名称（全称）", "单位类型", "所在地", "提交核验申请"):
        assert text in html, text
    assert 'value="青海大学"' in html  # the name given at sign-up, as a start
    assert 'maxlength="200"' in html and 'maxlength="30"' in html
    assert "泛指单位" not in html
    assert not CODE_WORDS.search(visible_text(html)), CODE_WORDS.search(visible_text(html))


def test_claiming_by_code_then_waiting(login, newcomer, university):
    client = login(newcomer)
    response = client.post(PAGE, {"credit_code": UNIVERSITY_CODE})
    assert response.status_code == 302 and response.url == PAGE
    assert said(response) == "已提交申请（认领单位“青海大学”），请等待工作人员核验；结果将通过消息通知您。"
    html = client.get(PAGE).content.decode()
    assert "待核验" in html and "认领已有单位：青海大学" in html and UNIVERSITY_CODE in html
    assert 'id="verification-form"' not in html  # one request at a time
    # A second submission (a double click) adds nothing.
    again = client.post(PAGE, {"credit_code": UNIVERSITY_CODE})
    assert again.status_code == 302 and "您已有一项待核验的申请" in said(again)
    assert VerificationRequest.objects.filter(user=newcomer).count() == 1


def test_registering_a_new_organisation(login, newcomer):
    client = login(newcomer)
    region = Region.objects.get(code="haidong")
    response = client.post(PAGE, {"credit_code": NEW_CODE, "name": "海东高原新材料有限公司", "org_kind": "enterprise",
                                  "region": region.pk})
    assert response.status_code == 302
    request = VerificationRequest.objects.get(user=newcomer)
    assert request.kind == VerificationRequest.Kind.REGISTER and request.region == region
    assert "登记新单位：海东高原新材料有限公司" in client.get(PAGE).content.decode()


@pytest.mark.parametrize("data, error", [
    ({"credit_code": ""}, "请填写所在单位的统一社会信用代码。"),
    ({"credit_code": "12345"}, "统一社会信用代码无效"),
    ({"credit_code": invalid_code(NEW_CODE)}, "统一社会信用代码无效"),
    ({"credit_code": "9" * 31}, "统一社会信用代码应为 18 位。"),
    ({"credit_code": NEW_CODE}, "请填写单位名称、类型和所在地"),
    ({"credit_code": NEW_CODE, "name": "某" * 201, "org_kind": "enterprise"}, "单位名称最多 200 个字。"),
    ({"credit_code": NEW_CODE, "name": "某公司", "org_kind": "spaceship"}, "请从列表中选择单位类型。"),
    ({"credit_code": NEW_CODE, "name": "某公司", "org_kind": "enterprise", "region": "x"}, "请从列表中选择所在地。"),
])
def test_errors_are_explained_in_chinese(login, newcomer, data, error):
    response = login(newcomer).post(PAGE, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not VerificationRequest.objects.exists()


def test_a_verified_member_sees_no_form(login, member):
    html = login(member).get(PAGE).content.decode()
    assert "已核验" in html and "青海大学" in html and 'id="verification-form"' not in html


# --- The staff's queue -----------------------------------------------------------------------------------------

def test_the_queue_is_refused_to_others_with_a_chinese_403(login, member, newcomer, make_user):
    for user in (member, newcomer, make_user("plainstaff", is_staff=True)):
        response = login(user).get(QUEUE)
        assert response.status_code == 403
        assert "只有负责核验用户的省科技厅工作人员可以处理核验申请。" in response.content.decode()


def test_others_cannot_decide(login, member, newcomer, university):
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    response = login(member).post(reverse("member-review-decide", args=[request.pk]), {"action": "approve"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == Status.PENDING


def test_the_queue_shows_the_person_and_the_organisation(login, reviewer, newcomer, university):
    onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    response = login(reviewer).get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("用户核验", "共 1 项待核验", "王五", "newcomer@example.com", "未确认", "13909710001",
                 "注册时间", "认领已有单位", "青海大学", UNIVERSITY_CODE, "核验通过", "不予通过", "未通过原因"):
        assert text in html, text
    assert not CODE_WORDS.search(visible_text(html)), CODE_WORDS.search(visible_text(html))


def test_the_empty_queue(login, reviewer):
    assert "目前没有待核验的申请。" in login(reviewer).get(QUEUE).content.decode()


def test_approving_in_the_queue(login, reviewer, newcomer, university, client):
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    decide = reverse("member-review-decide", args=[request.pk])
    response = login(reviewer).post(decide, {"action": "approve"})
    assert response.status_code == 302 and response.url == QUEUE
    assert said(response) == "已核验通过“王五”，其账户已关联单位“青海大学”。"
    again = client.post(decide, {"action": "approve"})
    assert said(again) == "该申请已由其他工作人员处理（已通过），未作更改。"
    newcomer.refresh_from_db()
    assert newcomer.is_verified and newcomer.organisation == university
    html = login(newcomer).get(PAGE).content.decode()
    assert "已通过" in html and 'id="verified-state">已核验' in html and reverse("listing-create") in html


def test_rejecting_in_the_queue_needs_a_reason(login, reviewer, newcomer, university, client):
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    decide = reverse("member-review-decide", args=[request.pk])
    response = login(reviewer).post(decide, {"action": "reject", "reason": ""})
    assert said(response) == "请填写未通过的原因，申请人将看到此说明。"
    request.refresh_from_db()
    assert request.status == Status.PENDING
    response = client.post(decide, {"action": "reject", "reason": "请提供单位出具的在职证明。"})
    assert said(response) == "已将“王五”的申请标记为未通过，申请人将在消息中看到原因。"
    html = login(newcomer).get(PAGE).content.decode()
    assert "未通过" in html and "请提供单位出具的在职证明。" in html and 'id="verification-form"' in html


def test_an_unknown_action_changes_nothing(login, reviewer, newcomer, university):
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    response = login(reviewer).post(reverse("member-review-decide", args=[request.pk]), {"action": "delete"})
    assert said(response) == "未知的核验操作。"
    assert login(reviewer).get(reverse("member-review-decide", args=[request.pk])).status_code == 405


# --- Resending the confirmation e-mail ---------------------------------------------------------------------------

def test_the_resend_button_sends_once_a_minute(login, newcomer):
    client = login(newcomer)
    url = reverse("resend-confirmation")
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "/my/"})
    assert response.status_code == 302 and response.url == "/my/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["newcomer@example.com"]
    assert "我们已向 newcomer@example.com 发送确认邮件" in said(response)
    response = client.post(url, {"next": "https://evil.example.com/"})
    assert response.url == PAGE  # never off the site
    assert "1 分钟后再试" in said(response) and len(mail.outbox) == 1


def test_texts_point_to_the_resend_button(client):
    from techmarket.accounts import views

    assert "重新发送确认邮件" in views.EMAIL_NOT_SENT_NOTICE
    assert "请联系平台服务台重新发送" not in views.EMAIL_NOT_SENT_NOTICE
    response = client.get(reverse("confirm-email", args=["forged"]))
    assert "单位与核验" in response.content.decode()


# --- Workspace and menu ----------------------------------------------------------------------------------------

def test_the_workspace_tells_a_newcomer_the_next_step(login, newcomer, university):
    client = login(newcomer)
    html = client.get("/my/").content.decode()
    assert 'id="next-steps"' in html and 'data-step="confirm-email"' in html and 'data-step="apply"' in html
    assert f'href="{PAGE}"' in html and "重新发送确认邮件" in html
    onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    html = client.get("/my/").content.decode()
    assert 'data-step="wait"' in html and "正在等待工作人员核验" in html


def test_a_verified_member_with_a_confirmed_address_has_no_next_step(login, member):
    assert 'id="next-steps"' not in login(member).get("/my/").content.decode()


def test_the_workspace_and_menu_show_the_queue_to_those_who_may_verify(login, reviewer, newcomer, university,
                                                                       member):
    onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    html = login(reviewer).get("/my/").content.decode()
    assert 'data-count="verification">1<' in html
    section = re.search(r'<section class="card[^"]*" id="verification".*?</section>', html, re.S).group(0)
    assert "王五 · 青海大学" in section and QUEUE in section and "认领已有单位" in section
    assert f'href="{QUEUE}">用户核验<' in html
    member_html = login(member).get("/my/").content.decode()
    assert QUEUE not in member_html and 'id="verification"' not in member_html


def test_the_admin_lists_requests_read_only_in_chinese(client, make_user, newcomer, university):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    html = client.get(reverse("admin:accounts_verificationrequest_changelist")).content.decode()
    assert "核验申请" in html and "认领已有单位" in html and "待核验" in html
    assert not CODE_WORDS.search(visible_text(html).replace("accounts", ""))
    assert client.get(reverse("admin:accounts_verificationrequest_add")).status_code == 403
