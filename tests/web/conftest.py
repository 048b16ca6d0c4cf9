"""Browser tests: Debian's chromium driven through Playwright against a live server.

live_server tests are transactional: pytest-django flushes the database after them, which would take the
seed imported once by tests/conftest.py away from every later test. The module-scoped `seed` fixture is set
up after the test database exists and before (so torn down after) the flush: it makes sure the seed is there
for the test and puts its rows back afterwards (tests/seedstate.py: the search documents are rows too).
"""

from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.seedstate import ensure_seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
needs_chromium = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")]


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_seed()
    yield
    with django_db_blocker.unblock():
        ensure_seed()


@contextmanager
def chromium(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made here meanwhile
    # (fixtures' teardown) must not be refused as async-unsafe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser(seed, live_server, monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser


@pytest.fixture(scope="module")
def module_browser(seed):
    """One browser for a module's tests (each opens its own contexts and closes them)."""
    with pytest.MonkeyPatch.context() as monkeypatch, chromium(monkeypatch) as browser:
        yield browser
