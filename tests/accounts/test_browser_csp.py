"""The Content-Security-Policy in a real browser: no page's scripts, styles or images are refused, the
indicator charts (an inline script with the nonce) draw, the API docs (Swagger UI from ninja's static files)
work, and the log-in throttling page shows in the browser. Fixtures: tests/web/conftest.py."""

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import PASSWORD
from tests.web.conftest import browser, needs_chromium, seed  # noqa: F401 (fixtures)

pytestmark = needs_chromium


def open_page(browser):  # noqa: F811
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    return page, refused


@pytest.mark.parametrize("path", ["/", "/catalogue/", "/search/?q=牦牛", "/policy/", "/accounts/signup/",
                                  "/accounts/login/"])
def test_public_pages_load_without_violations(browser, live_server, path):  # noqa: F811
    page, refused = open_page(browser)
    response = page.goto(live_server.url + path)
    assert response.status == 200 and "Content-Security-Policy" in {k.title() for k in response.headers}
    page.wait_for_load_state("load")
    # Bootstrap's script ran (its data API is live).
    assert page.evaluate("typeof window.bootstrap") == "object"
    assert refused == []


def test_indicator_charts_draw_under_the_policy(browser, live_server):  # noqa: F811
    page, refused = open_page(browser)
    page.goto(live_server.url + "/indicators/")
    page.wait_for_load_state("load")
    canvases = page.locator("canvas.indicator-chart").count()
    assert canvases > 0
    drawn = page.evaluate("Array.from(document.querySelectorAll('canvas.indicator-chart'))"
                          ".filter(c => window.Chart && Chart.getChart(c)).length")
    assert drawn > 0
    assert refused == []
    # A script without the nonce (as an injected one would be) does not run, and is reported.
    page.evaluate("const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
                  "document.body.appendChild(s)")
    assert page.evaluate("typeof window.injected") == "undefined"
    assert len(refused) == 1 and "script-src" in refused[0]


def test_api_docs_work_under_the_policy(browser, live_server):  # noqa: F811
    page, refused = open_page(browser)
    page.goto(live_server.url + "/api/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 10
    assert "青海科技开放合作平台 API" in page.locator(".swagger-ui .title").inner_text()
    assert refused == []


def test_admin_and_lockout_in_the_browser(browser, live_server):  # noqa: F811
    get_user_model().objects.create_user(username="csp-admin", password=PASSWORD, is_staff=True,
                                         is_superuser=True, display_name="管理员")
    page, refused = open_page(browser)
    page.goto(live_server.url + "/admin/")
    for attempt in range(5):
        page.fill("#id_username", "csp-admin")
        page.fill("#id_password", f"wrong-{attempt}")
        with page.expect_navigation():
            page.click("input[type=submit]")
        if attempt < 4:
            assert "请输入一个正确的" in page.content() or "正确" in page.content()
    assert "登录已暂时锁定" in page.content()

    # The site's log-in page opens; the right password is refused while locked.
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "csp-admin")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "登录已暂时锁定" in page.content()

    # Another browser (same address, another user) is unaffected; the admin's pages load under the policy.
    other, other_refused = open_page(browser)
    get_user_model().objects.create_user(username="csp-admin2", password=PASSWORD, is_staff=True,
                                         is_superuser=True, display_name="管理员2")
    other.goto(live_server.url + "/admin/")
    other.fill("#id_username", "csp-admin2")
    other.fill("#id_password", PASSWORD)
    with other.expect_navigation():
        other.click("input[type=submit]")
    assert other.url.endswith("/admin/")
    other.goto(live_server.url + "/admin/accounts/user/")
    other.wait_for_load_state("load")
    assert "csp-admin" in other.content()
    assert refused == [] and other_refused == []
