"""The seeded database put back after a flush (tests/seedstate.py) is the one the session's import made: every row
of every model table, ids and times included, and new rows get ids never used before."""

import pytest
from django.core.management import call_command

from techmarket.catalogue.models import Listing
from techmarket.directory.models import Organisation
from tests import seedstate


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_back_exactly_the_seeded_rows():
    seeded = seedstate.capture()
    assert len(seeded["catalogue_listing"][1]) == 177
    used = Organisation.objects.create(name="清空前新建单位").pk  # committed: a transactional test
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)  # as a transactional test ends
    assert not Listing.objects.exists()
    seedstate.restore_seed()
    assert seedstate.capture() == seeded
    assert Organisation.objects.create(name="恢复后新建单位").pk > used  # ids are never given twice


# The seed put back before a test that finds it missing (tests/conftest.py, pytest_runtest_setup). Two transactional
# tests, so that pytest-django keeps them in this order (it runs those after the others).
@pytest.mark.django_db(transaction=True)
def test_a_test_that_leaves_the_database_without_the_seed():
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    assert not Listing.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_next_test_starts_from_the_seed_all_the_same():
    assert Listing.objects.count() == 177
    assert Organisation.objects.filter(name="青海大学").exists()
