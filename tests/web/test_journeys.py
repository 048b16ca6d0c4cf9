"""Each role's main journey through the site, at desktop (1280 × 800) and phone (390 × 844) width, following
links by clicking where the person would. Every page on the way gets the checks of tests/web/journeys.py (its
docstring gives the rules: words not codes, no sideways scrolling and 44 px targets on a phone, no cut-off text,
axe-core) and a full-page screenshot under $TECHMARKET_TEST_ARTIFACTS/screenshots/<role>-<width>/.

Roles: a visitor who is not logged in; a member of an enterprise (the buyer of the deal); a member of a
university (the seller, who writes listings and registers the contract); a provincial reviewer (listings and policy
applications: the same group); a registrar of the provincial registry. docs/testing.md, "Journeys".
"""

import pytest
from django.urls import NoReverseMatch, reverse

from tests.web.conftest import chromium, ensure_seed, needs_chromium
from tests.web.journeys import DESKTOP, PHONE, Journey, build_world, new_page, page_problems

pytestmark = needs_chromium
WIDTHS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


def optional_url(name: str) -> str:
    """The path of a page another part of issue 13 adds (self-service onboarding), or "" while it does not exist."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@pytest.fixture
def world(seed, live_server):
    ensure_seed()  # a previous live_server test's flush took it away
    return build_world()


@pytest.fixture
def journey(module_browser, live_server, world):
    """Start a journey: `journey(role, viewport)` opens a page (logged in as the role's user, if it has one)."""
    pages = []

    def start(role: str, viewport: dict) -> Journey:
        page = new_page(module_browser, viewport, live_server.url, world.usernames.get(role, ""))
        pages.append(page)
        if not page.url.startswith("http"):
            page.goto(live_server.url + "/")
        return Journey(page, role, viewport)

    yield start
    for page in pages:
        page.context.close()


def journeys(world) -> dict[str, list[tuple]]:
    """Each role's steps: (how, page name, what): "visit" an address, "click" a selector, choose from the "menu"
    (a dropdown's label, then the entry's), "search" typed words."""
    organisation, members = optional_url("my-organisation"), optional_url("member-review-queue")
    return {
        "visitor": [
            ("visit", "home", "/"), ("search", "search", "盐湖提锂"), ("click", "search-hit", ".search-hit-title"),
            ("menu", "catalogue", "需求与成果库"), ("click", "listing", ".listing-card .card-title a"),
            ("menu", "policy", "政策奖补"), ("menu", "indicators", "指标监测"),
            ("menu", "statistics", "技术交易", "技术合同统计"), ("menu", "notices", "公示"),
            ("menu", "sign-up", "注册"), ("menu", "log-in", "登录"),
        ],
        "enterprise": [
            ("menu", "workspace", "我的工作台"), *([("visit", "organisation", organisation)] if organisation else []),
            ("menu", "catalogue", "需求与成果库"), ("visit", "listing", world.offer.get_absolute_url()),
            ("visit", "inquiry", world.inquiry_url), ("menu", "deals", "技术交易", "我的洽谈与合同"),
            ("menu", "policy", "政策奖补"), ("click", "calculator", "a[href$='/policy/calculator/']"),
            ("click", "applications", "a[href$='/policy/applications/']"),
            ("click", "application", f"a[href$='{world.application_url}']"), ("menu", "messages", "消息"),
        ],
        "institution": [
            ("menu", "workspace", "我的工作台"), ("menu", "listings", "本单位", "本单位发布"),
            ("click", "new-listing", "a[href$='/my/listings/new/']"), ("menu", "intents", "本单位", "合作意向"),
            ("visit", "inquiry", world.inquiry_url), ("menu", "deals", "技术交易", "我的洽谈与合同"),
            ("visit", "contract", world.contract_url), ("visit", "registration", world.registration_url),
        ],
        "reviewer": [
            ("menu", "workspace", "我的工作台"), ("menu", "review-queue", "审核"),
            ("click", "review-listing", f"a[href*='/listings/{world.submitted.reference}/review/']"),
            ("visit", "policy-review", "/policy/review/"),
            ("click", "application", f"a[href$='{world.application_url}']"), ("visit", "ledger", "/policy/ledger/"),
            ("visit", "indicator-values", "/indicators/values/queue/"),
            ("visit", "indicator-entry", "/indicators/values/new/"),
            *([("visit", "members", members)] if members else []),
        ],
        "registrar": [
            ("menu", "workspace", "我的工作台"), ("menu", "registry-queue", "登记工作台"),
            ("click", "registration", f"#registry-queue a[href$='{world.registration_url}']"),
            ("click", "contract", f"a[href$='{world.contract_url}']"),
            ("menu", "statistics", "技术交易", "技术合同统计"),
        ],
    }


@pytest.mark.parametrize("role", ["visitor", "enterprise", "institution", "reviewer", "registrar"])
@WIDTHS
def test_journey(journey, world, role, viewport):
    walk = journey(role, viewport)
    for how, name, *what in journeys(world)[role]:
        getattr(walk, how)(name, *what)
    walk.assert_clean()


CHECKED = """<!doctype html><html lang="zh-hans"><head><title>检查</title></head><body><main><h1>检查</h1>
<p>请<a href="/a" id="in-sentence">点此</a>阅读说明。</p>
<p><a href="/b" id="alone">单独的链接</a></p>
<button id="small">Submit</button>
<p>编号 innovation/hightech/12，分级 A，领域 salt-lake.lithium，条款 oc2025-3-self-funded-rd，格式 PDF</p>
<div style="width: 800px">宽</div>
<div id="cut" style="width: 50px; overflow: hidden; white-space: nowrap">很长很长很长很长很长的文字</div>
<div id="ellipsis" title="很长很长很长很长很长的文字"
     style="width: 50px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis">很长很长很长的文字</div>
</main></body></html>"""


def test_the_checks_find_what_they_look_for(monkeypatch):
    with chromium(monkeypatch) as browser:
        page = browser.new_page(viewport=PHONE)
        page.set_content(CHECKED)
        report = "\n".join(page_problems(page, phone=True, axe=False))
    assert "English words: ['Submit']" in report
    assert "internal codes: ['A', 'innovation/hightech/12', 'oc2025-3-self-funded-rd', 'salt-lake.lithium']" in report
    assert "sideways scrolling" in report
    assert "a#alone" in report and "button#small" in report and "#in-sentence" not in report
    assert "div#cut" in report and "#ellipsis" not in report
