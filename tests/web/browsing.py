"""What browser tests do again and again: make a verified user, log in through the page, submit a form."""

from django.contrib.auth import get_user_model

from techmarket.directory.models import Organisation
from tests.conftest import PASSWORD


def make_user(username: str, organisation: Organisation | None):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, is_verified=True,
                                                organisation=organisation, display_name=username)


def log_in(browser, base: str, username: str):
    """A new browser context, logged in as `username`, on the page the log-in leads to."""
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "退出" in page.content()
    return page


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
