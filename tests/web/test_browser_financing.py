"""Financing needs in a real browser (issue 19's acceptance), on a phone's screen: an enterprise posts a loan need
and opens it to one bank; the bank records a product, sees the need matched to it with the enterprise's innovation
points, responds, records the loan; the loan turns bad and the page shows the 青信融 risk compensation the policy
engine computes from the recorded loan, with the rule's derivation; the enterprise sees the progress. A bank the
enterprise did not choose sees the aggregate only, and the need's page is hidden from it.

Debian's chromium through Playwright against a live server (fixtures: tests/web/conftest.py)."""

from techmarket.directory.models import Organisation, Region
from techmarket.enterprises.models import BadLoan, FinancingNeed
from techmarket.enterprises.services import checkups
from tests.enterprises.conftest import BOTTLENECKS, answers
from tests.web.browsing import log_in, make_user, submit
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}


def test_bank_matches_need_records_loan_and_bad_loan_compensation(browser, live_server):
    xining = Region.objects.get(code="xining")
    enterprise = Organisation.objects.create(name="格尔木盐湖锂业有限公司", region=Region.objects.get(code="haixi"),
                                             kind=Organisation.Kind.ENTERPRISE)
    bank = Organisation.objects.create(name="青海银行股份有限公司", region=xining,
                                       kind=Organisation.Kind.FINANCIAL_INSTITUTION)
    Organisation.objects.create(name="西宁农村商业银行", region=xining, kind=Organisation.Kind.FINANCIAL_INSTITUTION)
    member = make_user("financing-member", enterprise)
    make_user("financing-banker", bank)
    other = make_user("financing-other-banker", Organisation.objects.get(name="西宁农村商业银行"))
    checkups.complete(member, answers(), BOTTLENECKS)  # the innovation points' facts
    base = live_server.url

    # The enterprise posts a loan need and opens it to 青海银行 only.
    page = log_in(browser, base, "financing-member")
    page.set_viewport_size(PHONE)
    page.goto(base + "/enterprises/financing/")
    page.select_option("#id_kind", "loan")
    page.fill("#id_amount", "5000000")
    page.fill("#id_term_months", "36")
    page.fill("#id_use", "购置提锂吸附剂生产线设备")
    page.select_option("#id_security", "ip-pledge")
    page.fill("#id_security_note", "发明专利 3 件质押")
    page.select_option("#id_field", "salt-lake")
    page.select_option("#id_size", "small")
    page.check(f"#need-form input[name=share_with][value='{bank.pk}']")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    submit(page, "#need-form button[type=submit]")
    assert "已发布融资需求" in page.content()
    need = FinancingNeed.objects.get()
    assert list(need.shared_with.all()) == [bank]

    # The bank records a product and finds the need matched to it, with the enterprise's score.
    banker = log_in(browser, base, "financing-banker")
    banker.set_viewport_size(PHONE)
    banker.goto(base + "/enterprises/financing/")  # an institution lands on its desk
    assert "金融机构工作台" in banker.locator("h1").inner_text()
    banker.fill("#id_name", "科创知识产权质押贷")
    banker.select_option("#product-form #id_kind", "loan")
    banker.fill("#id_min_amount", "1000000")
    banker.fill("#id_max_amount", "10000000")
    banker.fill("#id_max_term_months", "60")
    submit(banker, "#product-form button[type=submit]")
    matched = banker.locator("#desk-matched").inner_text()
    assert "格尔木盐湖锂业有限公司" in matched and "科创知识产权质押贷" in matched
    submit(banker, "#desk-matched a")
    assert "创新积分" in banker.locator("#need-figures").inner_text()
    assert float(banker.locator("#need-score").inner_text()) > 0
    banker.select_option("#respond-form #id_status", "interested")
    banker.fill("#respond-form #id_message", "可提供知识产权质押贷款")
    submit(banker, "#respond-form button[type=submit]")
    assert "已回应" in banker.content()
    banker.fill("#outcome-form #id_amount", "4000000")
    banker.fill("#outcome-form #id_rate", "3.85")
    banker.fill("#outcome-form #id_term_months", "36")
    banker.fill("#outcome-form #id_granted_on", "2026-01-15")
    submit(banker, "#outcome-form button[type=submit]")
    assert "已记录放款/投资结果" in banker.content()
    assert "已获融资" in banker.locator("#need-status").inner_text()

    # The loan turns bad: the compensation is computed by the policy rule, with its derivation.
    banker.fill("#bad-loan-form #id_principal", "1000000")
    banker.fill("#bad-loan-form #id_recognised_on", "2026-06-30")
    assert banker.locator("#bad-loan-form button[type=submit]").bounding_box()["height"] >= 38
    submit(banker, "#bad-loan-form button[type=submit]")
    awards = banker.locator("#bad-loan-awards").inner_text()
    assert "¥300,000.00" in awards or "300,000.00" in awards
    assert "不良贷款本金余额" in awards and "30%" in awards and "默认取下限30%" in awards
    assert "借款人为科技型中小微企业" in banker.locator("#bad-loan-facts").inner_text()
    assert banker.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert BadLoan.objects.get().principal == 1000000

    # The enterprise sees the progress.
    page.goto(base + need.get_absolute_url())
    progress = page.locator("#need-progress").inner_text()
    assert "青海银行股份有限公司" in progress and "已放款" in progress and "3.85%" in progress

    # A bank not chosen: aggregates only, the need's page hidden.
    del other
    outsider = log_in(browser, base, "financing-other-banker")
    outsider.goto(base + "/enterprises/financing/desk/")
    assert "格尔木" not in outsider.locator("main").inner_text()
    assert outsider.goto(base + need.get_absolute_url()).status == 404
