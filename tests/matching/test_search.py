"""search(): ranking on the seed, traditional characters, the honest verdict, filters, facets and snippets."""

import uuid
from collections import Counter

import pytest

from techmarket.catalogue.models import Listing, ListingOrganisation
from techmarket.directory.models import Organisation
from techmarket.matching.services import search as search_service
from techmarket.matching.services.engine import EngineFilters
from techmarket.matching.services.search import search

pytestmark = pytest.mark.django_db

# The seed's demands on extracting lithium from the salt lakes (盐湖提锂).
LITHIUM = {f"innovation/hightech/{n}" for n in (17, 35, 39, 40, 55, 77)}


def publish(capture, title, description, organisation_name="青海大学", kind=Listing.Kind.DEMAND) -> Listing:
    """A published listing, indexed by the on-commit signal handlers as in production."""
    with capture(execute=True):
        listing = Listing.objects.create(
            reference=f"test/{uuid.uuid4().hex[:8]}", kind=kind, title=title, description=description,
            status=Listing.Status.PUBLISHED, organisations_raw=organisation_name,
        )
        organisation = Organisation.objects.get(name=organisation_name)
        ListingOrganisation.objects.create(listing=listing, organisation=organisation)
    return listing


def test_lithium_query_ranks_the_lithium_listings_first():
    titles = dict(Listing.objects.filter(reference__in=LITHIUM).values_list("reference", "title"))
    assert len(titles) == 6 and all("锂" in title for title in titles.values())
    result = search("盐湖提锂")
    assert result.verdict == "match" and result.verdict_reason == ""
    assert {"盐湖", "提锂"} <= set(result.terms)
    top = [hit.reference for hit in result.hits[:3]]
    assert set(top) <= LITHIUM, top
    assert result.total >= len(result.hits) == 10
    first = result.hits[0]
    assert "锂" in first.title and first.matched_terms and first.explanation
    assert first.score >= result.hits[-1].score


def test_traditional_characters_find_the_tibetan_medicine_listings():
    result = search("藏醫藥")
    assert result.verdict == "match"
    assert "藏药" in result.terms or "藏医药" in result.terms
    assert result.hits and "藏药" in result.hits[0].title
    tibetan = [hit for hit in result.hits if "藏药" in hit.title]
    assert len(tibetan) >= 3
    # The same listings as the simplified query.
    simplified = search("藏医药")
    assert [h.reference for h in simplified.hits[:3]] == [h.reference for h in result.hits[:3]]


@pytest.mark.parametrize("query", ["量子计算芯片设计", "手机游戏开发"])
def test_absent_topic_gets_the_no_good_match_verdict(query):
    result = search(query)
    assert result.verdict == "no-good-match"
    assert "目录中没有与检索内容真正相关的条目" in result.verdict_reason
    assert "提交需求" in result.verdict_reason


def test_empty_query_is_a_verdict_not_an_error():
    result = search("   ")
    assert result.hits == [] and result.total == 0 and result.verdict == "no-good-match"


def test_kind_filter_keeps_only_offers():
    everything = search("盐湖", limit=200)
    offers = search("盐湖", EngineFilters(kind="offer"), limit=200)
    assert 0 < offers.total < everything.total
    assert offers.total == everything.facets["kind"]["offer"]
    assert all(hit.kind == "offer" for hit in offers.hits)
    kinds = dict(Listing.objects.filter(pk__in=[h.listing_id for h in offers.hits]).values_list("pk", "kind"))
    assert set(kinds.values()) == {"offer"}
    assert offers.facets["kind"] == {"offer": offers.total}


def test_field_filter_keeps_the_field_and_its_areas():
    result = search("技术研究", EngineFilters(field="salt-lake"), limit=200)
    assert result.hits
    listings = Listing.objects.filter(pk__in=[h.listing_id for h in result.hits]).select_related("field__parent")
    assert {listing.field.top.code for listing in listings} == {"salt-lake"}


def test_facet_counts_match_the_metadata_of_the_hits():
    result = search("盐湖提锂", limit=1000)
    assert len(result.hits) == result.total > 10
    listings = (Listing.objects.filter(pk__in=[h.listing_id for h in result.hits])
                .select_related("field__parent").prefetch_related("modes", "organisation_links__organisation__region"))
    expected = {name: Counter() for name in ("kind", "field", "mode", "region", "status")}
    for listing in listings:
        expected["kind"][listing.kind] += 1
        expected["status"][listing.status] += 1
        if listing.field_id:
            expected["field"][listing.field.top.code] += 1
        for mode in {m.code for m in listing.modes.all()}:
            expected["mode"][mode] += 1
        regions = set()
        for link in listing.organisation_links.all():
            region = link.organisation.region
            if region is not None:
                regions.add(region.code)
                if region.parent_id:
                    regions.add(region.parent.code)
        for code in regions:
            expected["region"][code] += 1
    assert sum(expected["kind"].values()) == result.total
    for name, counts in expected.items():
        assert result.facets[name] == dict(counts), name
    # Facets describe every result, not just the page shown.
    page = search("盐湖提锂", limit=10)
    assert page.facets == result.facets


def test_keyword_mode_facets_count_its_best_candidates_and_the_total_every_match(monkeypatch):
    monkeypatch.setattr(search_service, "KEYWORD_MODE_CANDIDATES", 15)
    search_service.forget_answers()
    result = search("技术", mode="keyword", limit=3)
    assert result.total > 20
    assert sum(result.facets["kind"].values()) == 15
    # A page further down takes as many candidates as it needs, and its results go on in the same order.
    deeper = search("技术", mode="keyword", limit=10, offset=15)
    assert sum(deeper.facets["kind"].values()) == 25 and deeper.total == result.total
    together = search("技术", mode="keyword", limit=25)
    assert [h.reference for h in deeper.hits] == [h.reference for h in together.hits[15:]]


def test_snippets_highlight_matched_words():
    result = search("盐湖提锂")
    marked = [hit for hit in result.hits if "<mark>" in hit.snippet]
    assert marked
    assert all(hit.snippet.count("<mark>") == hit.snippet.count("</mark>") for hit in result.hits)
    assert "<mark>盐湖</mark>" in "".join(hit.snippet for hit in marked)


def test_snippets_and_titles_are_escaped(django_capture_on_commit_callbacks):
    listing = publish(
        django_capture_on_commit_callbacks,
        title="<script>alert('t')</script>Zorbium7 储能材料",
        description="研制 Zorbium7 新型储能材料。<script>alert('d')</script> 需要 <b>联合研发</b> & 中试。",
    )
    result = search("Zorbium7")
    assert result.hits and result.hits[0].reference == listing.reference
    hit = result.hits[0]
    assert "<mark>Zorbium7</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet and "&amp;" in hit.snippet
    # The title is plain data (templates and JSON clients escape it), kept as written.
    assert hit.title == listing.title
