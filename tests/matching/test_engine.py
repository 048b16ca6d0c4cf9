"""The in-memory engine follows the SearchDocument rows incrementally and by generation."""

import pytest

from techmarket.catalogue.models import Listing
from techmarket.matching.models import IndexState, SearchDocument
from techmarket.matching.services.documents import index_listings, new_generation
from techmarket.matching.services.engine import EngineFilters, get_engine

pytestmark = pytest.mark.django_db


def test_engine_holds_every_public_seed_listing_with_a_vector():
    engine = get_engine()
    assert engine.n_alive == 177
    assert int(engine.has_vector[: engine.size][engine.alive[: engine.size]].sum()) == 177
    assert SearchDocument.objects.filter(vector__isnull=True).count() == 0


def test_filters_select_by_kind_field_mode_and_region():
    engine = get_engine()
    offers = engine.filter_mask(EngineFilters(kind="offer"))
    assert int(offers.sum()) == 30
    salt = engine.filter_mask(EngineFilters(field="salt-lake"))
    assert all(engine.meta[p]["top"] == "salt-lake" for p in salt.nonzero()[0])
    haixi = engine.filter_mask(EngineFilters(region="haixi"))
    assert int(haixi.sum()) > 0 and all("haixi" in engine.meta[p]["regions"] for p in haixi.nonzero()[0])
    assert int(engine.filter_mask(EngineFilters(kind="no-such-kind")).sum()) == 0


def test_a_changed_document_replaces_its_old_position():
    listing = Listing.objects.get(reference="innovation/hightech/6")
    before = get_engine().n_alive
    listing.title = "晶硅光伏组件回收利用技术研究（更新）"
    listing.save()
    index_listings([listing.pk])
    engine = get_engine()
    assert engine.n_alive == before
    assert engine.meta[engine.pos_of[listing.pk]]["title"].endswith("（更新）")


def test_withdrawn_listing_leaves_the_engine():
    listing = Listing.objects.get(reference="innovation/hightech/6")
    listing.status = Listing.Status.WITHDRAWN
    listing.save()
    index_listings([listing.pk])
    engine = get_engine()
    assert listing.pk not in engine.pos_of
    assert engine.n_alive == 176


def test_new_generation_reloads_everything():
    first = get_engine()
    new_generation()
    second = get_engine()
    assert second is not first and second.n_alive == 177
    assert second.generation == IndexState.objects.get().generation
