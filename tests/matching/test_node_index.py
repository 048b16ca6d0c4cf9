"""The node's index on disk: what a process finds after a restart, incremental deletions without a rebuild,
a new generation swapped in as a new build, and searches running in threads while the writer edits."""

import json
import threading
import uuid

import pytest
from django.test import override_settings

from techmarket.catalogue.models import Listing
from techmarket.matching.services.documents import new_generation
from techmarket.matching.services.engine import get_engine, node_index, reset_engine
from techmarket.matching.services.search import search

pytestmark = pytest.mark.django_db

QUERIES = ("盐湖提锂", "光伏组件回收", "牦牛", "藏药", "枸杞深加工", "高原 种植")


@pytest.fixture
def on_disk(tmp_path):
    with override_settings(TECHMARKET_SEARCH_DIR=str(tmp_path), TECHMARKET_SEARCH_FOLLOW=False):
        reset_engine()
        yield node_index().directory
        reset_engine()


def answers() -> dict:
    return {(q, mode): [(h.reference, h.score, h.coverage, h.snippet) for h in search(q, limit=20, mode=mode).hits]
            for q in QUERIES for mode in ("keyword", "fused", "semantic")}


def unique_word() -> str:
    """A made-up word the analyser keeps whole (random letters could hold a dictionary word such as ai)."""
    from techmarket.matching.services.text import analyse

    while True:
        word = "zq" + "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:8])
        if analyse(word) == [word]:
            return word


def current_build(directory) -> str:
    return json.loads((directory / "CURRENT").read_text())["build"]


def edit(listing: Listing, capture, **changes) -> None:
    with capture(execute=True):
        for name, value in changes.items():
            setattr(listing, name, value)
        listing.save()


def test_results_are_identical_after_a_restart(on_disk, django_capture_on_commit_callbacks):
    answers()
    edit(Listing.objects.get(reference="innovation/hightech/6"), django_capture_on_commit_callbacks,
         title="光伏组件回收与锂电池材料再生")
    with django_capture_on_commit_callbacks(execute=True):
        Listing.objects.get(reference="innovation/hightech/17").delete()
    before = answers()
    build = current_build(on_disk)
    reset_engine()  # a process starting now opens the same files
    assert answers() == before
    assert current_build(on_disk) == build  # nothing was rebuilt


def test_edits_and_deletions_apply_without_a_rebuild(on_disk, django_capture_on_commit_callbacks):
    assert "innovation/hightech/17" in [h.reference for h in search("盐湖提锂", limit=50, mode="keyword").hits]
    build = current_build(on_disk)
    commit = get_engine().manifest["commit"]
    with django_capture_on_commit_callbacks(execute=True):
        Listing.objects.get(reference="innovation/hightech/17").delete()
    edit(Listing.objects.get(reference="innovation/hightech/6"), django_capture_on_commit_callbacks,
         title="Quorvane 钙钛矿薄膜")
    assert "innovation/hightech/17" not in [h.reference for h in search("盐湖提锂", limit=50, mode="keyword").hits]
    assert [h.reference for h in search("Quorvane", mode="keyword").hits] == ["innovation/hightech/6"]
    snapshot = get_engine()
    assert current_build(on_disk) == build
    assert snapshot.manifest["commit"] > commit
    assert snapshot.n_alive == Listing.objects.filter(search_document__public=True).count()


def test_a_reader_looks_at_the_files_only_after_the_writer_published(on_disk, django_capture_on_commit_callbacks,
                                                                       monkeypatch):
    """Another process of the node (a second handle on the same directory) reads CURRENT and the manifest again
    only when the generation counter moved, or when it has trusted an unchanged counter long enough."""
    from techmarket.matching.services import nodeindex

    get_engine()  # this handle is the writer
    reader = nodeindex.NodeIndex(on_disk.parent)
    first = reader.current()
    monkeypatch.setattr(reader, "_current_name", lambda: pytest.fail("read CURRENT though nothing was published"))
    assert reader.current() is first
    monkeypatch.undo()
    word = unique_word()
    edit(Listing.objects.get(reference="innovation/hightech/6"), django_capture_on_commit_callbacks, title=word)
    get_engine()  # the writer applies the edit and publishes it
    snapshot = reader.current()
    assert snapshot is not first and snapshot.manifest["commit"] > first.manifest["commit"]
    assert [h.reference for h in search(word, mode="keyword", engine=snapshot).hits] == ["innovation/hightech/6"]
    monkeypatch.setattr(nodeindex, "GENERATION_TRUST", 0.0)
    calls = []
    monkeypatch.setattr(reader, "_current_name", lambda: calls.append(1) or current_build(on_disk))
    assert reader.current() is snapshot  # the files were read again, and showed nothing new
    assert calls


