"""The staff pages: staff only (server side), Chinese words only, the preview's problems in Chinese."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from techmarket.imports.models import ImportBatch
from techmarket.imports.services.wording import problem_text
from tests.imports.files import items, make_workbook

pytestmark = pytest.mark.django_db


def main_text(html: str) -> str:
    main = html[html.index("<main"):html.index("</main>")] if "<main" in html else html
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user("import-staff", is_staff=True))
    return client


def test_only_staff_see_the_import_pages(client, member):
    client.force_login(member)
    assert client.get("/imports/").status_code == 403
    assert client.post("/imports/", {"collection": "x"}).status_code == 403
    client.logout()
    assert client.get("/imports/").status_code == 302  # to the log-in


def test_upload_preview_and_result_speak_chinese(staff_client, tmp_path, django_capture_on_commit_callbacks):
    path = make_workbook(tmp_path / "海东.xlsx", {"海东市": ("offer", items("海东"))}, title_row=False)
    book = load_workbook(path)
    book["海东市"]["G1"] = "备注"
    book.save(path)
    response = staff_client.post("/imports/", {"collection": "haidong", "file": SimpleUploadedFile(
        path.name, path.read_bytes())})
    batch = ImportBatch.objects.get(collection="haidong")
    assert response.status_code == 302 and response["Location"] == f"/imports/{batch.pk}/"
    page = staff_client.get(f"/imports/{batch.pk}/").content.decode()
    text = main_text(page)
    assert "“备注”" in text and "成果供给" in text and "海东高原特色技术1" in text
    assert "haidong/" not in text and not re.search(r"\b(sheet|row|column|offer|demand)\b", text)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/imports/{batch.pk}/start/")
    text = main_text(staff_client.get(f"/imports/{batch.pk}/").content.decode())
    assert "共 2 条：新增 2" in text and "撤销此批次" in text
    assert not re.search(r"\b(sheet|row|column|warnings|Imported)\b", text)


def test_problems_in_chinese():
    assert problem_text("sheet 西宁市, row 3: column 项目名称 is empty") == "工作表“西宁市”第 3 行：“项目名称”为空"
    assert problem_text("table 2, row 4: 序号 3 follows 1; kept in file order as item 2") == (
        "第 2 个表格第 4 行：序号 3 接在 1 之后，编号有误，按文件顺序作为第 2 项")
    assert problem_text("sheet 甲, row 5: reference c/part1/1 also given at sheet 甲, row 4") == (
        "工作表“甲”第 5 行：与工作表“甲”第 4 行的条目重复")
