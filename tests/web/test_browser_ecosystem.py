"""A transfer institution filed in a real browser (issue 15's acceptance), on a phone's screen: a verified member
files it with a successful case's document, a day late (第二十二条: accepted and flagged); the reviewer sees it in
the queue and approves it; it appears in the public register, found by its name, with its standing.

Debian's chromium through Playwright against a live server (fixtures: tests/web/conftest.py)."""

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from techmarket.accounts.roles import REVIEWERS
from techmarket.directory.models import Organisation, Region
from techmarket.ecosystem.models import Institution
from tests.web.browsing import log_in, make_user, submit
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}


def test_institution_from_filing_to_the_public_register(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    org = Organisation.objects.create(name="海东市科技成果转化服务有限公司", region=Region.objects.get(code="haidong"))
    make_user("eco-member", org)
    make_user("eco-reviewer", None).groups.add(Group.objects.get(name=REVIEWERS))
    case = tmp_path / "成功案例.pdf"
    case.write_bytes(b"%PDF-1.4\n% a successful case\n%%EOF\n")
    founded = timezone.localdate() - datetime.timedelta(days=31)
    base = live_server.url

    member = log_in(browser, base, "eco-member")
    member.set_viewport_size(PHONE)
    member.goto(base + "/ecosystem/institutions/file/")
    member.fill("#id_name", "海东技术转移中心")
    member.select_option("#id_kind", "independent")
    member.fill("#id_founded_on", founded.isoformat())
    member.fill("#id_services", "技术转让与代理；技术咨询与评估")
    member.fill("#id_business_years", "3")
    member.fill("#id_full_time_staff", "10")
    member.fill("#id_managers_total", "5")
    member.fill("#id_managers_college", "4")
    member.fill("#id_st_staff", "6")
    member.fill("#id_case_title_1", "高原夏菜保鲜技术转让")
    member.set_input_files("#id_case_file_1", str(case))
    box = member.locator("#institution-form button[type=submit]").bounding_box()
    assert box["height"] >= 44
    submit(member, "#institution-form button[type=submit]")
    assert "逾期 1 日" in member.locator("#filing-window").inner_text()
    assert "均已满足" in member.locator("#conditions").inner_text()
    assert member.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    institution = Institution.objects.get(name="海东技术转移中心")
    assert institution.status == Institution.Status.SUBMITTED

    reviewer = log_in(browser, base, "eco-reviewer")
    reviewer.set_viewport_size(PHONE)
    reviewer.goto(base + "/ecosystem/review/")
    with reviewer.expect_navigation():
        reviewer.click("#review-queue a:has-text('海东技术转移中心')")
    submit(reviewer, "#review-actions form:first-child button[type=submit]")
    assert reviewer.locator("#standing").inner_text() == "已备案"

    visitor = browser.new_context(viewport=PHONE).new_page()
    visitor.goto(base + "/ecosystem/")
    visitor.fill("#q", "海东")
    submit(visitor, "form[role=search] button[type=submit]")
    register = visitor.locator("#institution-register").inner_text()
    assert "海东技术转移中心" in register and "已备案" in register and "海东市科技成果转化服务有限公司" in register
    with visitor.expect_navigation():
        visitor.click("#institution-register a:has-text('海东技术转移中心')")
    assert "高原夏菜保鲜技术转让" in visitor.locator("#cases").inner_text()
    assert visitor.locator("#filing-window").count() == 0  # the filing's deadline is for the filer and reviewers
