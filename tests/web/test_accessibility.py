"""axe-core (node_modules, package.json) on the main pages, as each is seen by the person it is for: no
violation of impact "serious" or "critical" at desktop or phone width. A failure lists each rule with its help,
link and the elements that break it (tests/web/journeys.py, axe_violations)."""

import pytest

from tests.web.conftest import ensure_seed, needs_chromium
from tests.web.journeys import AXE, DESKTOP, PHONE, axe_violations, build_world, new_page

pytestmark = needs_chromium


@pytest.fixture
def world(seed, live_server):
    ensure_seed()  # a previous live_server test's flush took it away
    return build_world()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_main_pages_have_no_serious_violations(module_browser, live_server, world, viewport):
    assert AXE.exists(), f"{AXE} is missing: make assets (npm ci)"
    pages = {
        "": [("home", "/"), ("catalogue", "/catalogue/"), ("listing", world.offer.get_absolute_url()),
             ("search", "/search/?q=盐湖提锂"), ("sign-up", "/accounts/signup/"), ("policy", "/policy/"),
             ("indicators", "/indicators/")],
        world.usernames["institution"]: [("workspace", "/my/"), ("contract", world.contract_url)],
        world.usernames["registrar"]: [("registration", world.registration_url)],
    }
    failures = {}
    for username, visits in pages.items():
        page = new_page(module_browser, viewport, live_server.url, username)
        for name, url in visits:
            page.goto(live_server.url + url)
            if violations := axe_violations(page):
                failures[f"{name} {url}"] = violations
        page.context.close()
    report = "\n".join(f"  {where}\n    " + "\n    ".join(found) for where, found in failures.items())
    assert not failures, f"axe at {viewport['width']} px:\n{report}"
