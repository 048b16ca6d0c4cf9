"""A complaint leads to a sanction that blocks a reward, in a real browser (issue 15's acceptance): a Qinghai
company with a filed transfer institution buys a Beijing technology through a registered contract and could claim
the reward for introducing it; a visitor reports the institution for a behaviour 第二十七条 prohibits; the
department investigates and suspends the filing; the register shows the suspension and the company's claim page
now refuses the reward, saying why and under which article.

Debian's chromium through Playwright against a live server (fixtures: tests/web/conftest.py)."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from techmarket.accounts.roles import REGISTRARS, REVIEWERS
from techmarket.directory.models import Organisation, Region
from techmarket.ecosystem.models import Complaint, Sanction
from techmarket.ecosystem.services import institutions
from techmarket.market.models import RegistryStaff
from techmarket.market.services import payments
from techmarket.market.services import registration as reg
from techmarket.market.services.registries import provincial_registry
from tests.market.conftest import pdf_upload, record_contract
from tests.web.browsing import log_in, make_user, submit
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium
REWARD = "引进省外先进技术成果奖励"


def _setup():
    seller_org = Organisation.objects.create(name="北京先进储能技术有限公司", region=Region.objects.get(code="beijing"))
    buyer_org = Organisation.objects.create(name="格尔木盐湖新材料有限公司", region=Region.objects.get(code="haixi"))
    seller = make_user("sanction-seller", seller_org)
    buyer = make_user("sanction-buyer", buyer_org)
    reviewer = make_user("sanction-reviewer", None)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    make_user("sanction-reporter", None)
    registrar = make_user("sanction-registrar", None)
    registrar.groups.add(Group.objects.get(name=REGISTRARS))
    RegistryStaff.objects.create(user=registrar, registry=provincial_registry(), certificate_number="国科登字2026002")

    founded = timezone.localdate() - datetime.timedelta(days=20)
    filing = institutions.FilingInput(
        name="格尔木盐湖技术转移中心", kind="internal", founded_on=founded, services="技术转让与代理；技术咨询",
        business_years=Decimal(2), full_time_staff=6, managers_total=5, managers_college=4, st_staff=4,
        contact_phone="0979-8412345", cases=[("盐湖卤水提锂技术转让", pdf_upload("案例", name="案例.pdf"))])
    institution = institutions.approve(reviewer, institutions.file_institution(buyer, filing))

    contract = record_contract(seller, seller_org, buyer_org, title="盐湖提锂吸附剂技术转让", total="3000000",
                               technology="3000000", text="盐湖提锂吸附剂技术转让合同（签字盖章版）")
    registration = reg.submit(seller, contract, provincial_registry(), "北京技术市场管理办公室", "2026110100000009")
    reg.register(registrar, reg.accept(registrar, registration))
    payments.record_payment(buyer, contract, Decimal("1000000"), timezone.localdate() - datetime.timedelta(days=2),
                            pdf_upload("到账回单", name="到账回单.pdf"))
    return institution, contract


def test_a_complaint_leads_to_a_sanction_that_blocks_a_reward(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    institution, contract = _setup()
    base = live_server.url
    today = timezone.localdate()

    # Before: the company's claim page offers the reward.
    buyer = log_in(browser, base, "sanction-buyer")
    buyer.goto(base + contract.get_absolute_url())
    submit(buyer, "#claim-rewards")
    claim_url = buyer.url
    assert REWARD in buyer.locator("#claim-awards").inner_text() and buyer.locator("#claim-form").count() == 1

    # A visitor reports the institution from its public page.
    reporter = log_in(browser, base, "sanction-reporter")
    reporter.goto(base + institution.get_absolute_url())
    submit(reporter, "a:has-text('投诉举报')")
    assert "格尔木盐湖技术转移中心" in reporter.locator("#complaint-target").inner_text()
    reporter.select_option("#id_behaviour", "false-information")
    reporter.fill("#id_description", "该机构在平台发布的成功案例与事实不符。")
    submit(reporter, "#complaint-form button[type=submit]")
    complaint = Complaint.objects.get()
    assert reporter.locator("#complaint-status").inner_text() == "待调查"

    # The department investigates and suspends the filing from before the contract's registration.
    reviewer = log_in(browser, base, "sanction-reviewer")
    reviewer.goto(base + complaint.get_absolute_url())
    reviewer.select_option("#id_decision", "sanction")
    reviewer.select_option("#id_kind", "suspension")
    reviewer.fill("#id_starts_on", (today - datetime.timedelta(days=1)).isoformat())
    ends_on = today + datetime.timedelta(days=90)
    reviewer.fill("#id_ends_on", ends_on.isoformat())
    reviewer.fill("#id_reason", "经调查，成功案例材料虚假，暂停备案三个月。")
    submit(reviewer, "#decide-form button[type=submit]")
    assert reviewer.locator("#complaint-status").inner_text() == "已处理"
    sanction = Sanction.objects.get(complaint=complaint)
    assert sanction.institution == institution and sanction.article == "第二十七条"

    # The register shows it to everyone.
    visitor = browser.new_context().new_page()
    visitor.goto(base + institution.get_absolute_url())
    assert visitor.locator("#standing").inner_text() == f"暂停（至 {ends_on:%Y-%m-%d}）"
    assert "成功案例材料虚假" in visitor.locator("#sanctions").inner_text()

    # After: the company's claim page no longer offers the reward and says why.
    buyer.goto(claim_url)
    assert "没有可申请的奖补" in buyer.locator("#claim-awards").inner_text()
    assert buyer.locator("#claim-form").count() == 0
    refused = buyer.locator("table").inner_text()
    expected = (f"技术转移机构格尔木盐湖技术转移中心的备案于{today - datetime.timedelta(days=1):%Y-%m-%d}至"
                f"{ends_on:%Y-%m-%d}暂停（第二十七条），不予补助")
    assert expected in refused and REWARD in refused
