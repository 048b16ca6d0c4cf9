"""Shared fixtures. The seed compilation is imported once into the test database (by one worker of a run; the
others restore its rows, tests/seedstate.py); each test runs in a transaction that is rolled back, so every test
starts from the 177 seed listings."""

import tempfile
import uuid
import warnings
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from pytest_django.plugin import blocking_manager_key

from techmarket.accounts.roles import REVIEWERS
from techmarket.catalogue.importers.loader import import_file
from techmarket.directory.models import Organisation
from tests import seedstate

PASSWORD = "Qinghai-2026-test"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seedstate.seeded(lambda: import_file(settings.TECHMARKET_SEED_FILE))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """Every test that uses the database starts from the seed.

    A transactional test (live server, browser, `transaction=True`) ends with pytest-django's flush, which
    empties every table; the next test to find it so gets the seed's rows back here (about a second): the next
    test of the same module as well as a test that xdist's work stealing ran after it. That is expected before a
    transactional test; before any other it means something committed and emptied the database without a flush
    of its own, and a warning names the test. (A CI run once found the seed gone on one worker near its end, and
    every later test of that worker failed.)"""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if seedstate._kept and (marker or "django_db_setup" in fixtures):
        with item.config.stash[blocking_manager_key].unblock():
            if seedstate.ensure_seed() and not _transactional(marker, fixtures):
                warnings.warn(f"the seed was missing before {item.nodeid}; put back", stacklevel=1)
    return (yield)


def _transactional(marker, fixtures) -> bool:
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args[:1] or [False])[0]):
        return True
    return bool({"transactional_db", "live_server"} & set(fixtures))


def pytest_configure(config):
    """The run's id, which xdist hands to its workers, chosen here so that the run can clean up after them."""
    if not hasattr(config, "workerinput") and getattr(config.option, "testrunuid", "unset") is None:
        config.option.testrunuid = uuid.uuid4().hex


def pytest_collection_modifyitems(config, items):
    """Under xdist, the tests marked `long` start first, spread over the workers.

    The work-stealing scheduler hands each worker a contiguous share of the collection at the start and lets
    idle workers take from the others' queues later; a long test collected last would keep one worker busy
    after the rest are done. So each module's long tests go (longest first) to the share with the least long
    work so far, at its head; the other tests keep their order around them."""
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    long = [item for item in items if item.get_closest_marker("long")]
    if workers < 2 or not long:
        return
    rest = [item for item in items if not item.get_closest_marker("long")]
    modules: dict[str, list] = {}  # a module's long tests stay together (they may share a module's fixture)
    for item in long:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)
    heads, load = [[] for _ in range(workers)], [0.0] * workers
    for group in sorted(modules.values(), key=lambda group: -_seconds(group)):
        share = load.index(min(load))
        heads[share] += group
        load[share] += _seconds(group)
    ordered, remaining = [], len(items)
    for share in range(workers):  # the scheduler's first split: len(pending) // workers left, in turn
        size = remaining // (workers - share)
        remaining -= size
        ordered += heads[share]
        ordered += rest[:max(size - len(heads[share]), 0)]
        rest = rest[max(size - len(heads[share]), 0):]
    items[:] = ordered + rest


def _seconds(items) -> float:
    return sum(item.get_closest_marker("long").args[0] for item in items)


def pytest_sessionfinish(session):
    """The run's shared seed rows (tests/seedstate.py) go when the run ends (in the process that started it)."""
    run = getattr(session.config.option, "testrunuid", None)
    if run and not hasattr(session.config, "workerinput"):
        for path in Path(tempfile.gettempdir()).glob(f"techmarket-test-seed-*-{run}.*"):
            path.unlink(missing_ok=True)


@pytest.fixture
def make_user(db, django_user_model):
    def make(username, verified=True, organisation=None, reviewer=False, **extra):
        user = django_user_model.objects.create_user(
            username=username, password=PASSWORD, is_verified=verified, organisation=organisation,
            display_name=extra.pop("display_name", username), **extra,
        )
        if reviewer:
            user.groups.add(Group.objects.get(name=REVIEWERS))
        return user

    return make


@pytest.fixture
def qinghai_university(db):
    return Organisation.objects.get(name="青海大学")


@pytest.fixture
def member(make_user, qinghai_university):
    """A verified user of 青海大学, which owns several seed listings."""
    return make_user("member", organisation=qinghai_university)


@pytest.fixture
def outsider(make_user):
    """A verified user with no organisation."""
    return make_user("outsider")


@pytest.fixture
def unverified(make_user, qinghai_university):
    return make_user("unverified", verified=False, organisation=qinghai_university)


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", reviewer=True)


@pytest.fixture
def login(client):
    def do_login(user):
        client.force_login(user)
        return client

    return do_login



@pytest.fixture
def registered_contract(make_user, settings, tmp_path):
    """A factory: `make(seller_org, buyer_org, **record_contract options)` records a contract (a transfer by
    default) by a verified member of the seller, with its text, and has it registered at the provincial registry
    (with the locality's number for a seller outside Qinghai) by that registry's staff. Returns the contract."""
    from techmarket.accounts.roles import REGISTRARS
    from techmarket.market.models import Location, RegistryStaff
    from techmarket.market.services import registration as reg
    from techmarket.market.services.registries import provincial_registry
    from techmarket.market.services.sides import registering_party
    from tests.market.conftest import record_contract

    settings.MEDIA_ROOT = tmp_path / "media"
    registrar = make_user("provincial-registry-staff")
    registrar.groups.add(Group.objects.get(name=REGISTRARS))
    RegistryStaff.objects.create(user=registrar, registry=provincial_registry(), certificate_number="国科登字2026001")

    def make(seller_org, buyer_org, **options):
        seller = seller_org.members.filter(is_verified=True).first() or make_user(
            f"seller-{seller_org.pk}", organisation=seller_org)
        options.setdefault("text", f"技术合同文本 {seller_org.pk}-{buyer_org.pk}-{options.get('title', '')}")
        contract = record_contract(seller, seller_org, buyer_org, **options)
        outside = registering_party(contract).location != Location.QINGHAI
        extra = ("北京技术市场管理办公室", f"2026110100{contract.pk:06d}") if outside else ()
        registration = reg.submit(seller, contract, provincial_registry(), *extra)
        reg.register(registrar, reg.accept(registrar, registration))
        return contract

    return make


@pytest.fixture(autouse=True)
def fresh_search_engine():
    """Each test's writes are rolled back, sequence numbers included; a process-wide engine that saw
    them would think itself current. Production never sees uncommitted rows (indexing runs on commit)."""
    from django.core.cache import cache

    from techmarket.matching.services.engine import reset_engine

    reset_engine()
    cache.clear()  # cached matches panels are keyed by that sequence number too
    yield
    reset_engine()
    cache.clear()
