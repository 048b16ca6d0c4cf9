"""科技体检 in a real browser (issue 19's acceptance), on a phone's screen: an enterprise member completes a check-up
with two technical bottlenecks, reads the report, publishes both as demands in one step each; once the department
approves them they are in the library, classified, and found by search.

Debian's chromium through Playwright against a live server (fixtures: tests/web/conftest.py)."""

from django.contrib.auth.models import Group

from techmarket.accounts.roles import REVIEWERS
from techmarket.catalogue.models import Listing
from techmarket.catalogue.services import lifecycle
from techmarket.directory.models import Organisation, Region
from techmarket.enterprises.models import Checkup
from tests.enterprises.conftest import BOTTLENECKS, answers
from tests.web.browsing import log_in, make_user, submit
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}


def test_checkup_to_published_demands(browser, live_server):
    org = Organisation.objects.create(name="格尔木盐湖锂业有限公司", region=Region.objects.get(code="haixi"),
                                      kind=Organisation.Kind.ENTERPRISE)
    make_user("checkup-member", org)
    reviewer = make_user("checkup-reviewer", None)
    base = live_server.url

    page = log_in(browser, base, "checkup-member")
    page.set_viewport_size(PHONE)
    page.goto(base + "/enterprises/checkup/")
    for code, value in answers().items():
        selector = f"#q-{code}"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    for i, (title, text) in enumerate(BOTTLENECKS, start=1):
        page.fill(f"#bottleneck-title-{i}", title)
        page.fill(f"#bottleneck-text-{i}", text)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    submit(page, "#checkup-form button[type=submit]")
    assert "科技体检报告" in page.locator("h1").inner_text()
    assert "暂不作对比" in page.locator("#checkup-comparison").inner_text()
    checkup = Checkup.objects.get()

    for index in (0, 1):
        button = page.locator(f"#candidate-{index} button[type=submit]")
        assert button.bounding_box()["height"] >= 44
        submit(page, f"#candidate-{index} button[type=submit]")
        assert "已发布技术需求" in page.content()
        assert "已发布" in page.locator(f"#candidate-{index}").inner_text()
    listings = {x.title: x for x in Listing.objects.filter(owner=org)}
    assert set(listings) == {title for title, _ in BOTTLENECKS}
    assert all(x.status == Listing.Status.SUBMITTED and x.field is not None for x in listings.values())
    assert checkup.demands.count() == 2

    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    for listing in listings.values():
        lifecycle.approve(listing, reviewer)

    visitor = browser.new_context(viewport=PHONE).new_page()
    visitor.goto(base + "/search/?q=" + "提锂吸附剂寿命")
    results = visitor.locator("main").inner_text()
    assert "低品位卤水提锂吸附剂寿命短" in results
    lithium = listings["低品位卤水提锂吸附剂寿命短"]
    visitor.goto(base + lithium.get_absolute_url())
    text = visitor.locator("main").inner_text()
    assert lithium.field.name in text and "格尔木盐湖锂业有限公司" in text
