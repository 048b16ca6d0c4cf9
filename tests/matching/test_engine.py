"""The node index follows the database incrementally and by generation; what it answers is checked through
search(): every published listing is found, updates and deletions show at once, a rebuilt index answers as the
one updated in place, and search filters agree with the catalogue's."""

import uuid

import numpy as np
import pytest

from techmarket.catalogue.models import Listing, ListingOrganisation
from techmarket.catalogue.services.listings import ListingFilters, filter_listings
from techmarket.directory.models import Organisation
from techmarket.matching.models import SearchDocument
from techmarket.matching.services.documents import new_generation
from techmarket.matching.services.engine import EngineFilters, reset_engine
from techmarket.matching.services.search import search
from tests.seed_counts import LISTINGS

pytestmark = pytest.mark.django_db

SOLAR = "innovation/hightech/6"  # 晶硅光伏组件回收利用技术研究
QUERIES = ("盐湖提锂", "光伏组件回收", "牦牛", "藏药", "Plexorine 膜", "枸杞深加工")
BROAD = "技术 研究 开发 应用 合作 项目 青海"


def found(query: str, filters: EngineFilters | None = None, mode: str = "keyword", limit: int = 500) -> list[str]:
    return [hit.reference for hit in search(query, filters, limit=limit, mode=mode).hits]


class Answers(dict):
    """What the engine answers to a few queries: the first `depth` references in order, scores equal up to
    `rel`."""

    rel = 1e-6
    depth = 15

    def __eq__(self, other):
        depth = min(self.depth, other.depth)
        return self.keys() == other.keys() and all(
            [r for r, _ in self[k][:depth]] == [r for r, _ in other[k][:depth]]
            and [s for _, s in self[k][:depth]] == pytest.approx([s for _, s in other[k][:depth]], rel=self.rel,
                                                                 abs=1e-5)
            for k in self)


def answers() -> Answers:
    return Answers({(q, mode): [(h.reference, h.score) for h in search(q, limit=15, mode=mode).hits]
                    for q in QUERIES for mode in ("keyword", "fused")})


def publish(capture, title: str, description: str) -> Listing:
    with capture(execute=True):
        listing = Listing.objects.create(
            reference=f"test/{uuid.uuid4().hex[:8]}", kind=Listing.Kind.OFFER, title=title,
            description=description, status=Listing.Status.PUBLISHED, organisations_raw="青海大学")
        ListingOrganisation.objects.create(listing=listing, organisation=Organisation.objects.get(name="青海大学"))
    return listing


def test_every_published_seed_listing_is_found_by_its_title_with_its_vector():
    listings = list(Listing.objects.filter(status=Listing.Status.PUBLISHED).values_list("reference", "title"))
    assert len(listings) == LISTINGS
    assert not SearchDocument.objects.filter(public=True, vector__isnull=True).exists()
    for reference, title in listings:
        assert reference in found(title, limit=10), reference
    for reference, title in listings[::15]:  # the vectors: a semantic search finds the listing itself
        hits = {hit.reference: hit for hit in search(title, limit=10, mode="semantic").hits}
        assert reference in hits and hits[reference].similarity > 0.9, reference


@pytest.mark.parametrize("filters, catalogue", [
    (EngineFilters(kind="offer"), ListingFilters(kind="offer")),
    (EngineFilters(field="salt-lake"), ListingFilters(field="salt-lake")),
    (EngineFilters(region="haixi"), ListingFilters(region="haixi")),
    (EngineFilters(mode="transfer"), ListingFilters(mode="transfer")),
])
def test_search_filters_agree_with_the_catalogue(filters, catalogue):
    everything = found(BROAD)
    wanted = set(filter_listings(catalogue).values_list("reference", flat=True))
    filtered = found(BROAD, filters)
    assert filtered and wanted
    assert filtered == [reference for reference in everything if reference in wanted]


def test_an_unknown_filter_value_selects_nothing():
    assert found(BROAD, EngineFilters(kind="no-such-kind")) == []
    assert found(BROAD, EngineFilters(region="no-such-region")) == []


def test_a_changed_listing_is_found_by_its_new_words_only_once(django_capture_on_commit_callbacks):
    listing = Listing.objects.get(reference=SOLAR)
    assert SOLAR in found("光伏组件回收")
    with django_capture_on_commit_callbacks(execute=True):
        listing.title = "Zorvatine 钙钛矿薄膜（更新）"
        listing.description = "Zorvatine 新型薄膜材料的制备与应用。"
        listing.save()
    hits = search("Zorvatine", limit=10, mode="keyword").hits
    assert [hit.reference for hit in hits] == [SOLAR]
    assert hits[0].title == "Zorvatine 钙钛矿薄膜（更新）"
    assert SOLAR not in found("光伏组件回收")
    assert found(BROAD).count(SOLAR) <= 1


