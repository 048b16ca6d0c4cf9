"""The public pages in a real browser: Debian's chromium driven through Playwright against a live server.

live_server tests are transactional: pytest-django flushes the database after them, which would take the
seed imported once by conftest.py away from every later test. The module-scoped `seed` fixture is set up
before (and so torn down after) the flush of the test's transactional database: it makes sure the seed is
there for the test and imports it again afterwards.
"""

from pathlib import Path

import pytest
from django.conf import settings

from techmarket.catalogue.importers.loader import import_file
from techmarket.catalogue.models import Listing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")]


def ensure_seed() -> None:
    if not Listing.objects.exists():
        import_file(settings.TECHMARKET_SEED_FILE)


@pytest.fixture(scope="module")
def seed(django_db_blocker):
    with django_db_blocker.unblock():
        ensure_seed()
    yield
    with django_db_blocker.unblock():
        ensure_seed()


@pytest.fixture
def browser(seed, live_server, monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made here meanwhile
    # (none in the test body, but fixtures' teardown) must not be refused as async-unsafe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_browse_filter_and_open_a_listing(browser, live_server):
    expected_offers = Listing.objects.filter(kind=Listing.Kind.OFFER).count()
    assert expected_offers == 30
    page = browser.new_page()
    page.set_default_timeout(15_000)

    page.goto(live_server.url + "/")
    assert "青海科技开放合作平台" in page.title()
    page.click("#browse-catalogue")
    page.wait_for_url("**/catalogue/")
    assert page.locator("#result-count").inner_text() == "共 177 条"

    page.select_option("#id_kind", label="成果供给")
    with page.expect_navigation():
        page.locator("#catalogue-filters button[type=submit]").click()
    assert "kind=offer" in page.url
    assert page.locator("#result-count").inner_text() == f"共 {expected_offers} 条"
    assert page.locator("#id_kind").input_value() == "offer"

    first = page.locator(".listing-card .card-title a").first
    title = first.inner_text().strip()
    with page.expect_navigation():
        first.click()
    assert "/listings/" in page.url
    assert page.locator("h1.listing-title").inner_text().strip() == title
    assert "登录并通过实名核验后可查看联系人" in page.content()
