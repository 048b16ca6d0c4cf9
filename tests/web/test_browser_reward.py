"""Contract → reward in a real browser (issue 14's acceptance): a contract registered on the platform; the buyer
records the payment received with its receipt, opens 我能获得什么 from the contract, and applies with the facts
taken from the records (there is nothing to change); a second application is refused; a reviewer records the
year's budget, checks the evidence and approves; the ledger and what remains of the budget move.

Debian's chromium through Playwright against a live server (fixtures: tests/web/conftest.py)."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from techmarket.accounts.roles import REGISTRARS
from techmarket.directory.models import Organisation, Region
from techmarket.market.models import RegistryStaff
from techmarket.market.services import registration as reg
from techmarket.market.services.registries import provincial_registry
from techmarket.policy.models import Application, LedgerEntry
from tests.market.conftest import record_contract
from tests.web.browsing import log_in, make_user, submit
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium


def test_registered_contract_to_approved_reward(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seller_org = Organisation.objects.create(name="北京先进储能技术有限公司", region=Region.objects.get(code="beijing"))
    buyer_org = Organisation.objects.create(name="格尔木盐湖新材料有限公司", region=Region.objects.get(code="haixi"))
    seller = make_user("reward-seller", seller_org)
    make_user("reward-buyer", buyer_org)
    make_user("reward-reviewer", None).groups.add(Group.objects.get(name="省科技厅审核员"))
    registrar = make_user("reward-registrar", None)
    registrar.groups.add(Group.objects.get(name=REGISTRARS))
    RegistryStaff.objects.create(user=registrar, registry=provincial_registry(), certificate_number="国科登字2026001")
    contract = record_contract(seller, seller_org, buyer_org, title="盐湖提锂吸附剂技术转让", total="3000000",
                               technology="3000000", text="盐湖提锂吸附剂技术转让合同（签字盖章版）")
    registration = reg.submit(seller, contract, provincial_registry(), "北京技术市场管理办公室", "2026110100000001")
    reg.register(registrar, reg.accept(registrar, registration))
    receipt = tmp_path / "到账回单.pdf"
    receipt.write_bytes(b"%PDF-1.4\n% bank receipt\n%%EOF\n")
    base = live_server.url
    year = timezone.localdate().year

    # The buyer records the first payment on the contract page, with the bank's receipt.
    buyer = log_in(browser, base, "reward-buyer")
    buyer.goto(base + contract.get_absolute_url())
    buyer.fill("#id_payment-amount", "1000000")
    buyer.fill("#id_payment-received_on", (timezone.localdate() - datetime.timedelta(days=3)).isoformat())
    buyer.set_input_files("#id_payment-file", str(receipt))
    submit(buyer, "#payment-form button[type=submit]")
    assert buyer.locator("#paid-total").inner_text() == "1,000,000.00"

    # 我能获得什么 from the contract: the facts are the records', shown, not editable.
    submit(buyer, "#claim-rewards")
    facts = buyer.locator("#claim-facts")
    assert "盐湖提锂吸附剂技术转让" in facts.inner_text() and "北京先进储能技术有限公司" in facts.inner_text()
    assert facts.locator("input, select, textarea").count() == 0
    assert "引进省外先进技术成果奖励" in buyer.content() and "¥200,000.00" in buyer.content()
    assert buyer.locator("#claim-form input[type=file]").count() == 0  # the records stand for every item
    claim_url = buyer.url
    submit(buyer, "#claim-form button[type=submit]")
    application = Application.objects.get()
    assert buyer.url.endswith(f"/policy/applications/{application.pk}/")
    assert "事实取自平台记录" in buyer.content() and "平台记录：" in buyer.locator("#application-facts").inner_text()
    assert application.event["amounts"]["paid"] == "1000000.00" and application.computed_total == Decimal("200000")

    # The same claim again is refused: the existing application is shown, no second one made.
    buyer.goto(claim_url)
    assert "此后没有新的到位金额" in buyer.content() and Application.objects.count() == 1

    # The reviewer records the year's budget, checks the evidence and approves.
    reviewer = log_in(browser, base, "reward-reviewer")
    reviewer.goto(base + "/policy/ledger/")
    reviewer.locator("#budget-entry summary").click()
    reviewer.select_option("#id_budget-programme", "open-cooperation-2025")
    reviewer.fill("#id_budget-year", str(year))
    reviewer.fill("#id_budget-amount", "5000000")
    reviewer.fill("#id_budget-source", "青海省科学技术厅年度预算下达文件（青科发〔2026〕1号）")
    submit(reviewer, "#budget-save")
    assert "已录入" in reviewer.content()
    reviewer.goto(base + f"/policy/applications/{application.pk}/")
    checklist = reviewer.locator("#evidence-checklist").inner_text()
    assert "技术合同认定登记证明" in checklist and "技术交易款实际到位凭证" in checklist and "缺失" not in checklist
    reviewer.check("#id_approve-evidence_checked")
    submit(reviewer, "form:has(input[value=approve]) button[type=submit]")
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert LedgerEntry.objects.get().amount == Decimal("200000.00")
    reviewer.goto(base + "/policy/ledger/")
    row = reviewer.locator(f"#ledger-year-{year}").inner_text()
    assert "¥5,000,000.00" in row and "¥200,000.00" in row and "¥4,800,000.00" in row
    assert get_user_model().objects.filter(username="reward-buyer").exists()
