"""A deal in a real browser, from a published offer to a registered contract: the buyer opens an inquiry, the
seller replies, they record an agreement, the seller (the registering party of a transfer) records the contract and
applies, a registry's staff member registers it, and the certificate PDF opens.

Debian's chromium through Playwright against a live server, with the module-scoped `seed` fixture and the
`browser` fixture of tests/web/conftest.py (the seed is imported again after the transactional test's flush).
"""

import shutil
import subprocess

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from techmarket.accounts.roles import REGISTRARS
from techmarket.catalogue.models import Listing
from techmarket.directory.models import Organisation, Region
from techmarket.market.models import Contract, Registration, RegistryStaff
from techmarket.market.services.registries import provincial_registry
from tests.web.browsing import log_in, make_user, submit
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium

OFFER = "innovation/hightech/1"  # a published offer of 青海大学








def test_offer_to_registered_contract(browser, live_server, settings, tmp_path):
    # (live_server alone does not pull it in before): run alone, `seed` would otherwise query the default database.
    settings.MEDIA_ROOT = tmp_path / "media"
    offer = Listing.objects.get(reference=OFFER)
    assert offer.kind == Listing.Kind.OFFER and offer.status == Listing.Status.PUBLISHED
    buyer_org = Organisation.objects.create(name="格尔木高原储能科技有限公司", region=Region.objects.get(code="haixi"))
    make_user("deal-seller", offer.owner)
    make_user("deal-buyer", buyer_org)
    make_user("deal-registrar", None)
    registrar = get_user_model().objects.get(username="deal-registrar")
    registrar.groups.add(Group.objects.get(name=REGISTRARS))
    RegistryStaff.objects.create(user=registrar, registry=provincial_registry(), certificate_number="国科登字2026001")
    base = live_server.url

    # The buyer opens an inquiry from the offer's page.
    buyer = log_in(browser, base, "deal-buyer")
    buyer.goto(base + offer.get_absolute_url())
    submit(buyer, "#open-inquiry")
    buyer.fill("#id_message", "我司拟受让该技术用于储能项目，请告知转让条件。")
    submit(buyer, "#inquiry-form button[type=submit]")
    assert "/market/inquiries/" in buyer.url
    inquiry_url = buyer.url

    # The seller replies.
    seller = log_in(browser, base, "deal-seller")
    seller.goto(inquiry_url)
    assert "我司拟受让该技术" in seller.content()
    seller.fill("#message-form textarea", "可以转让，专利权转让价款 60 万元。")
    submit(seller, "#message-form button[type=submit]")

    # The buyer records the agreement, the seller confirms it.
    buyer.reload()
    assert "专利权转让价款 60 万元" in buyer.content()
    buyer.select_option("#agreement-form select[name=contract_type]", "transfer")
    buyer.fill("#agreement-form input[name=amount]", "600000")
    buyer.fill("#agreement-form textarea[name=terms]", "专利权转让，价款 60 万元，签约后付 30 万元，交付后付 30 万元。")
    submit(buyer, "#agreement-form button[type=submit]")
    seller.reload()
    submit(seller, "#answer-form button[name=accept]")
    assert "已达成协议" in seller.locator("#inquiry-status").inner_text()

    # The seller records the contract (prefilled from the agreement) and its text.
    submit(seller, "#create-contract")
    assert seller.locator("#id_parties-0-organisation").input_value() == offer.owner.name
    assert seller.locator("#id_parties-1-organisation").input_value() == buyer_org.name
    assert seller.locator("#id_contract_type").input_value() == "transfer"
    seller.fill("#id_signed_on", timezone.localdate().isoformat())
    seller.fill("#id_technology_amount", "550000")
    seller.select_option("#id_milestones-0-kind", "payment")
    seller.fill("#id_milestones-0-description", "签约后付款")
    seller.fill("#id_milestones-0-amount", "300000")
    submit(seller, "#save-contract")
    assert "/market/contracts/" in seller.url, seller.locator(".alert-danger").all_inner_texts()
    assert "经平台成交" in seller.locator("#made-on-platform").inner_text()
    seller.set_input_files("#contract-upload-form input[type=file]", files=[{
        "name": "技术转让合同.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% signed contract\n%%EOF\n"}])
    submit(seller, "#contract-upload-form button[type=submit]")
    assert "技术转让合同.pdf" in seller.locator("#attachments").inner_text()

    # The seller, the transferor, applies to the registry of its locality.
    submit(seller, "#apply-registration")
    assert seller.locator("#id_registry option").all_inner_texts() == ["青海省技术合同登记机构（省级）"]
    submit(seller, "#submit-registration")
    assert "/market/registrations/" in seller.url
    assert seller.locator("#registration-status").inner_text() == "已提交"
    registration_url = seller.url

    # The registry's staff member finds it in the queue, accepts and registers it.
    staff = log_in(browser, base, "deal-registrar")
    staff.goto(base + "/market/registry/")
    submit(staff, "#registry-queue a[href*='/market/registrations/']")
    assert staff.url == registration_url
    submit(staff, "#action-accept button[type=submit]")
    assert staff.locator("#registration-status").inner_text() == "已受理"
    submit(staff, "#action-register button[type=submit]")
    assert staff.locator("#registration-status").inner_text() == "已登记"
    number = staff.locator("#registration-number").inner_text()
    registration = Registration.objects.get(number=number)
    assert registration.contract == Contract.objects.get(inquiry__listing=offer)
    assert registration.technology_amount == 550000

    # Both parties open the certificate.
    seller.goto(registration_url)
    href = seller.locator("#certificate-link").get_attribute("href")
    response = seller.request.get(base + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF") and number.encode() in pdf
    if shutil.which("pdftotext"):
        path = tmp_path / "certificate.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "技术合同认定登记证明" in text and number in text and "格尔木高原储能科技有限公司" in text
    assert buyer.request.get(base + href).headers["content-type"] == "application/pdf"
