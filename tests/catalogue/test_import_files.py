"""Importing workbooks, Word documents and text files: good files import, broken ones change nothing."""

from pathlib import Path

import docx
import pytest
from openpyxl import Workbook

from techmarket.catalogue.importers.loader import ImportRejected, import_file
from techmarket.catalogue.importers.rows import COLUMNS, ImportFormatError
from techmarket.catalogue.models import Listing
from techmarket.common.audit import history_for
from techmarket.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db

ROWS = [
    ["1", "高原光伏组件除尘机器人研发", "研制适应高海拔风沙环境的光伏组件自动除尘机器人。", "青海测试新能源有限公司",
     "联合研发", "王测试\n13800000001\nwang@example.cn"],
    ["2", "牦牛乳深加工技术转让", "已完成牦牛乳奶酪中试，寻求受让方。", "青海测试乳业有限公司、青海大学",
     "技术转让\n技术许可", "李测试 13800000002"],
]


def make_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(["青海省科技合作需求汇编（测试）"])
        sheet.append(list(COLUMNS))
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def make_document(path: Path, sections: dict[str, list[list]]) -> Path:
    document = docx.Document()
    document.add_heading("青海省科技合作需求汇编（测试）", level=1)
    for heading, rows in sections.items():
        document.add_paragraph(heading)
        table = document.add_table(rows=1, cols=len(COLUMNS))
        for cell, name in zip(table.rows[0].cells, COLUMNS, strict=True):
            cell.text = name
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value
    document.save(path)
    return path


def snapshot():
    return (
        Listing.objects.count(), Organisation.objects.count(), Person.objects.count(),
        list(Listing.objects.order_by("id").values_list("title", "updated_at")),
    )


def test_workbook_imports_under_its_collection_and_reimports_idempotently(tmp_path):
    path = make_workbook(tmp_path / "compilation-2026.xlsx", {"高新技术领域（2项）": ROWS})
    report = import_file(path, collection="qh2026")
    assert report.listings == {"created": 2}
    assert report.sections == [{"key": "innovation/hightech", "title": "高新技术领域", "declared": 2, "imported": 2}]
    demand = Listing.objects.get(reference="qh2026/innovation/hightech/1")
    offer = Listing.objects.get(reference="qh2026/innovation/hightech/2")
    assert demand.kind == "demand" and offer.kind == "offer"
    assert [o.name for o in offer.organisations.order_by("listingorganisation__position")] == [
        "青海测试乳业有限公司", "青海大学"]
    assert Person.objects.get(name="王测试").emails == ["wang@example.cn"]

    again = import_file(path, collection="qh2026")
    assert again.listings == {"unchanged": 2}
    assert Listing.objects.filter(reference__startswith="qh2026/").count() == 2


def test_changed_row_is_updated_with_history(tmp_path):
    path = make_workbook(tmp_path / "c.xlsx", {"高新技术领域": ROWS})
    import_file(path, collection="t")
    changed = [row[:] for row in ROWS]
    changed[0][1] = "高原光伏组件智能除尘机器人研发"
    import_file(make_workbook(tmp_path / "c.xlsx", {"高新技术领域": changed}), collection="t")
    listing = Listing.objects.get(reference="t/innovation/hightech/1")
    assert listing.title == "高原光伏组件智能除尘机器人研发"
    assert history_for(listing).filter(action="import", reason__contains="changed: title").exists()


def test_broken_workbook_reports_each_bad_row_and_changes_nothing(tmp_path):
    bad = [
        ROWS[0],
        ["二", "标题", "内容", "单位", "联合研发", "张三"],  # 序号 not a number
        ["3", "", "内容", "单位", "联合研发", "张三"],  # no title
        ["4", "标题", "内容", "", "联合研发", "张三"],  # no unit
    ]
    path = make_workbook(tmp_path / "broken.xlsx", {"平台建设类": bad, "不存在的分组": ROWS})
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        import_file(path)
    messages = [str(p) for p in caught.value.problems]
    assert "sheet 平台建设类, row 4: column 序号 is not a number: 二" in messages
    assert "sheet 平台建设类, row 5: column 项目名称 is empty" in messages
    assert "sheet 平台建设类, row 6: column 实施单位 is empty" in messages
    assert any(m.startswith("sheet 不存在的分组:") for m in messages)
    assert snapshot() == before


def test_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip")
    with pytest.raises(ImportFormatError, match="not a valid .xlsx file"):
        import_file(path)


def test_unsupported_extension_is_refused(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("a,b")
    with pytest.raises(ImportFormatError, match="unsupported file type .csv"):
        import_file(path)


def test_word_document_tables_follow_their_headings(tmp_path):
    sections = {"1、平台建设类（1项）": ROWS[:1], "3、人才交流、引进（1项）": ROWS[1:]}
    path = make_document(tmp_path / "compilation.docx", sections)
    report = import_file(path, collection="doc")
    assert report.total == 2
    assert Listing.objects.get(reference="doc/platform/1").kind == "platform"
    assert Listing.objects.get(reference="doc/talent/1").kind == "talent"


def test_broken_word_document_changes_nothing(tmp_path):
    path = make_document(tmp_path / "broken.docx", {"平台建设类": [ROWS[0], ["2", "", "", "", "", ""]] + [
        ["x", "标题", "内容", "单位", "联合研发", "张三"]]})
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        import_file(path, collection="doc")
    assert [str(p) for p in caught.value.problems] == [
        "table 1, row 3: column 项目名称 is empty",
        "table 1, row 3: column 项目主要内容 is empty",
        "table 1, row 3: column 实施单位 is empty",
        "table 1, row 4: column 序号 is not a number: x",
    ]
    assert snapshot() == before


def test_text_with_a_short_item_is_refused_with_its_line(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text(
        "1、 平台建设类（2项）\n\t序号\n\t项目名称\n\t项目主要内容\n\t实施单位\n\t合作方式\n\t联系方式\n\n"
        "\t1\n\t标题一\n\t内容一\n\t青海大学\n\t联合建设\n\t张三\n13800000000\n\n"
        "\t2\n\t标题二\n\t内容二\n\t联合建设\n\t李四\n",
        encoding="utf-8",
    )
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        import_file(path, collection="txt")
    assert [str(p) for p in caught.value.problems] == ["line 17: item 2 of 平台建设类 has 5 cells, expected 6"]
    assert snapshot() == before


def test_text_without_sections_is_refused(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("这不是需求汇编。\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="1 problem"):
        import_file(path)


def test_text_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("1、 平台建设类（1项）".encode("gbk"))
    with pytest.raises(ImportRejected) as caught:
        import_file(path)
    assert "not UTF-8 text" in str(caught.value.problems[0])


def test_same_reference_twice_in_one_file_is_refused(tmp_path):
    path = make_workbook(tmp_path / "dup.xlsx", {"高新技术领域": ROWS, "高新技术": ROWS})
    with pytest.raises(ImportRejected) as caught:
        import_file(path, collection="dup")
    assert any("also given at" in str(p) for p in caught.value.problems)
    assert not Listing.objects.filter(reference__startswith="dup/").exists()
