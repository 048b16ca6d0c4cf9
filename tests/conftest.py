"""Shared fixtures. The seed compilation is imported once into the test database; each test runs in a
transaction that is rolled back, so every test starts from the 177 seed listings."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from techmarket.accounts.roles import REVIEWERS
from techmarket.catalogue.importers.loader import import_file
from techmarket.directory.models import Organisation

PASSWORD = "Qinghai-2026-test"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        import_file(settings.TECHMARKET_SEED_FILE)


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
