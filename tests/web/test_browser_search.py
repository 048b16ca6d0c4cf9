"""Search in a real browser: the navbar's search box, the results page, a result's listing page with its
matches panel. Debian's chromium through Playwright against a live server, like test_browser.py.

live_server tests are transactional: the database is flushed after the test, and the module-scoped `seed`
fixture imports the seed again afterwards. pytest-django runs transactional tests after all the others, in
file order, so in a full run this test follows test_browser.py's flush and re-import: the search documents
it needs were re-created by the import's on-commit signal handlers, with no manual reindex (checked first).
"""

from pathlib import Path

import pytest
from django.conf import settings

from techmarket.catalogue.importers.loader import import_file
from techmarket.catalogue.models import Listing
from techmarket.matching.models import SearchDocument
from techmarket.matching.services.search import search

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LITHIUM = {f"innovation/hightech/{n}" for n in (17, 35, 39, 40, 55, 77)}

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
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_search_from_the_navbar_and_open_a_result(browser, live_server):
    assert SearchDocument.objects.filter(public=True, vector__isnull=False).count() == 177
    result = search("盐湖提锂")
    assert result.verdict == "match" and {h.reference for h in result.hits[:3]} <= LITHIUM

    page = browser.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/catalogue/")

    box = page.locator("nav form[role=search] input[name=q]")
    box.fill("盐湖提锂")
    with page.expect_navigation():
        box.press("Enter")
    assert "/search/" in page.url and "q=" in page.url
    results = page.locator(".search-hit")
    assert results.count() == 10
    assert int(page.locator("#search-total").get_attribute("data-count")) >= 10
    assert page.locator(".search-snippet mark").count() > 0
    assert page.locator("#search-verdict").count() == 0
    first = results.first
    reference = first.get_attribute("data-reference")
    assert reference in LITHIUM
    title = first.locator(".search-hit-title").inner_text().strip()

    with page.expect_navigation():
        first.locator(".search-hit-title").click()
    assert page.url.endswith(f"/listings/{reference}/")
    assert page.locator("h1.listing-title").inner_text().strip() == title
    panel = page.locator("#matches-panel")
    assert panel.is_visible()
    assert "相关需求" in panel.inner_text()
    assert panel.locator(".match-item").count() > 0
    assert panel.locator(".match-explanation").first.inner_text().strip()