def test_a_reader_that_starts_before_the_writer_waits_for_it_without_failing(on_disk, monkeypatch):
    """A web process of a node whose writer has not created anything yet (no generation counter, no build)
    answers with an empty index, and finds the writer's build once it is published."""
    from techmarket.matching.services import nodeindex

    monkeypatch.setattr(nodeindex, "GENERATION_TRUST", 0.0)
    reader = nodeindex.NodeIndex(on_disk.parent)
    assert not (on_disk / "generation").exists()
    assert reader.current().size == 0
    assert reader.current().size == 0  # asked again: still no counter, still no failure
    get_engine()  # the writer builds and publishes
    assert reader.current().size == get_engine().size > 0


def test_a_build_of_another_format_is_not_read_and_is_built_anew(on_disk):
    """A release that changes the index's format (nodeindex.FORMAT) meets builds of the previous one: its readers
    do not read them, and its writer, unable to open them, makes a new build answering as before."""
    from techmarket.matching.services import nodeindex

    before = answers()
    build = current_build(on_disk)
    manifest_path = on_disk / build / "manifest.json"
    manifest_path.write_text(json.dumps(dict(json.loads(manifest_path.read_text()), format=nodeindex.FORMAT - 1)))
    assert nodeindex.NodeIndex(on_disk.parent).current().size == 0
    reset_engine()  # a process of the new release
    assert answers() == before
    assert current_build(on_disk) != build


def test_a_new_generation_is_a_new_build_answering_the_same(on_disk):
    before = answers()
    build = current_build(on_disk)
    new_generation()
    assert answers() == before
    assert current_build(on_disk) != build
    assert not (on_disk / build).exists() or (on_disk / build / "manifest.json").exists()  # kept for readers


def test_searches_during_edits_and_deletions_stay_consistent(on_disk, django_capture_on_commit_callbacks):
    """Threads search snapshots while the writer edits and deletes: no error, no listing twice, and every
    listing nobody touches is always found by its own title."""
    stable = list(Listing.objects.filter(reference__startswith="innovation/hightech/")
                  .order_by("reference").values_list("reference", "title")[20:26])
    changing = list(Listing.objects.filter(reference__startswith="innovation/agriculture/").order_by("reference"))
    node = node_index()
    get_engine()
    stop = threading.Event()
    problems: list[str] = []
    searches = [0]

    def reader() -> None:
        while not stop.is_set():
            snapshot = node.current()
            for reference, title in stable:
                for mode in ("keyword", "fused"):
                    hits = search(title, limit=20, mode=mode, engine=snapshot).hits
                    references = [h.reference for h in hits]
                    if len(references) != len(set(references)):
                        problems.append(f"{mode} {title}: a listing twice")
                    if reference not in references:
                        problems.append(f"{mode} {title}: {reference} missing")
                    searches[0] += 1

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    words = {}
    try:
        for i, listing in enumerate(changing[:12]):
            if i % 4 == 3:
                with django_capture_on_commit_callbacks(execute=True):
                    listing.delete()
            else:
                words[listing.reference] = unique_word()
                edit(listing, django_capture_on_commit_callbacks,
                     description=f"{listing.description} {words[listing.reference]}")
            node.sync()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert problems == []
    assert searches[0] > 20
    for reference, word in words.items():
        assert [h.reference for h in search(word, mode="keyword").hits] == [reference]


def test_a_writer_that_died_before_publishing_leaves_nothing_behind(on_disk, django_capture_on_commit_callbacks,
                                                                   monkeypatch):
    """The writer commits tantivy, then the manifest: dying in between leaves committed documents and kills the
    manifest does not know. The next writer undoes them and applies the rows again."""
    from techmarket.matching.services import nodeindex

    before = answers()
    listing = Listing.objects.get(reference="innovation/hightech/6")
    original = listing.description

    def die(path, data):
        raise SystemExit("the writer process dies here")

    monkeypatch.setattr(nodeindex, "_write_json", die)
    edit(listing, django_capture_on_commit_callbacks, description=f"{original}；Tessaline 组件。")
    with pytest.raises(SystemExit):
        node_index().sync()
    monkeypatch.undo()
    reset_engine()  # the next process to write
    edit(listing, django_capture_on_commit_callbacks, description=original)
    hits = search("Tessaline", mode="keyword").hits
    assert "innovation/hightech/6" not in [h.reference for h in hits]
    after = answers()
    for key, found in before.items():  # the same listings in the same order (scores may move with statistics)
        assert [r for r, *_ in after[key]] == [r for r, *_ in found], key


