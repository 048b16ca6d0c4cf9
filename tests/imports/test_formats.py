"""Header recognition: Word and Excel compilations with five header vocabularies, merged header cells, two
tables or sheets each and a misnumbered row import correctly; the CLI's --mapping and --dry-run."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from techmarket.catalogue.importers.headers import fold_header
from techmarket.catalogue.importers.loader import ImportRejected, import_file, parse_file, parse_options
from techmarket.catalogue.models import Listing
from tests.imports.files import VOCABULARIES, items, make_document, make_workbook

pytestmark = pytest.mark.django_db


def test_header_words_are_folded():
    assert fold_header("项目\n名称") == fold_header(" 项 目 名 称 ") == "项目名称"
    assert fold_header("ＮＯ") == "no"
    assert fold_header("预算（万元）") == "预算"


@pytest.mark.parametrize("vocabulary", sorted(VOCABULARIES))
def test_workbook_with_two_sheets_of_each_vocabulary(tmp_path, vocabulary):
    path = make_workbook(tmp_path / f"{vocabulary}.xlsx", {
        "西宁市（2项）": (vocabulary, items("西宁")),
        "海东市": (vocabulary, items("海东", numbers=("1", "3"))),  # misnumbered
    })
    report = import_file(path, collection=f"x-{vocabulary}")
    assert report.listings == {"created": 4}
    assert [(s["key"], s["title"], s["imported"]) for s in report.sections] == [
        ("part1", "西宁市", 2), ("part2", "海东市", 2)]
    listing = Listing.objects.get(reference=f"x-{vocabulary}/part2/2")
    assert listing.title == "海东高原特色技术2"
    assert listing.source_section_title == "海东市" and listing.source_printed_number == "3"
    assert listing.description.startswith("海东第2项的主要内容")
    assert listing.organisations_raw == "青海海东测试有限公司"
    assert "李海东" in listing.contacts_raw and "13900000002" in listing.contacts_raw
    assert [p.name for p in listing.contacts.all()] == ["李海东"]
    assert listing.modes_raw == "联合研发"
    assert any("sheet 海东市, row" in w and "序号 3 follows 1" in w for w in report.warnings)
    expected_kind = {"offer": "offer", "spaced": "offer"}.get(vocabulary, "demand")  # 成果名称, 技术名称
    assert listing.kind == expected_kind


@pytest.mark.parametrize("vocabulary", sorted(VOCABULARIES))
def test_word_document_with_two_tables_of_each_vocabulary(tmp_path, vocabulary):
    path = make_document(tmp_path / f"{vocabulary}.docx", [
        ("一、西宁市技术需求（2项）", vocabulary, items("西宁")),
        ("二、海东市技术需求", vocabulary, items("海东", numbers=("1", "1"))),  # misnumbered
    ])
    report = import_file(path, collection=f"d-{vocabulary}")
    assert report.listings == {"created": 4}
    assert [(s["key"], s["title"], s["declared"], s["imported"]) for s in report.sections] == [
        ("part1", "西宁市技术需求", 2, 2), ("part2", "海东市技术需求", None, 2)]
    listing = Listing.objects.get(reference=f"d-{vocabulary}/part2/2")
    assert listing.title == "海东高原特色技术2"
    assert "李海东" in listing.contacts_raw and "13900000002" in listing.contacts_raw
    # A merged contact cell repeated by Word is read once.
    assert listing.contacts_raw.count("李海东") == 1
    assert any(w.startswith("table 2, row") and "序号 1 follows 1" in w for w in report.warnings)


def test_known_sections_keep_their_keys_and_a_table_continues_its_section(tmp_path):
    path = make_document(tmp_path / "known.docx", [
        ("1、平台建设类（3项）", "demand", items("甲")),
        ("", "demand", [("3", "甲高原平台3", "第三项内容。", "青海甲测试有限公司", "联合共建", "甲三", "13900000003")]),
    ])
    report = import_file(path, collection="known")
    assert report.sections == [{"key": "platform", "title": "平台建设类", "declared": 3, "imported": 3}]
    assert Listing.objects.get(reference="known/platform/3").kind == "platform"


def test_extra_columns_are_read_and_unknown_ones_left_out_with_a_warning(tmp_path):
    path = make_workbook(tmp_path / "extra.xlsx", {"西宁市": ("wide", items("西宁"))})
    parsed = parse_file(path, parse_options("c"))
    assert parsed.rows[0].extras == {"budget": "50", "location": "西宁市"}
    assert parsed.unknown_headers == []


def test_an_unknown_header_is_refused_until_mapped(tmp_path):
    from openpyxl import load_workbook

    path = make_workbook(tmp_path / "unknown.xlsx", {"西宁市": ("demand", items("西宁"))}, title_row=False)
    book = load_workbook(path)
    book["西宁市"]["C1"] = "需求详细说明"
    book["西宁市"]["G1"] = "备注"
    book.save(path)
    before = Listing.objects.count()
    with pytest.raises(ImportRejected) as caught:
        import_file(path, collection="m")
    assert [str(p) for p in caught.value.problems] == [
        "sheet 西宁市, row 1: no column for 项目主要内容; "
        "unknown header(s) “需求详细说明”、“备注”: map them (--mapping)"]
    assert Listing.objects.count() == before
    report = import_file(path, collection="m", mapping={"需求 详细说明": "description", "备注": "ignore"})
    assert report.listings == {"created": 2}
    assert Listing.objects.get(reference="m/part1/1").description.startswith("西宁第1项")


def test_without_a_collection_unknown_sheet_names_are_still_refused(tmp_path):
    path = make_workbook(tmp_path / "seedlike.xlsx", {"西宁市": ("demand", items("西宁"))})
    with pytest.raises(ImportRejected, match="1 problem"):
        import_file(path)


def test_cli_mapping_file_and_dry_run(tmp_path, capsys):
    from openpyxl import load_workbook

    path = make_workbook(tmp_path / "cli.xlsx", {"西宁市": ("offer", items("西宁"))}, title_row=False)
    book = load_workbook(path)
    book["西宁市"]["D1"] = "成果所有人"
    book.save(path)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"成果所有人": "organisations"}, ensure_ascii=False), encoding="utf-8")
    before = Listing.objects.count()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_listings", str(path), "--collection", "cli", "--quiet")
    call_command("import_listings", str(path), "--collection", "cli", "--mapping", str(mapping), "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run: nothing was written." in out and "Would import 2 listings" in out
    assert Listing.objects.count() == before
    call_command("import_listings", str(path), "--collection", "cli", "--mapping", str(mapping), "--json")
    assert json.loads(capsys.readouterr().out)["listings"] == {"created": 2}
    assert Listing.objects.get(reference="cli/part1/1").kind == "offer"


def test_cli_refuses_a_mapping_to_no_column(tmp_path):
    path = make_workbook(tmp_path / "x.xlsx", {"西宁市": ("demand", items("西宁"))})
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("备注: remarks\n", encoding="utf-8")
    with pytest.raises(CommandError, match="remarks is not a column"):
        call_command("import_listings", str(path), "--collection", "c", "--mapping", str(mapping))
