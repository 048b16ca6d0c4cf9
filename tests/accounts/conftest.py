"""Fixtures of the onboarding tests: 青海大学 with a credit code, and a member who has signed up but is not yet
verified."""

import pytest

from techmarket.directory.models import Organisation
from tests.accounts.onboarding_helpers import UNIVERSITY_CODE


@pytest.fixture
def university(qinghai_university):
    Organisation.objects.filter(pk=qinghai_university.pk).update(credit_code=UNIVERSITY_CODE)
    qinghai_university.refresh_from_db()
    return qinghai_university


@pytest.fixture
def newcomer(make_user):
    """Signed up, e-mail not confirmed, not verified, no organisation."""
    return make_user("newcomer", verified=False, email="newcomer@example.com", display_name="王五",
                     phone="13909710001", claimed_organisation_name="青海大学")