def test_a_listing_edited_twice_then_deleted_leaves_no_trace(on_disk, django_capture_on_commit_callbacks):
    listing = Listing.objects.get(reference="innovation/hightech/6")
    get_engine()
    for word in ("Quorvane", "Belmirax"):
        edit(listing, django_capture_on_commit_callbacks, title=f"{word} 钙钛矿薄膜")
        get_engine()  # each edit applied on its own
        assert [h.reference for h in search(word, mode="keyword").hits][:1] == ["innovation/hightech/6"]
    assert get_engine().n_alive == Listing.objects.filter(search_document__public=True).count()
    with django_capture_on_commit_callbacks(execute=True):
        listing.delete()
    snapshot = get_engine()
    assert snapshot.n_alive == Listing.objects.filter(search_document__public=True).count()
    for query in ("Belmirax", "钙钛矿薄膜", "光伏组件回收"):
        assert "innovation/hightech/6" not in [h.reference for h in search(query, limit=50, mode="keyword").hits]
    reset_engine()  # and for a process starting now
    assert "innovation/hightech/6" not in [h.reference for h in search("Belmirax", limit=50, mode="keyword").hits]


def test_a_build_with_mostly_dead_slots_is_made_anew(on_disk, django_capture_on_commit_callbacks, monkeypatch):
    """Slots are append-only: once replaced documents outnumber the thresholds, the writer makes a new build
    holding only the live ones, which answers as the old one did."""
    from techmarket.matching.services import nodeindex

    get_engine()
    build = current_build(on_disk)
    edit(Listing.objects.get(reference="innovation/hightech/6"), django_capture_on_commit_callbacks,
         title="光伏组件回收与锂电池材料再生")
    before = answers()
    assert current_build(on_disk) == build and get_engine().size == get_engine().n_alive + 1
    monkeypatch.setattr(nodeindex, "COMPACT_AFTER_DEAD", 0)
    monkeypatch.setattr(nodeindex, "COMPACT_DEAD_SHARE", 0.0)
    snapshot = get_engine()
    assert current_build(on_disk) != build
    assert snapshot.size == snapshot.n_alive == Listing.objects.filter(search_document__public=True).count()
    after = answers()
    for key, found in before.items():  # the same listings in order; statistics lose the replaced document
        assert [r for r, *_ in after[key]][:5] == [r for r, *_ in found][:5], key


def test_a_reader_opening_a_build_reads_its_files_through_once_in_the_background(on_disk, monkeypatch):
    """So that a boot's first searches do not each wait on the disk: every file of the build is read once, in a
    thread of its own; a build removed meanwhile ends the thread quietly."""
    import builtins
    from pathlib import Path

    from techmarket.matching.services import nodeindex

    get_engine()  # the writer builds and publishes (and this process's own reader warms the build)
    for thread in threading.enumerate():
        if thread.name == "search-warm":
            thread.join(30)
    warmed, threads, real_open = [], [], builtins.open

    def spying_open(file, *args, **kwargs):
        if threading.current_thread().name == "search-warm":
            warmed.append(Path(file))
        return real_open(file, *args, **kwargs)

    def keep(path):
        threads.append(real_warm(path))
        return threads[-1]

    real_warm = nodeindex.warm
    monkeypatch.setattr(builtins, "open", spying_open)
    monkeypatch.setattr(nodeindex, "warm", keep)
    reader = nodeindex.NodeIndex(on_disk.parent)
    assert reader.current().size == get_engine().size > 0
    assert len(threads) == 1
    threads[0].join(30)
    build = reader.directory / reader.build_name
    assert set(build.glob("*.bin")) <= set(warmed)  # the columns, the vectors, the stored documents
    assert (build / "documents.bin") in warmed and any(p.parent.name == "tantivy" for p in warmed)
    assert all(p.is_relative_to(build) for p in warmed) and len(warmed) == len(set(warmed))

    failures = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    gone = on_disk / "gone"
    gone.mkdir()
    (gone / "documents.bin").write_bytes(b"x" * 10)
    thread = real_warm(gone)
    gone.joinpath("documents.bin").unlink()
    gone.rmdir()
    thread.join(30)
    assert not thread.is_alive() and failures == []
