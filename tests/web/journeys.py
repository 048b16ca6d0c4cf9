"""What the journey and accessibility tests share: the people and their deal, and the checks every visited page
gets (docs/testing.md, "Journeys").

Each page a journey visits is checked for what its reader meets:

- words: no English word outside tests.web.words.ENGLISH_ALLOWED and no internal code in the visible text
  (the body's innerText, which leaves out what is not rendered: the folded menu on a phone, closed dropdowns,
  closed <details>) and in the title;
- at phone width (390 px), no sideways scrolling: the document is no wider than the window;
- at phone width, targets of at least 44 × 44 CSS pixels (WCAG 2.2, 2.5.5 "Target Size (Enhanced)") for every
  visible control: a[href], button, input, select, textarea, summary, [role=button]. A checkbox or radio button
  is measured together with its labels, which toggle it too. The exception is that of WCAG for inline targets:
  a link rendered inline whose line holds other text of its own block (a link in a sentence, 详见<a>办理指南</a>)
  is exempt; a link that is alone on its line (a title in a list, a menu entry) is not;
- at every width, no text cut off: no visible element that clips its overflow (overflow hidden or clip) while
  its content is wider or taller than its box, unless it shows an ellipsis (text-overflow: ellipsis) and carries
  the full text in its title attribute; visually hidden text for screen readers (1 × 1 px) is not cut off;
- a full-page screenshot under $TECHMARKET_TEST_ARTIFACTS/screenshots/<role>-<width>/<nn>-<page>.png
  (var/test-artifacts by default, which git ignores).

Accessibility: axe-core from node_modules (package.json) is injected and run; violations of impact "serious"
or "critical" fail, listed with their rule, targets and help.
"""

from __future__ import annotations

import datetime
import functools
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from techmarket.accounts.roles import REGISTRARS, REVIEWERS
from techmarket.catalogue.models import CooperationMode, Listing
from techmarket.catalogue.services.lifecycle import transition
from techmarket.catalogue.services.listings import ListingInput, create_listing
from techmarket.directory.models import Organisation, Region
from techmarket.market.models import RegistryStaff
from techmarket.market.services import deals
from techmarket.market.services import registration as registrations
from techmarket.market.services.registries import provincial_registry
from techmarket.policy.services import applications
from tests.conftest import PASSWORD
from tests.market.conftest import pdf_upload, record_contract
from tests.web.words import LATIN_WORD, english_words, internal_codes

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MIN_TARGET = 44
OFFER = "innovation/hightech/1"  # a published offer of 青海大学


def artifacts_dir() -> Path:
    default = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
    return Path(os.environ.get("TECHMARKET_TEST_ARTIFACTS") or default)


# --- The people and what they work on ----------------------------------------------------------------------


@dataclass
class World:
    offer: Listing
    submitted: Listing  # a demand of 青海大学 awaiting review
    inquiry_url: str
    contract_url: str
    registration_url: str
    application_url: str
    usernames: dict[str, str] = field(default_factory=dict)  # role -> username


def _user(username: str, organisation: Organisation | None = None, group: str = ""):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_verified=True,
                                                organisation=organisation, display_name=username)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def build_world() -> World:
    """An enterprise and a university member who deal over the university's offer, a contract between them
    submitted for registration at the provincial registry, the enterprise's policy application, a listing in
    review, a provincial reviewer and a registrar of the provincial registry."""
    offer = Listing.objects.get(reference=OFFER)
    university = offer.owner
    enterprise = Organisation.objects.create(name="格尔木高原储能科技有限公司", kind=Organisation.Kind.ENTERPRISE,
                                             region=Region.objects.get(code="haixi"))
    buyer = _user("企业用户", enterprise)
    seller = _user("高校用户", university)
    _user("审核员", group=REVIEWERS)
    registrar = _user("登记员", group=REGISTRARS)
    RegistryStaff.objects.create(user=registrar, registry=provincial_registry(), certificate_number="国科登字2026001")

    inquiry = deals.open_inquiry(buyer, offer, "我司拟受让该技术用于储能项目，请告知转让条件。")
    deals.post_message(seller, inquiry, "可以转让，专利权转让价款 60 万元。")
    contract = record_contract(seller, university, enterprise, title="盐湖提锂吸附剂专利权转让",
                               signed_on=datetime.date.today() - datetime.timedelta(days=3))
    registration = registrations.submit(seller, contract, provincial_registry())
    event = {"type": "recognition", "kind": "high-tech-enterprise", "date": "2025-10-01",
             "parties": [{"role": "recipient", "name": enterprise.name}]}
    _, result = applications.calculate(event, buyer)
    application = applications.submit(buyer, event, {
        code: pdf_upload(name=f"{code}.pdf") for code in applications.evidence_required(result.awards)})
    submitted = create_listing(seller, ListingInput(
        kind="demand", title="察尔汗盐湖卤水提锂吸附剂中试", description="盐湖卤水提锂关键技术攻关与产业化示范。",
        modes=[CooperationMode.objects.get(code="joint-tackling")], budget_wan=Decimal("80")))
    transition(submitted, Listing.Status.SUBMITTED, user=seller)
    return World(
        offer=offer, submitted=submitted, inquiry_url=f"/market/inquiries/{inquiry.pk}/",
        contract_url=contract.get_absolute_url(), registration_url=registration.get_absolute_url(),
        application_url=f"/policy/applications/{application.pk}/",
        usernames={"enterprise": buyer.username, "institution": seller.username, "reviewer": "审核员",
                   "registrar": registrar.username},
    )


