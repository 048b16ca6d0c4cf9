"""Compilation import by staff in a real browser (issue 20's acceptance): a workbook with one unknown header is
uploaded, the header mapped, the preview lists the one bad row; the fixed file is uploaded (the mapping is
remembered), imported with its progress shown, then the batch is undone and the catalogue is as before.

Debian's chromium through Playwright against a live server (fixtures: tests/web/conftest.py). Jobs are left
queued (TECHMARKET_JOBS=none) so that the page shows the import waiting and in progress; the test then runs the
worker's step itself."""

from openpyxl import load_workbook

from techmarket.catalogue.models import Listing
from techmarket.imports.models import ImportBatch
from techmarket.imports.services import batches
from tests.imports.files import items, make_workbook
from tests.web.browsing import log_in, make_user, submit
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}


def catalogue():
    return sorted(Listing.objects.values_list("reference", "title", "status", "updated_at"))


def workbook(path, bad_row: bool):
    make_workbook(path, {"西宁市": ("demand", items("西宁"))}, title_row=False)
    book = load_workbook(path)
    book["西宁市"]["C1"] = "需求详情"  # not in the vocabulary
    if bad_row:
        book["西宁市"]["B3"] = ""
    book.save(path)
    return path


def upload(page, base, path, collection):
    page.goto(base + "/imports/")
    page.set_input_files("#id_file", str(path))
    page.fill("#id_collection", collection)
    submit(page, "#upload-form button[type=submit]")


def test_upload_map_preview_fix_import_undo(browser, live_server, settings, tmp_path):
    settings.TECHMARKET_JOBS = "none"
    staff = make_user("import-staff", None)
    staff.is_staff = True
    staff.save()
    base = live_server.url
    before = catalogue()

    page = log_in(browser, base, "import-staff")
    page.set_viewport_size(PHONE)
    upload(page, base, workbook(tmp_path / "西宁市需求汇编.xlsx", bad_row=True), "xining-2026")
    assert "“需求详情”" in page.locator("#mapping").inner_text()
    page.select_option("#column-0", "description")
    submit(page, "#mapping button[type=submit]")
    assert page.locator("#mapping").count() == 0
    problems = page.locator("#problems").inner_text()
    assert "有 1 处问题" in problems and "工作表“西宁市”第 3 行：“项目名称”为空" in problems
    assert page.locator("#start-form").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    (tmp_path / "fixed").mkdir()
    fixed = workbook(tmp_path / "fixed" / "西宁市需求汇编.xlsx", bad_row=False)
    upload(page, base, fixed, "xining-2026")
    assert page.locator("#mapping").count() == 0  # the choice was remembered for these header words
    preview = page.locator("#preview").inner_text()
    assert "西宁高原特色技术1" in preview and "技术需求" in preview and "青海西宁测试有限公司" in preview
    assert "新建" in preview and "王西宁" in preview and "联合研发" in preview
    submit(page, "#start-form button[type=submit]")
    assert "正在导入" in page.locator("#import-progress").inner_text()
    assert page.locator("#import-progress .progress").get_attribute("aria-valuenow") == "0"

    batch = ImportBatch.objects.get(status=ImportBatch.Status.QUEUED)
    batches.run(batch.pk)  # the background worker's step
    page.goto(base + f"/imports/{batch.pk}/")
    report = page.locator("#report").inner_text()
    assert "共 2 条：新增 2" in report
    assert Listing.objects.filter(reference__startswith="xining-2026/").count() == 2

    submit(page, "#undo-form button[type=submit]")
    assert "已撤销该批次" in page.content()
    assert "已撤销" in page.locator("#batch-status").inner_text()
    assert catalogue() == before
