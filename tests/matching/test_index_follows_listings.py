"""The search index follows the catalogue with no manual step: a listing written through the catalogue
services is findable once published, its edits change the results, and withdrawing it removes it.

The writes run in `django_capture_on_commit_callbacks(execute=True)`: the signal handlers index on
commit, which a test's rolled-back transaction never reaches otherwise.
"""

import pytest

from techmarket.catalogue.models import CooperationMode, Listing
from techmarket.catalogue.services.lifecycle import approve, transition
from techmarket.catalogue.services.listings import ListingInput, create_listing, update_listing
from techmarket.matching.models import SearchDocument
from techmarket.matching.services.search import search

pytestmark = pytest.mark.django_db

TERM = "Vortexil9"
NEW_TERM = "Helionix4"


def references(query: str, mode: str = "keyword") -> list[str]:
    """Keyword mode for the made-up words: semantic search returns its nearest neighbours for anything."""
    return [hit.reference for hit in search(query, limit=50, mode=mode).hits]


def listing_input(title: str) -> ListingInput:
    return ListingInput(
        kind=Listing.Kind.DEMAND, title=title,
        description=f"需要联合研发 {TERM} 高选择性吸附材料，开展盐湖卤水提锂中试试验。",
        modes=list(CooperationMode.objects.filter(code="joint-rd")),
    )


@pytest.fixture
def published(django_capture_on_commit_callbacks, member, reviewer):
    with django_capture_on_commit_callbacks(execute=True):
        listing = create_listing(member, listing_input(f"{TERM} 吸附剂中试放大"))
    assert listing.reference not in references(TERM)  # a draft is not public
    with django_capture_on_commit_callbacks(execute=True):
        transition(listing, Listing.Status.SUBMITTED, user=member)
    assert listing.reference not in references(TERM)  # nor is a submitted listing
    with django_capture_on_commit_callbacks(execute=True):
        approve(listing, reviewer)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED
    return listing


def test_a_published_listing_is_findable_without_a_reindex(published):
    result = search(TERM)
    assert result.hits[0].reference == published.reference
    assert result.hits[0].title == published.title
    assert f"<mark>{TERM}</mark>" in result.hits[0].snippet
    document = SearchDocument.objects.get(listing=published)
    assert document.public and document.vector is not None  # embedded inline in the tests
    # Findable by its topic too, not only by the made-up word.
    assert published.reference in references("盐湖提锂吸附剂", mode="fused")


def test_editing_the_title_changes_the_results(published, member, django_capture_on_commit_callbacks):
    assert published.reference not in references(NEW_TERM)
    with django_capture_on_commit_callbacks(execute=True):
        data = listing_input(f"{NEW_TERM} 储能材料中试放大")
        data.description = "需要联合研发新型储能材料，开展中试试验。"
        update_listing(member, published, data)
    assert references(NEW_TERM)[0] == published.reference
    assert search(NEW_TERM).hits[0].title == f"{NEW_TERM} 储能材料中试放大"
    assert published.reference not in references(TERM)


def test_withdrawing_removes_it_from_the_results(published, member, django_capture_on_commit_callbacks):
    before = search("盐湖提锂", limit=500).total
    with django_capture_on_commit_callbacks(execute=True):
        transition(published, Listing.Status.WITHDRAWN, user=member, reason="项目已由其他渠道解决")
    assert published.reference not in references(TERM)
    assert published.reference not in references("盐湖提锂吸附剂", mode="fused")
    assert search("盐湖提锂", limit=500).total == before - 1
    assert SearchDocument.objects.get(listing=published).public is False
