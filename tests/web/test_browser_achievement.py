"""An achievement evaluated by a three-expert panel in a real browser (issue 18's acceptance): the unit records the
achievement on its form and asks for a panel evaluation, the department draws three experts (the one working at the
unit is excluded automatically, with the reason shown), each expert scores on the page, the report PDF's text is
checked, and the offer published from the achievement shows the evaluation to every visitor. Then the
achievement's pages at phone width.

Debian's chromium through Playwright against a live server (fixtures: tests/web/conftest.py)."""

import shutil
import subprocess

import pytest

from techmarket.achievements.models import Achievement, Evaluation
from techmarket.catalogue.services import lifecycle
from techmarket.experts.services import search as expert_search
from tests.achievements import world as w
from tests.web.browsing import log_in, submit
from tests.web.conftest import needs_chromium
from tests.web.journeys import PHONE, new_page, page_problems

pytestmark = needs_chromium
SCORES = {"maturity": "16", "novelty": "17", "advancement": "15", "benefit": "20", "risk": "12"}  # 80


@pytest.fixture(autouse=True)
def fresh_expert_index(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    expert_search.reset()
    yield
    expert_search.reset()


def test_panel_evaluation_report_and_offer(browser, live_server, tmp_path):
    world = w.build()
    base = live_server.url

    # The unit records its achievement on the form.
    owner = log_in(browser, base, "owner")
    owner.goto(base + "/achievements/new/")
    owner.fill("#id_title", "低品位卤水吸附法提锂技术")
    owner.select_option("#id_kind", "patent")
    owner.select_option("#id_ip_status", "granted")
    owner.fill("#id_ip_number", "ZL202310000001.2")
    owner.select_option("#id_trl", "6")
    owner.select_option("#id_field", w.FIELD)
    owner.fill("#id_summary", "以改性铝系吸附剂从低品位卤水中提取锂。")
    owner.fill("#id_confidential", "吸附剂配方：铝盐与锂盐摩尔比 2.1。")
    owner.fill("#id_completers", "张教授 60\n李博士 40")
    submit(owner, "form button.btn-primary")
    achievement = Achievement.objects.get(title="低品位卤水吸附法提锂技术")
    assert "吸附剂配方" in owner.inner_text("#confidential")

    # It asks for an evaluation by a three-expert panel.
    owner.check("input[name=mode][value=panel]")
    owner.fill("#id_panel_size", "3")
    submit(owner, "#request-evaluation button")
    evaluation = Evaluation.objects.get(achievement=achievement)
    assert "待组织评估" in owner.inner_text("#evaluation-status")

    # The department draws the panel: the expert of the unit is left out with the reason.
    dept = log_in(browser, base, "dept")
    dept.goto(base + evaluation.get_absolute_url())
    submit(dept, "#draw-panel button")
    panel = dept.inner_text("#panel")
    assert "孙专家" in panel.split("回避：")[1] and "同属高原理工大学" in panel
    assert "孙专家" not in panel.split("回避：")[0]

    # The conflicted expert has no access; each drawn expert scores on the page.
    excluded = log_in(browser, base, "expert4")
    assert excluded.goto(base + evaluation.get_absolute_url()).status == 404
    for i, (name, low, high) in enumerate((("王专家", "100", "200"), ("李专家", "150", "260"),
                                            ("赵专家", "120", "220")), 1):
        page = log_in(browser, base, f"expert{i}")
        page.goto(base + evaluation.get_absolute_url())
        assert "吸附剂配方" in page.content()
        for code, points in SCORES.items():
            page.fill(f"#id_point_{code}", points)
        page.fill("#id_price_low", low)
        page.fill("#id_price_high", high)
        page.fill("#id_comment", f"{name}：吸附剂寿命指标可信，建议中试放大。")
        submit(page, "#score-form button")
        assert "评分已提交" in page.content()

    # The report: completed, with its PDF.
    owner.goto(base + evaluation.get_absolute_url())
    assert "评估完成" in owner.inner_text("#evaluation-status")
    assert "120.00 至 220.00 万元" in owner.inner_text("#price-range")
    with owner.expect_download() as download:
        owner.click("#report-pdf")
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                              text=True).stdout.replace("\n", "")
        for expected in ("科技成果评估报告", "低品位卤水吸附法提锂技术", "高原理工大学", "评价专家委员会（3 位专家",
                         "80.00", "国内先进，具备转化条件", "120.00 万元至 220.00 万元", "李专家：吸附剂寿命指标可信"):
            assert expected in text, expected
    else:
        assert path.read_bytes().startswith(b"%PDF")

    # The offer published from the achievement shows the evaluation, to the unit and (once approved) to everyone.
    owner.goto(base + achievement.get_absolute_url())
    submit(owner, "#publish-offer")
    assert "80.00 分" in owner.inner_text("#achievement-evaluation")
    achievement.refresh_from_db()
    listing = achievement.listing
    lifecycle.transition(listing, "submitted", world.owner)
    lifecycle.approve(listing, world.department)
    visitor = browser.new_context().new_page()
    visitor.goto(f"{base}/listings/{listing.reference}/")
    panel = visitor.inner_text("#achievement-evaluation")
    assert "低品位卤水吸附法提锂技术" in panel and "80.00 分" in panel and "国内先进，具备转化条件" in panel
    assert "120.00" not in visitor.content()  # the suggested price stays with the unit and the evaluators
    visitor.goto(base + achievement.get_absolute_url())
    assert "吸附剂配方" not in visitor.content() and "张教授" not in visitor.content()

    # The pages at phone width, in Chinese only.
    for username, url in (("", achievement.get_absolute_url()), ("owner", evaluation.get_absolute_url()),
                          ("owner", "/achievements/reports/"), ("", "/achievements/")):
        page = new_page(browser, PHONE, base, username)
        page.goto(base + url)
        assert page_problems(page, phone=True, quoted=frozenset({"ZL"})) == [], url
