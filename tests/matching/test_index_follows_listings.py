"""The search index follows the catalogue with no manual step: a listing written through the catalogue
services is findable once published, its edits change the results, and withdrawing it removes it.

The writes run in `django_capture_on_commit_callbacks(execute=True)`: the signal handlers index on
commit, which a test's rolled-back transaction never reaches otherwise.
"""

import pytest
from django.db import transaction

from techmarket.catalogue.models import CooperationMode, Listing
from techmarket.catalogue.services.lifecycle import approve, transition
from techmarket.catalogue.services.listings import ListingInput, create_listing, update_listing
from techmarket.matching.models import SearchDocument
from techmarket.matching.services.search import search

pytestmark = pytest.mark.django_db

TERM = "Vortexil9"  # in the description
TITLE_TERM = "Kryonal3"  # in the first title
NEW_TERM = "Helionix4"  # in the edited title


def references(query: str) -> list[str]:
    return [hit.reference for hit in search(query, limit=50).hits]


def containing(word: str) -> list[str]:
    """The hits that really contain the (made-up) word: a search for an unknown word also returns the
    nearest neighbours and listings sharing its characters, without the word among their matched terms."""
    return [hit.reference for hit in search(word, limit=200).hits if word.lower() in hit.matched_terms]


def listing_input(title: str) -> ListingInput:
    return ListingInput(
        kind=Listing.Kind.DEMAND, title=title,
        description=f"需要联合研发 {TERM} 高选择性吸附材料，开展盐湖卤水提锂中试试验。",
        modes=list(CooperationMode.objects.filter(code="joint-rd")),
    )


@pytest.fixture
def published(django_capture_on_commit_callbacks, member, reviewer):
    with django_capture_on_commit_callbacks(execute=True):
        listing = create_listing(member, listing_input(f"{TITLE_TERM} 吸附剂中试放大"))
    assert containing(TERM) == []  # a draft is not public
    with django_capture_on_commit_callbacks(execute=True):
        transition(listing, Listing.Status.SUBMITTED, user=member)
    assert containing(TERM) == []  # nor is a submitted listing
    with django_capture_on_commit_callbacks(execute=True):
        approve(listing, reviewer)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED
    return listing


def test_a_published_listing_is_findable_without_a_reindex(published):
    assert containing(TERM) == [published.reference]
    result = search(TERM)
    assert result.hits[0].reference == published.reference
    assert result.hits[0].title == published.title
    assert f"<mark>{TERM}</mark>" in result.hits[0].snippet
    document = SearchDocument.objects.get(listing=published)
    assert document.public and document.vector is not None  # embedded inline in the tests
    # Findable by its topic too, not only by the made-up word.
    assert published.reference in references("盐湖提锂吸附剂")


def test_editing_the_title_changes_the_results(published, member, django_capture_on_commit_callbacks):
    assert containing(TITLE_TERM) == [published.reference]
    assert containing(NEW_TERM) == []
    with django_capture_on_commit_callbacks(execute=True):
        update_listing(member, published, listing_input(f"{NEW_TERM} 吸附剂中试放大"))
    assert containing(NEW_TERM) == [published.reference]
    assert containing(TITLE_TERM) == []
    hit = search(TERM).hits[0]  # the description is unchanged: still found by it, under the new title
    assert hit.reference == published.reference and hit.title == f"{NEW_TERM} 吸附剂中试放大"


def test_withdrawing_removes_it_from_the_results(published, member, django_capture_on_commit_callbacks):
    before = search("盐湖提锂", limit=500).total
    with django_capture_on_commit_callbacks(execute=True):
        transition(published, Listing.Status.WITHDRAWN, user=member, reason="项目已由其他渠道解决")
    assert containing(TERM) == []
    assert published.reference not in references("盐湖提锂吸附剂")
    assert search("盐湖提锂", limit=500).total == before - 1
    assert SearchDocument.objects.get(listing=published).public is False


def test_a_save_after_a_rolled_back_one_is_indexed(published, django_capture_on_commit_callbacks):
    """A rolled-back save leaves the listing marked, its commit callback gone; the next save of the same
    listing must still be indexed on commit."""
    with pytest.raises(RuntimeError), transaction.atomic():
        published.title = f"{NEW_TERM} 回滚的标题"
        published.save()
        raise RuntimeError("rolled back")
    published.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        published.title = f"{NEW_TERM} 吸附剂中试放大"
        published.save()
    assert containing(NEW_TERM) == [published.reference]


def test_a_document_written_before_concepts_is_repaired_with_them(published, django_capture_on_commit_callbacks):
    """`reindex --missing` (the hourly search-repair) rewrites a public document whose meta has no concepts, as
    an earlier release wrote them, and leaves current ones alone."""
    from techmarket.matching.services.documents import repair_stale, stale_listing_ids

    assert stale_listing_ids() == []
    document = SearchDocument.objects.get(listing=published)
    concepts = document.meta["concepts"]
    assert "盐湖提锂" in concepts
    SearchDocument.objects.filter(pk=document.pk).update(meta={k: v for k, v in document.meta.items()
                                                               if k != "concepts"})
    assert stale_listing_ids() == [published.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert repair_stale()[0] == 1
    assert SearchDocument.objects.get(listing=published).meta["concepts"] == concepts
    assert stale_listing_ids() == []
