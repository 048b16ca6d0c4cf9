"""Search in a real browser: the navbar's search box, the results page, a result's listing page with its
matches panel. Debian's chromium through Playwright against a live server, like test_browser.py.

live_server tests are transactional: the database is flushed after the test, and the module-scoped `seed`
fixture imports the seed again afterwards. pytest-django runs transactional tests after all the others, in
file order, so in a full run this test follows test_browser.py's flush and re-import: the search documents
it needs were re-created by the import's on-commit signal handlers, with no manual reindex (checked first).
"""


from techmarket.matching.models import SearchDocument
from techmarket.matching.services.search import search
from tests.seed_counts import LISTINGS
from tests.web.conftest import needs_chromium

LITHIUM = {f"innovation/hightech/{n}" for n in (17, 35, 39, 40, 55, 77)}

pytestmark = needs_chromium


def test_search_from_the_navbar_and_open_a_result(browser, live_server):
    assert SearchDocument.objects.filter(public=True, vector__isnull=False).count() == LISTINGS
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
    # Bands, not scores: the relevant results first, the weak tail collapsed behind its toggle.
    assert "得分" not in page.locator("#search-results").inner_text()
    assert page.locator(".search-relevant-list .search-band").first.inner_text() in ("强相关", "中等相关")
    tail = page.locator("#search-weak-tail")
    assert tail.get_attribute("open") is None
    assert not tail.locator(".search-hit").first.is_visible()
    tail.locator("summary").click()
    assert tail.locator(".search-hit").first.is_visible()
    assert tail.locator(".search-band").first.inner_text() == "弱相关"
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
    assert panel.locator(".match-band").first.inner_text() in ("强相关", "中等相关", "弱相关")

    # On a phone: a no-match answer shows its verdict and, under it, the weak tail open.
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.set_default_timeout(15_000)
    phone.goto(live_server.url + "/search/?q=手机游戏开发")
    assert phone.locator("#search-verdict").is_visible()
    assert phone.locator("#search-weak-tail").get_attribute("open") is not None
    assert phone.locator("#search-weak-tail .search-hit").first.is_visible()
    assert phone.locator(".search-relevant-list").count() == 0
