"""Removing a wrong contract document in a real browser (issue 13, point 1): the registering party uploaded another
contract's PDF before the right one, so the application is refused as a duplicate; it removes the wrong PDF from
the contract's page (the page asks to confirm), sees it confirmed, and the application then goes through.

Debian's chromium through Playwright against a live server, with the module-scoped `seed` fixture and the
`browser` fixture of tests/web/conftest.py (the seed is imported again after the transactional test's flush).
"""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.accounts.roles import REGISTRARS
from techmarket.common.models import AuditEntry
from techmarket.directory.models import Organisation, Region
from techmarket.market.models import Registration, Registry, RegistryStaff
from techmarket.market.services import contracts, deals
from techmarket.market.services import registration as reg
from techmarket.market.services.contracts import ContractInput, PartyInput
from tests.web.browsing import log_in, make_user, submit
from tests.web.conftest import browser, needs_chromium, seed  # noqa: F401 (fixtures)

pytestmark = needs_chromium


def pdf(text: str, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f"%PDF-1.4\n% {text}\n%%EOF\n".encode(), content_type="application/pdf")




def record(seller, seller_org, buyer_org, title: str, total: str, signed_on: datetime.date):
    return contracts.create_contract(seller, ContractInput(
        title=title, contract_type="transfer", signed_on=signed_on, total_amount=Decimal(total),
        technology_amount=Decimal(total), parties=[PartyInput(seller_org, "transferor"),
                                                   PartyInput(buyer_org, "transferee")]))






def test_remove_a_wrong_document_through_the_page(browser, live_server, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    region = Region.objects.get
    seller_org = Organisation.objects.create(name="西宁高原新材料科技有限公司", region=region(code="xining"))
    buyer_org = Organisation.objects.create(name="格尔木盐湖化工有限公司", region=region(code="haixi"))
    seller = make_user("documents-seller", seller_org)
    registrar = make_user("documents-registrar", None)
    registrar.groups.add(Group.objects.get(name=REGISTRARS))
    xining = Registry.objects.get(code="xining")
    RegistryStaff.objects.create(user=registrar, registry=xining, certificate_number="国科登字2026001")

    # Last year's contract, registered with its text.
    last_year = record(seller, seller_org, buyer_org, "去年的技术转让合同", "500000", datetime.date(2025, 5, 1))
    deals.store_attachment(seller, pdf("去年的合同文本", "去年的合同.pdf"), contract=last_year, kind="contract-text")
    reg.register(registrar, reg.accept(registrar, reg.submit(seller, last_year, xining)))
    # This year's contract: last year's PDF uploaded by mistake, then the right one.
    contract = record(seller, seller_org, buyer_org, "盐湖提锂吸附剂技术转让", "1200000", datetime.date(2026, 3, 1))
    wrong = deals.store_attachment(seller, pdf("去年的合同文本", "去年的合同.pdf"), contract=contract,
                                   kind="contract-text")
    deals.store_attachment(seller, pdf("今年的合同文本", "技术转让合同（签字版）.pdf"), contract=contract,
                           kind="contract-text")
    base = live_server.url

    page = log_in(browser, base, "documents-seller")
    page.goto(base + contract.get_absolute_url())
    submit(page, "#apply-registration")
    submit(page, "#submit-registration")
    assert "合同文本完全相同" in page.locator("#registration-form .alert-danger").inner_text()

    # Back on the contract's page, the party removes the wrong PDF: 移除 opens the confirmation.
    page.goto(base + contract.get_absolute_url())
    row = page.locator(f'#current-documents li.document[data-document="{wrong.pk}"]')
    confirm = row.locator(".document-remove button[type=submit]")
    assert not confirm.is_visible()
    row.locator(".document-remove summary").click()
    confirm.wait_for(state="visible")
    row.locator(".document-remove input[name=reason]").fill("误传了去年的合同")
    with page.expect_navigation():
        confirm.click()
    assert page.url == base + contract.get_absolute_url()
    assert "已移除“去年的合同.pdf”（合同文本）" in page.locator(".alert-success").inner_text()
    current = page.locator("#current-documents").inner_text()
    assert "去年的合同.pdf" not in current and "技术转让合同（签字版）.pdf" in current
    page.locator("#withdrawn-documents summary").click()
    assert "去年的合同.pdf" in page.locator("#withdrawn-documents").inner_text()
    assert "移除附件" in page.locator("#deal-history").inner_text()
    entry = AuditEntry.objects.get(action="document-withdrawn")
    assert entry.actor == seller and "去年的合同.pdf" in entry.reason

    # The application now goes through.
    submit(page, "#apply-registration")
    submit(page, "#submit-registration")
    assert page.locator("#registration-status").inner_text() == "已提交"
    registration = Registration.objects.get(contract=contract)
    assert page.url == base + registration.get_absolute_url()
    documents = page.locator("#registration-documents").inner_text()
    assert "技术转让合同（签字版）.pdf" in documents and "去年的合同.pdf" not in documents
