"""Self-service onboarding in a real browser: a newcomer signs up, confirms the e-mail, claims the organisation by
its credit code; a reviewer approves the request in 用户核验; the member sees the verified state and can open
发布需求 (fixtures and the re-seeding after the flush: tests/web/conftest.py)."""

import re

from django.contrib.auth.models import Group
from django.core import mail

from techmarket.accounts.roles import REVIEWERS, ensure_roles
from techmarket.directory.models import Organisation
from tests.accounts.onboarding_helpers import UNIVERSITY_CODE
from tests.conftest import PASSWORD
from tests.web.browsing import log_in, make_user, submit
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium


def test_sign_up_claim_and_be_verified(browser, live_server):
    base = live_server.url
    Organisation.objects.filter(name="青海大学").update(credit_code=UNIVERSITY_CODE)
    if not Group.objects.filter(name=REVIEWERS).exists():  # a flush by an earlier live-server test
        ensure_roles()
    reviewer = make_user("browser-reviewer", None)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))

    # 1. Sign up.
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    page.goto(base + "/accounts/signup/")
    for field, value in {"username": "zhaoliu", "display_name": "赵六", "email": "zhaoliu@example.com",
                         "phone": "13909710002", "claimed_organisation_name": "青海大学", "password1": PASSWORD,
                         "password2": PASSWORD}.items():
        page.fill(f"#id_{field}", value)
    submit(page, "form button[type=submit]")
    assert "注册成功" in page.content()

    # 2. The workspace says what to do next; confirm the e-mail through the link that was sent.
    page.goto(base + "/my/")
    steps = page.locator("#next-steps")
    assert "确认电子邮箱" in steps.inner_text() and "认领或登记单位" in steps.inner_text()
    [link] = re.findall(r"/accounts/email/confirm/[^/\s]+/", mail.outbox[-1].body)
    page.goto(base + link)
    assert "邮箱已确认" in page.content()

    # 3. Claim 青海大学 by its credit code.
    page.goto(base + "/my/")
    with page.expect_navigation():
        steps.get_by_role("link", name="认领或登记单位").click()
    page.fill("#id_credit_code", UNIVERSITY_CODE)
    submit(page, "#verification-form button[type=submit]")
    assert "已提交申请（认领单位“青海大学”）" in page.content()
    assert page.locator("#request-status").inner_text() == "待核验"

    # 4. A reviewer approves it in the queue, reached from the menu.
    staff = log_in(browser, base, "browser-reviewer")
    with staff.expect_navigation():
        staff.locator("#main-nav").get_by_role("link", name="用户核验").click()
    card = staff.locator(".verification-request", has_text="赵六")
    assert "zhaoliu@example.com" in card.inner_text() and UNIVERSITY_CODE in card.inner_text()
    with staff.expect_navigation():
        card.get_by_role("button", name="核验通过").click()
    assert "已核验通过“赵六”，其账户已关联单位“青海大学”。" in staff.content()
    assert staff.locator("#no-requests").is_visible()

    # 5. The member sees the verified state and may publish for 青海大学.
    page.goto(base + "/my/organisation/")
    assert page.locator("#request-status").inner_text() == "已通过"
    assert page.locator("#verified-state").inner_text() == "已核验"
    page.goto(base + "/my/")
    assert page.locator("#next-steps").count() == 0
    response = page.goto(base + "/my/listings/new/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "发布需求或成果" and page.locator("#id_title").is_visible()