def test_withdrawn_and_deleted_listings_leave_the_results(django_capture_on_commit_callbacks):
    withdrawn = Listing.objects.get(reference=SOLAR)
    deleted = Listing.objects.get(reference="innovation/hightech/17")
    before = found(BROAD)
    assert {SOLAR, deleted.reference} <= set(found("光伏组件回收") + found("盐湖提锂"))
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn.status = Listing.Status.WITHDRAWN
        withdrawn.save()
    with django_capture_on_commit_callbacks(execute=True):
        deleted.delete()
    assert SOLAR not in found("光伏组件回收") and deleted.reference not in found("盐湖提锂")
    assert set(found(BROAD)) == set(before) - {SOLAR, deleted.reference}  # the rest remain (ranks may move)


def test_an_engine_updated_in_place_answers_as_one_reloaded(django_capture_on_commit_callbacks):
    answers()  # the engine is built before the changes, then follows them incrementally
    publish(django_capture_on_commit_callbacks, "Plexorine 反渗透膜材料", "Plexorine 膜材料用于盐湖卤水提锂。")
    with django_capture_on_commit_callbacks(execute=True):
        listing = Listing.objects.get(reference=SOLAR)
        listing.title = "光伏组件回收与锂电池材料再生"
        listing.save()
    incremental = answers()
    assert incremental[("Plexorine 膜", "keyword")][0][0].startswith("test/")
    new_generation()  # every node rebuilds its index
    rebuilt = answers()
    # The same first answers; BM25 statistics (document frequencies, mean length) still count the replaced
    # document until tantivy merges it away, which in a catalogue of 178 moves scores by a few per cent.
    rebuilt.rel, rebuilt.depth = 0.1, 5
    assert rebuilt == incremental


def test_the_dot_products_are_those_of_plain_arithmetic():
    """The similarity kernels (NumKong): int8 rows with integer arithmetic, exactly; float32 rows as numpy's
    product, to rounding; read-only mapped rows are read in place."""
    from techmarket.matching.services.engine import _dots

    rng = np.random.default_rng(3)
    rows = rng.integers(-127, 128, size=(513, 384), dtype=np.int8)
    rows.flags.writeable = False
    query = rng.integers(-127, 128, size=384, dtype=np.int8)
    assert np.array_equal(_dots(rows, query), (rows.astype(np.int64) @ query.astype(np.int64)).astype(np.float32))
    floats = rng.standard_normal((513, 384)).astype(np.float32)
    vector = floats[7] / np.linalg.norm(floats[7])
    assert np.allclose(_dots(floats, vector), floats @ vector, atol=1e-4)


def test_the_best_k_scores_are_found_exactly(monkeypatch):
    """_best gives the positions of the k largest scores whatever their spread: ties, unusable slots (-inf), k
    as large as the array, arrays smaller than a sample."""
    from techmarket.matching.services.engine import _best

    rng = np.random.default_rng(11)
    cases = [rng.standard_normal(100_000).astype(np.float32), np.round(rng.standard_normal(50_000), 1),
             np.where(rng.random(70_000) < 0.9, -np.inf, rng.random(70_000)).astype(np.float32),
             rng.random(300).astype(np.float32)]
    for scores in cases:
        for k in (1, 10, 1000, len(scores)):
            k = min(k, len(scores))
            found = _best(scores, k)
            assert len(found) == len(set(found.tolist())) == k
            assert np.sort(scores[found])[::-1].tolist() == np.sort(scores)[::-1][:k].tolist()


def test_a_large_scan_split_over_the_cores_gives_the_same_products(monkeypatch):
    from techmarket.matching.services import engine

    rng = np.random.default_rng(5)
    rows = rng.integers(-127, 128, size=(1001, 384), dtype=np.int8)
    query = rng.integers(-127, 128, size=384, dtype=np.int8)
    monkeypatch.setattr(engine, "ONE_THREAD_SCAN", 10)
    monkeypatch.setattr(engine, "SCAN_THREADS", 3)
    assert np.array_equal(engine._scan(rows, query), engine._dots(rows, query))


def test_the_quantised_scan_picks_only_usable_slots(monkeypatch):
    """The int8 scan chooses its candidates among the slots a filter leaves (not among all, then drops those)."""
    from techmarket.matching.services import engine

    snapshot = engine.get_engine()
    monkeypatch.setattr(engine, "EXACT_LIMIT", 0)
    monkeypatch.setattr(engine, "EXACT_SUBSET", 0)
    monkeypatch.setattr(engine, "QUANTISED_CANDIDATES", 10)
    usable = snapshot.alive & (snapshot.has_vector != 0)
    usable[np.flatnonzero(usable)[::2]] = False
    similarity = snapshot.similarity(snapshot.vectors[np.flatnonzero(usable)[0]], usable)
    assert np.count_nonzero(similarity) == 10 and not similarity[~usable].any()
    exact = np.where(usable, snapshot.vectors @ snapshot.vectors[np.flatnonzero(usable)[0]], -1)
    assert set(np.flatnonzero(similarity)) == set(np.argsort(-exact)[:10])


