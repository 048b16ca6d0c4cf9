import pytest

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services.listings import visible_listings
from tests.seed_counts import LISTINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(qinghai_university):
    listing = Listing.objects.filter(owner=qinghai_university).first()
    listing.status = Listing.Status.DRAFT
    listing.save()
    return listing


def test_drafts_are_seen_by_verified_members_and_reviewers_only(draft, member, unverified, outsider, reviewer):
    from django.contrib.auth.models import AnonymousUser

    assert draft in visible_listings(member)
    assert draft in visible_listings(reviewer)
    for user in (unverified, outsider, AnonymousUser(), None):
        assert draft not in visible_listings(user)
    assert visible_listings(None).count() == LISTINGS - 1