def new_page(browser, viewport: dict, base: str, username: str = ""):
    """A page in a new context at `viewport`, logged in as `username` (through the log-in page) if given."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    if username:
        page.goto(base + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("form button[type=submit]")
        assert "退出" in page.content(), f"{username} could not log in"
    return page


def authored_words() -> set[str]:
    """Latin words in what organisations wrote (listing titles and texts, organisation names): the page quotes
    them as written (GAP 认证, USV 平台), so they are not untranslated labels of the interface."""
    texts = [*Listing.objects.values_list("title", "description", "organisations_raw", "modes_raw"),
             *Organisation.objects.values_list("name")]
    return {word for row in texts for value in row for word in LATIN_WORD.findall(value or "")}


# --- The checks --------------------------------------------------------------------------------------------

_CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]"

_LAYOUT = (Path(__file__).parent / "page_checks.js").read_text()


@functools.cache
def _axe_source() -> str:
    return AXE.read_text() + "\n;true"


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each: rule, impact, help, targets."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the site's Content-Security-Policy (script-src 'self') stays on.
        page.evaluate(_axe_source())
    result = page.evaluate("""async () => {
      const result = await axe.run(document, {resultTypes: ['violations']});
      return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
        id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
        targets: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n')[1]?.trim())
      }));
    }""")
    return [f"axe {v['id']} ({v['impact']}): {v['help']} [{v['url']}]\n      " + "\n      ".join(v["targets"][:8])
            for v in result]


def page_problems(page, *, phone: bool, axe: bool = True, quoted: frozenset[str] = frozenset()) -> list[str]:
    """Everything wrong with the page as shown now (see the module's docstring); `quoted` are Latin words the
    page may show because users wrote them (authored_words)."""
    problems = []
    visible = page.title() + "\n" + page.inner_text("body")
    if words := [word for word in english_words(visible) if word not in quoted]:
        problems.append(f"English words: {words}")
    if codes := internal_codes(visible):
        problems.append(f"internal codes: {codes}")
    layout = page.evaluate(_LAYOUT, [MIN_TARGET, _CONTROLS, phone])
    if layout["wide"]:
        problems.append(f"sideways scrolling: {layout['wide']}")
    if layout["small"]:
        problems.append(f"targets under {MIN_TARGET}×{MIN_TARGET} px:\n      " + "\n      ".join(layout["small"]))
    if layout["cut"]:
        problems.append("text cut off:\n      " + "\n      ".join(layout["cut"]))
    if axe:
        problems.extend(axe_violations(page))
    return problems


class Journey:
    """One person's walk through the site at one width: `visit` checks the page shown and saves its
    screenshot; `assert_clean` fails with every problem of every page at once."""

    def __init__(self, page, role: str, viewport: dict, axe: bool = True):
        self.page, self.role, self.phone, self.axe = page, role, viewport["width"] < 576, axe
        self.quoted = frozenset(authored_words())
        self.directory = artifacts_dir() / "screenshots" / f"{role}-{viewport['width']}"
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.glob("*.png"):
            old.unlink()
        self.count = 0
        self.problems: dict[str, list[str]] = {}

    def search(self, name: str, words: str) -> None:
        """Type into the page's own search box (the home page's) and press Enter."""
        box = self.page.locator("main form[role=search] input[name=q]")
        box.fill(words)
        with self.page.expect_navigation():
            box.press("Enter")
        self.visit(name)

    def visit(self, name: str, url: str = "") -> None:
        """Go to `url` (if given; otherwise the page a click led to), check it and take its screenshot."""
        if url:
            base = re.match(r"https?://[^/]+", self.page.url)
            self.page.goto(url if url.startswith("http") or not base else base[0] + url)
        self.page.wait_for_load_state("load")
        self.count += 1
        label = f"{self.count:02d}-{name}"
        self.page.screenshot(path=self.directory / f"{label}.png", full_page=True)
        if found := page_problems(self.page, phone=self.phone, axe=self.axe, quoted=self.quoted):
            self.problems[f"{label} {self.page.url}"] = found

    def click(self, name: str, selector: str) -> None:
        """Follow a link or submit a form the way the person does, then visit where it leads."""
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()
        self.visit(name)

    def menu(self, name: str, *labels: str) -> None:
        """Choose an entry of the main menu as the person does: open the folded menu on a phone, then the
        dropdown (`labels` = the dropdown's label and the entry's, or just the entry's)."""
        toggler = self.page.locator(".navbar-toggler")
        if toggler.is_visible() and not self.page.locator("#main-nav").is_visible():
            toggler.click()
            self.page.locator("#main-nav.show").wait_for()
        nav = self.page.locator("#main-nav")
        for label in labels[:-1]:
            nav.get_by_role("button", name=label, exact=True).click()
        with self.page.expect_navigation():
            nav.get_by_text(labels[-1], exact=True).first.click()
        self.visit(name)

    def assert_clean(self) -> None:
        report = "\n".join(f"  {where}\n    " + "\n    ".join(found) for where, found in self.problems.items())
        assert not self.problems, f"{self.role} at {self.page.viewport_size['width']} px:\n{report}"
