"""The public pages in a real browser (fixtures and the re-seeding after the flush: tests/web/conftest.py)."""


from techmarket.catalogue.models import Listing
from tests.seed_counts import LISTINGS, OFFERS
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium


def test_browse_filter_and_open_a_listing(browser, live_server):
    expected_offers = Listing.objects.filter(kind=Listing.Kind.OFFER).count()
    assert expected_offers == OFFERS
    page = browser.new_page()
    page.set_default_timeout(15_000)

    page.goto(live_server.url + "/")
    assert "青海科技开放合作平台" in page.title()
    page.click("#browse-catalogue")
    page.wait_for_url("**/catalogue/")
    assert page.locator("#result-count").inner_text() == f"共 {LISTINGS} 条"

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


def test_on_a_phone_the_navigation_folds_behind_a_button(browser, live_server):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/")
    catalogue_link = page.locator("#main-nav").get_by_text("需求与成果库")
    assert not catalogue_link.is_visible()  # the page starts with its content, not eight lines of menu
    page.get_by_label("展开导航").click()
    catalogue_link.wait_for(state="visible")
    with page.expect_navigation():
        catalogue_link.click()
    assert page.url.endswith("/catalogue/")
