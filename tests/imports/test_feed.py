"""A partner platform's feed (JSON, the open feed's format) through the same pipeline: imported with its
provenance, again without change, and its items already in the catalogue offered for merging."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from techmarket.catalogue.importers.loader import ImportRejected, import_file
from techmarket.catalogue.models import Listing
from techmarket.imports.models import ImportBatch
from techmarket.imports.services import batches
from tests.imports.files import items, make_workbook

pytestmark = pytest.mark.django_db


def listing(reference, number, kind, title, text, org, modes=("技术转让",)):
    return {"reference": reference, "number": number, "kind": kind, "kind_name": "", "title": title,
            "description": text, "status": "published", "status_name": "已发布",
            "organisations": [{"name": org, "role": "lead", "region_code": "", "region_name": ""}],
            "modes": [{"code": m, "name": m} for m in modes], "grade": "", "updated_at": "2026-11-30T00:00:00Z",
            "url": "https://partner.example/l/1"}


def feed(path, listings, publisher="甘肃省技术市场"):
    path.write_text(json.dumps({
        "feed": "qinghai-techmarket-open-feed", "version": 1, "publisher": publisher,
        "generated_at": "2026-12-01T00:00:00Z", "since": None, "complete": True, "listings": listings,
        "removed_listings": [], "intents": []}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def staff(make_user):
    return make_user("feed-staff", is_staff=True)


def test_a_partner_feed_imports_with_its_provenance_and_again_changes_nothing(tmp_path):
    path = feed(tmp_path / "gansu.json", [
        listing("innovation/hightech/7", "CG-2026-0007", "offer", "河西走廊光热储能技术", "塔式光热储能的成套技术。",
                "甘肃测试光热有限公司"),
        listing("talent/2", "RC-2026-0002", "talent", "盐湖化工高级工程师", "引进盐湖化工方向高级工程师。",
                "甘肃测试化工有限公司", modes=()),
    ])
    report = import_file(path, collection="gansu")
    assert report.listings == {"created": 2}
    offer = Listing.objects.get(reference="gansu/feed/innovation/hightech/7")
    assert (offer.kind, offer.source_section_title, offer.source_printed_number, offer.source_location) == (
        "offer", "甘肃省技术市场", "CG-2026-0007", "listing CG-2026-0007")
    assert offer.source_document.file_name == "gansu.json"
    assert Listing.objects.get(reference="gansu/feed/talent/2").kind == "talent"
    # The partner reorders its feed: the same listings, nothing changes but where they stand in it.
    data = json.loads(path.read_text(encoding="utf-8"))
    data["listings"].reverse()
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    again = import_file(path, collection="gansu")
    assert again.listings.get("created") is None and Listing.objects.filter(reference__startswith="gansu/").count() == 2
    assert import_file(path, collection="gansu").listings == {"unchanged": 2}


def test_a_broken_feed_is_refused_with_locations(tmp_path):
    path = feed(tmp_path / "bad.json", [listing("x/1", "XQ-1", "demand", "", "内容", "某单位"), {"kind": "demand"}])
    with pytest.raises(ImportRejected) as caught:
        import_file(path, collection="bad")
    assert [str(p) for p in caught.value.problems] == [
        "listing XQ-1: column 项目名称 is empty", "listing 2: reference is empty or longer than 70 characters"]


def test_feed_items_already_in_the_catalogue_are_offered_for_merging(tmp_path, staff, client,
                                                                     django_capture_on_commit_callbacks):
    import_file(make_workbook(tmp_path / "省汇编.xlsx", {"高新技术领域": ("demand", items("乙"))}), collection="p")
    existing = Listing.objects.get(reference="p/innovation/hightech/1")
    path = feed(tmp_path / "partner.json", [
        listing("d/1", "XQ-2026-0100", "demand", existing.title, existing.description, "青海乙测试有限公司")])
    batch = batches.upload(staff, SimpleUploadedFile(path.name, path.read_bytes()), "partner")
    assert batch.source == ImportBatch.Source.PARTNER
    shown = batches.preview(staff, batch)
    assert [row["duplicate"]["pk"] for row in shown.rows] == [existing.pk] and not shown.ready
    batches.decide_duplicates(staff, batch, {"partner/feed/d/1": "merge"})
    with django_capture_on_commit_callbacks(execute=True):
        batches.start(staff, batch)
    batch.refresh_from_db()
    assert batch.status == "done" and not Listing.objects.filter(reference__startswith="partner/").exists()
    assert [s["file_name"] for s in batches.sources_of(existing)] == ["省汇编.xlsx", "partner.json"]
    # The listing's page names both: its own source, and the merged one under it.
    page = client.get(reverse("listing-detail", args=[existing.reference])).content.decode()
    provenance = page[page.index('id="provenance"'):]
    assert "省汇编" in provenance and 'id="merged-sources"' in provenance and "partner.json" in provenance


def test_cli_warns_about_probable_duplicates_when_asked(tmp_path, capsys):
    from django.core.management import call_command

    import_file(make_workbook(tmp_path / "a.xlsx", {"高新技术领域": ("demand", items("丙"))}), collection="a")
    second = make_workbook(tmp_path / "b.xlsx", {"西宁市": ("demand", items("丙"))})
    call_command("import_listings", str(second), "--collection", "b", "--dry-run", "--quiet")
    assert "probable duplicate" not in capsys.readouterr().out
    call_command("import_listings", str(second), "--collection", "b", "--dry-run", "--duplicates", "--quiet")
    out = capsys.readouterr().out
    assert "sheet 西宁市, row 3: probable duplicate of “丙高原特色技术1”" in out
    assert not Listing.objects.filter(reference__startswith="b/").exists()
