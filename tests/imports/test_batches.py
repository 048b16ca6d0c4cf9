"""Import batches: every import is one (file kept, who, when, counts); undone as a whole; twice changes nothing;
the staff services (upload, mapping remembered, preview, background run) on the server side."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from techmarket.catalogue.importers.loader import import_file
from techmarket.catalogue.models import Listing
from techmarket.common.audit import history_for
from techmarket.common.errors import NotAllowed, Refused
from techmarket.imports.models import BatchChange, ImportBatch
from techmarket.imports.services import batches
from tests.imports.files import items, make_workbook

pytestmark = pytest.mark.django_db


def catalogue():
    return sorted(Listing.objects.values_list("reference", "title", "status", "description"))


@pytest.fixture
def staff(make_user):
    return make_user("importer", is_staff=True)


def test_every_import_is_a_batch_and_undo_takes_it_back(tmp_path, staff):
    before = catalogue()
    path = make_workbook(tmp_path / "xining.xlsx", {"西宁市": ("demand", items("西宁"))})
    call_command("import_listings", str(path), "--collection", "xn", "--quiet")
    batch = ImportBatch.objects.get(file_name="xining.xlsx")
    assert (batch.status, batch.created_count, batch.collection) == ("done", 2, "xn")
    assert batch.file.read() == path.read_bytes()
    assert sorted(batch.changes.values_list("reference", "action")) == [
        ("xn/part1/1", "created"), ("xn/part1/2", "created")]
    assert "Imported 2 listings" in batch.report_text

    batches.undo(staff, batch)
    assert catalogue() == before
    batch.refresh_from_db()
    assert batch.status == "undone" and batch.undone_by == staff
    assert sorted(e.action for e in history_for(batch)) == ["import", "undo"]
    assert batches.undo(staff, batch).status == "undone"  # twice: nothing more


def test_importing_the_same_compilation_twice_changes_nothing(tmp_path):
    path = make_workbook(tmp_path / "haidong.xlsx", {"海东市": ("offer", items("海东"))})
    import_file(path, collection="hd")
    state = sorted(Listing.objects.values_list("reference", "title", "updated_at", "status"))
    history = Listing.objects.filter(reference__startswith="hd/").count()
    report = import_file(path, collection="hd")
    assert report.listings == {"unchanged": 2}
    assert sorted(Listing.objects.values_list("reference", "title", "updated_at", "status")) == state
    assert Listing.objects.filter(reference__startswith="hd/").count() == history
    second = ImportBatch.objects.filter(file_name="haidong.xlsx").first()
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 2)
    assert not second.changes.exists()


def test_undo_returns_updated_listings_to_their_previous_values(tmp_path, staff):
    path = make_workbook(tmp_path / "c.xlsx", {"西宁市": ("demand", items("西宁"))})
    import_file(path, collection="up")
    first = ImportBatch.objects.get(file_name="c.xlsx")
    listing = Listing.objects.get(reference="up/part1/1")
    organisations = list(listing.organisations.values_list("name", flat=True))
    book = load_workbook(path)
    book["西宁市"]["B3"] = "西宁高原特色技术1（修订）"
    book["西宁市"]["D3"] = "青海另一测试有限公司"
    book.save(path)
    import_file(path, collection="up")
    second = ImportBatch.objects.exclude(pk=first.pk).get(file_name="c.xlsx")
    assert second.updated_count == 1
    listing.refresh_from_db()
    assert listing.title.endswith("（修订）")

    with pytest.raises(Refused, match="请先撤销该批次"):
        batches.undo(staff, first)
    batches.undo(staff, second)
    listing.refresh_from_db()
    assert listing.title == "西宁高原特色技术1"
    assert list(listing.organisations.values_list("name", flat=True)) == organisations
    assert history_for(listing).order_by("-at", "-id").first().reason == "撤销导入批次：c.xlsx"
    batches.undo(staff, first)
    assert not Listing.objects.filter(reference__startswith="up/").exists()


def test_a_created_listing_touched_since_is_withdrawn_not_removed(tmp_path, staff):
    path = make_workbook(tmp_path / "t.xlsx", {"西宁市": ("demand", items("西宁"))})
    import_file(path, collection="tc")
    Listing.objects.filter(reference="tc/part1/2").update(  # edited since
        description="已由发布单位修改的内容。", updated_at=timezone.now())
    batches.undo(staff, ImportBatch.objects.get(file_name="t.xlsx"))
    assert not Listing.objects.filter(reference="tc/part1/1").exists()
    touched = Listing.objects.get(reference="tc/part1/2")
    assert touched.status == "withdrawn"
    assert dict(BatchChange.objects.filter(batch__file_name="t.xlsx").values_list("reference", "outcome")) == {
        "tc/part1/1": "removed", "tc/part1/2": "withdrawn"}


def upload_of(path):
    return SimpleUploadedFile(path.name, path.read_bytes())


def test_staff_upload_map_preview_and_run(tmp_path, staff, django_capture_on_commit_callbacks):
    path = make_workbook(tmp_path / "web.xlsx", {"西宁市": ("demand", items("西宁"))}, title_row=False)
    book = load_workbook(path)
    book["西宁市"]["C1"] = "需求详情"
    book.save(path)
    batch = batches.upload(staff, upload_of(path), "web")
    shown = batches.preview(staff, batch)
    assert shown.unknown_headers == ["需求详情"] and not shown.ready
    assert shown.problems == ["sheet 西宁市, row 1: no column for 项目主要内容; unknown header(s) “需求详情”: "
                              "map them (--mapping)"]
    batches.choose_mapping(staff, batch, {"需求详情": "description"}, shown.headers)
    batch.refresh_from_db()
    shown = batches.preview(staff, batch)
    assert shown.ready and shown.unknown_headers == []
    row = shown.rows[0]
    assert (row["location"], row["kind"], row["organisations"], row["contacts"], row["modes"]) == (
        "sheet 西宁市, row 2", "demand", [["青海西宁测试有限公司", True]], ["王西宁"], ["联合研发"])
    assert Listing.objects.filter(reference__startswith="web/").count() == 0  # a preview writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        batches.start(staff, batch)
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.percent) == ("done", 2, 100)
    assert Listing.objects.filter(reference__startswith="web/").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert batches.start(staff, batch).status == "done"  # a second click imports nothing more
    assert ImportBatch.objects.filter(file_name="web.xlsx").count() == 1

    # The same header words in another file: the mapping is remembered (its rows are now probable duplicates
    # of the ones just imported).
    again = batches.upload(staff, upload_of(path), "web2")
    shown = batches.preview(staff, again)
    assert not shown.problems and shown.unknown_headers == [] and len(shown.undecided) == 2


def test_a_rejected_batch_keeps_its_problems_and_changes_nothing(tmp_path, staff,
                                                                django_capture_on_commit_callbacks):
    path = make_workbook(tmp_path / "bad.xlsx", {"西宁市": ("demand", items("西宁"))}, title_row=False)
    book = load_workbook(path)
    book["西宁市"]["B3"] = ""
    book.save(path)
    before = catalogue()
    batch = batches.upload(staff, upload_of(path), "bad")
    assert batches.preview(staff, batch).problems == ["sheet 西宁市, row 3: column 项目名称 is empty"]
    with pytest.raises(Refused, match="文件中有问题"), django_capture_on_commit_callbacks(execute=True):
        batches.start(staff, batch)
    batch.refresh_from_db()
    assert batch.status == "previewed"
    # Should the file change between preview and run, the run refuses it as a whole and keeps the problems.
    ImportBatch.objects.filter(pk=batch.pk).update(status="queued")
    batch = batches.run(batch.pk)
    assert batch.status == "failed" and batch.error == "sheet 西宁市, row 3: column 项目名称 is empty"
    assert catalogue() == before


def test_only_staff_import(tmp_path, member):
    path = make_workbook(tmp_path / "x.xlsx", {"西宁市": ("demand", items("西宁"))})
    with pytest.raises(NotAllowed):
        batches.upload(member, upload_of(path), "x")
    with pytest.raises(Refused, match="汇编标识"):
        batches.clean_collection("Bad Key")


def test_same_items_from_two_compilations_are_offered_for_merging(tmp_path, staff,
                                                                  django_capture_on_commit_callbacks):
    first = make_workbook(tmp_path / "省汇编.xlsx", {"高新技术领域": ("demand", items("甲"))})
    import_file(first, collection="prov")
    original = Listing.objects.get(reference="prov/innovation/hightech/1")
    # The prefecture's compilation: the same two items (one title slightly reworded) and a new one.
    rows = items("甲") + [("3", "甲高原全新技术", "全新的一项内容，与已有条目无关。", "青海甲测试有限公司", "联合研发",
                           "赵甲", "13900000009")]
    rows[0] = ("1", "甲高原特色技术1。", *rows[0][2:])
    second = make_workbook(tmp_path / "市汇编.xlsx", {"西宁市": ("demand", rows)}, title_row=False)
    batch = batches.upload(staff, upload_of(second), "city")
    shown = batches.preview(staff, batch)
    offered = {row["reference"]: row["duplicate"]["pk"] for row in shown.rows if "duplicate" in row}
    assert offered == {"city/part1/1": original.pk,
                       "city/part1/2": Listing.objects.get(reference="prov/innovation/hightech/2").pk}
    assert not shown.ready  # never doubled silently: each must be answered
    with pytest.raises(Refused, match="疑似重复"), django_capture_on_commit_callbacks(execute=True):
        batches.start(staff, batch)

    batches.decide_duplicates(staff, batch, {"city/part1/1": "merge", "city/part1/2": "distinct"})
    assert batches.preview(staff, batch).ready
    with django_capture_on_commit_callbacks(execute=True):
        batches.start(staff, batch)
    batch.refresh_from_db()
    assert batch.status == "done" and batch.created_count == 2 and batch.report["listings"]["merged"] == 1
    assert not Listing.objects.filter(reference="city/part1/1").exists()
    assert Listing.objects.filter(reference="city/part1/2").exists()  # kept distinct
    assert [(s["file_name"], s["section_title"]) for s in batches.sources_of(original)] == [
        ("省汇编.xlsx", "高新技术领域"), ("市汇编.xlsx", "西宁市")]
    assert history_for(original).order_by("-at", "-id").first().reason == "合并来自 市汇编.xlsx 的同一条目"

    # The same compilation again: nothing changes, the merged item is not offered again.
    state = catalogue()
    again = batches.upload(staff, upload_of(second), "city")
    shown = batches.preview(staff, again)
    assert shown.ready and [r["merged_into"] for r in shown.rows if "merged_into" in r] == [original.pk]
    with django_capture_on_commit_callbacks(execute=True):
        batches.start(staff, again)
    again.refresh_from_db()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert catalogue() == state and len(batches.sources_of(original)) == 2

    batches.undo(staff, batch)
    assert len(batches.sources_of(original)) == 1
    assert not Listing.objects.filter(reference__startswith="city/").exists()