@pytest.mark.parametrize("one_thread_up_to", [10**9, 0], ids=["one thread", "every core"])
def test_the_quantised_scan_finds_what_the_exact_product_finds(monkeypatch, one_thread_up_to):
    """Above EXACT_LIMIT slots the int8 scan (NumKong) picks candidates that are rescored in float32: with 20
    candidates for 10 answers it still finds the exact top ten on the seed, and a narrow filter is exact; on the
    searching thread alone (up to ONE_THREAD_SCAN slots) as split over every core."""
    from techmarket.matching.services import engine

    queries = ("盐湖提锂", "牦牛养殖", "藏药材种植", "光伏组件回收", "高原生态修复")
    exact = {q: [h.reference for h in search(q, limit=10, mode="semantic").hits] for q in queries}
    offers = {q: [h.reference for h in search(q, EngineFilters(kind="offer"), limit=10, mode="semantic").hits]
              for q in queries}
    fused = {q: {h.reference: h.similarity for h in search(q, limit=50, mode="fused").hits} for q in queries}
    monkeypatch.setattr(engine, "EXACT_LIMIT", 0)
    monkeypatch.setattr(engine, "EXACT_SUBSET", 50)
    monkeypatch.setattr(engine, "QUANTISED_CANDIDATES", 20)
    monkeypatch.setattr(engine, "ONE_THREAD_SCAN", one_thread_up_to)
    from techmarket.matching.services.search import forget_answers

    forget_answers()
    found = sum(len(set(exact[q]) & {h.reference for h in search(q, limit=10, mode="semantic").hits})
                for q in queries)
    assert found >= 0.9 * sum(len(v) for v in exact.values())
    for q in queries:  # 30 offers: under EXACT_SUBSET, scored exactly
        hits = search(q, EngineFilters(kind="offer"), limit=10, mode="semantic").hits
        assert [h.reference for h in hits] == offers[q]
    for q in queries:  # every ranked keyword hit gets its exact similarity, picked by the scan or not
        quantised = {h.reference: h.similarity for h in search(q, limit=50, mode="fused").hits}
        assert len(quantised) > 20 and all(
            similarity == pytest.approx(fused[q][reference], abs=1e-3) for reference, similarity in quantised.items()
            if reference in fused[q] and fused[q][reference] > 0)


def test_stored_documents_are_kept_for_the_build_across_snapshots_within_bounds(
        monkeypatch, django_capture_on_commit_callbacks):
    from techmarket.matching.services import nodeindex
    from techmarket.matching.services.engine import get_engine

    before = get_engine()
    first = search("牦牛", limit=10, mode="keyword").hits[0]
    slot = int(np.flatnonzero(before.listing_ids == first.listing_id)[0])
    publish(django_capture_on_commit_callbacks, "Quenzarite 牦牛乳制品", "Quenzarite 牦牛乳深加工技术。")
    after = get_engine()
    assert after.key != before.key and after.build is before.build  # a new snapshot of the same build
    with after._kept_lock:
        assert slot in after._documents  # read once, for the build's every snapshot
    assert search("Quenzarite", limit=10, mode="keyword").hits[0].title == "Quenzarite 牦牛乳制品"
    # Bounded: a build keeps at most DOCUMENTS_KEPT documents.
    monkeypatch.setattr(nodeindex, "DOCUMENTS_KEPT", 3)
    reset_engine()
    try:
        engine = get_engine()
        shown = engine.documents(range(20))
        assert len(shown) == 20 and all(d["meta"]["title"] for d in shown.values())
        assert len(engine._documents) == 3
    finally:
        monkeypatch.undo()
        reset_engine()


def test_a_character_held_by_many_words_expands_to_the_most_frequent_of_the_first_ones(monkeypatch):
    """An unknown word's characters expand to indexed words holding them, the most frequent first; a character
    held by very many words (a digit, at 100k listings) is expanded among the first EXPANSION_SCAN of them only."""
    from techmarket.matching.services import engine

    snapshot = engine.get_engine()
    held = snapshot.build.vocabulary.containing("盐")
    assert len(held) > 3 and all("盐" in t for t in held)
    assert snapshot.build.vocabulary.containing("盐", 3) == held[:3]
    frequent = snapshot.expansions("盐", 12)
    assert [snapshot.doc_freq(t) for t in frequent] == sorted((snapshot.doc_freq(t) for t in frequent), reverse=True)
    monkeypatch.setattr(engine, "EXPANSION_SCAN", 3)
    engine.reset_engine()
    snapshot = engine.get_engine()
    assert set(snapshot.expansions("盐", 12)) == {t for t in held[:3] if snapshot.doc_freq(t)}


def test_an_unknown_word_falls_back_to_its_chinese_characters_not_to_its_letters_and_digits():
    """高原病 falls back to 病 (高原 is a query word already); a model number falls back to nothing: a Latin letter
    or a digit alone means nothing, and expanding each to every word holding it was the slowest keyword search."""
    from techmarket.matching.services.engine import get_engine
    from techmarket.matching.services.search import _expand

    snapshot = get_engine()
    backoff = [t for t in _expand(snapshot, "高原病") if t.backoff]
    assert backoff and all("病" in t.term for t in backoff)
    assert not any(t.backoff for t in _expand(snapshot, "XK-9731"))
    assert not any(t.backoff for t in _expand(snapshot, "XK-9731 青稞"))
