"""The pages, through Django's test client: a deal from a published offer to a registered contract, and what
each user may see and do."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.catalogue.models import Listing
from techmarket.market.models import Contract, Inquiry, Registration
from tests.market.conftest import pdf_upload

OFFER = "innovation/hightech/1"  # a published offer of 青海大学


@pytest.fixture
def offer(db):
    listing = Listing.objects.get(reference=OFFER)
    assert listing.kind == Listing.Kind.OFFER and listing.status == Listing.Status.PUBLISHED
    assert listing.owner.name == "青海大学"
    return listing


def contract_post(contract_type="transfer", **overrides):
    data = {
        "title": "高原光伏组件清洗机器人技术转让", "contract_type": contract_type, "signed_on": "2026-10-20",
        "total_amount": "600000", "technology_amount": "500000", "field": "", "summary": "专利权转让",
        "parties-TOTAL_FORMS": "3", "parties-INITIAL_FORMS": "2", "parties-MIN_NUM_FORMS": "2",
        "parties-MAX_NUM_FORMS": "10",
        "parties-0-organisation": "青海大学", "parties-0-role": "transferor", "parties-0-location": "",
        "parties-1-organisation": "格尔木盐湖化工有限公司", "parties-1-role": "transferee", "parties-1-location": "",
        "parties-2-organisation": "", "parties-2-role": "", "parties-2-location": "",
        "milestones-TOTAL_FORMS": "2", "milestones-INITIAL_FORMS": "0", "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "30",
        "milestones-0-kind": "payment", "milestones-0-description": "签约后付款", "milestones-0-amount": "300000",
        "milestones-0-due_on": "2026-11-30",
        "milestones-1-kind": "", "milestones-1-description": "", "milestones-1-amount": "", "milestones-1-due_on": "",
    }
    data.update(overrides)
    return data


def test_deal_from_offer_to_registered_contract(client, offer, member, buyer, provincial_registrar):
    # The buyer finds the offer and opens an inquiry.
    client.force_login(buyer)
    page = client.get(offer.get_absolute_url()).content.decode()
    assert "我有意向 · 发起洽谈" in page and f"/market/inquire/{OFFER}/" in page
    response = client.post(f"/market/inquire/{OFFER}/", {"message": "我司希望受让该技术，请报价。"})
    inquiry = Inquiry.objects.get(listing=offer)
    assert response.status_code == 302 and response.url == f"/market/inquiries/{inquiry.pk}/"
    assert client.get(offer.get_absolute_url()).content.decode().count("查看洽谈") == 1
    client.post(f"/market/inquiries/{inquiry.pk}/agreement/", {
        "contract_type": "transfer", "amount": "600000", "terms": "专利权转让，价款60万元，分两期支付。"})
    # The seller (青海大学) replies, shares a document and confirms the agreement.
    client.force_login(member)
    page = client.get(f"/market/inquiries/{inquiry.pk}/").content.decode()
    assert "我司希望受让该技术" in page and "确认协议" in page
    client.post(f"/market/inquiries/{inquiry.pk}/message/", {"body": "可以，价款60万元。"})
    client.post(f"/market/inquiries/{inquiry.pk}/upload/", {"file": pdf_upload("专利证书")})
    agreement = inquiry.agreements.get()
    client.post(f"/market/agreements/{agreement.pk}/answer/", {"accept": "1", "answer": "同意"})
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.AGREED
    # The contract, prefilled from the inquiry.
    form = client.get(f"/market/inquiries/{inquiry.pk}/contract/").content.decode()
    assert 'value="青海大学"' in form and 'value="格尔木盐湖化工有限公司"' in form
    response = client.post(f"/market/inquiries/{inquiry.pk}/contract/", contract_post())
    contract = Contract.objects.get(inquiry=inquiry)
    assert response.status_code == 302 and response.url == f"/market/contracts/{contract.pk}/"
    assert contract.made_on_platform and list(contract.listings.all()) == [offer]
    assert contract.field_id == offer.field_id
    client.post(f"/market/contracts/{contract.pk}/upload/", {"file": pdf_upload("signed"), "kind": "contract-text"})
    page = client.get(f"/market/contracts/{contract.pk}/").content.decode()
    assert "经平台成交" in page and "申请认定登记" in page
    form = client.get(f"/market/contracts/{contract.pk}/register/").content.decode()
    assert "青海省技术合同登记机构（省级）" in form and "西宁市技术合同登记机构" not in form
    registry_id = re.search(r'<option value="(\d+)"', form).group(1)
    response = client.post(f"/market/contracts/{contract.pk}/register/", {"registry": registry_id})
    registration = Registration.objects.get(contract=contract)
    assert response.url == f"/market/registrations/{registration.pk}/"
    # The registry's staff accept and register it.
    client.force_login(provincial_registrar)
    queue = client.get("/market/registry/").content.decode()
    assert "高原光伏组件清洗机器人技术转让" in queue
    client.post(f"/market/registrations/{registration.pk}/accept/", {"accept-reason": ""})
    client.post(f"/market/registrations/{registration.pk}/register/", {"register-technology_amount": "",
                                                                         "register-reason": "符合认定条件"})
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED and registration.number.startswith("6300")
    # Both parties download the certificate.
    for user in (member, buyer):
        client.force_login(user)
        response = client.get(f"/market/registrations/{registration.pk}/certificate.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert response["Content-Disposition"].startswith('inline; filename="technology-contract-')
        assert "filename*=UTF-8''%E6%8A%80%E6%9C%AF%E5%90%88%E5%90%8C" in response["Content-Disposition"]
        page = client.get("/market/").content.decode()
        assert registration.label in page


def test_the_button_for_each_kind_of_visitor(client, offer, member, unverified, outsider):
    assert "登录并通过实名核验后可发起技术交易洽谈" in client.get(offer.get_absolute_url()).content.decode()
    client.force_login(member)  # the owner's member sees no button
    assert "发起洽谈" not in client.get(offer.get_absolute_url()).content.decode()
    client.force_login(outsider)
    assert "只有已实名核验并关联单位的用户可以代表单位洽谈" in client.get(offer.get_absolute_url()).content.decode()
    response = client.post(f"/market/inquire/{OFFER}/", {"message": "想合作"})
    assert response.status_code == 403 and not Inquiry.objects.exists()


def test_inquiry_is_private_to_its_sides(client, offer, buyer, outsider, make_user, qinghai_university):
    client.force_login(buyer)
    client.post(f"/market/inquire/{OFFER}/", {"message": "有意受让。"})
    inquiry = Inquiry.objects.get()
    client.force_login(outsider)
    assert client.get(f"/market/inquiries/{inquiry.pk}/").status_code == 404
    assert client.post(f"/market/inquiries/{inquiry.pk}/message/", {"body": "插话"}).status_code == 404
    assert inquiry.messages.count() == 1


def test_upload_refused_by_content(client, offer, buyer):
    client.force_login(buyer)
    client.post(f"/market/inquire/{OFFER}/", {"message": "有意受让。"})
    inquiry = Inquiry.objects.get()
    fake = SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(f"/market/inquiries/{inquiry.pk}/upload/", {"file": fake}, follow=True)
    assert "不支持的文件类型" in response.content.decode()
    assert not inquiry.attachments.exists()


def test_a_party_that_may_not_register_gets_a_clear_refusal(client, make_contract, seller, buyer, seller_org,
                                                            buyer_org, registry):
    contract = make_contract(seller, seller_org, buyer_org)
    client.force_login(buyer)
    page = client.get(f"/market/contracts/{contract.pk}/").content.decode()
    assert "申请认定登记" not in page.split("认定登记</div>")[0]
    response = client.post(f"/market/contracts/{contract.pk}/register/", {"registry": registry("haixi").pk})
    assert response.status_code == 403
    assert "技术转让合同由让与方申请登记；贵单位在本合同中为受让方，不能申请登记。" in response.content.decode()
    assert not Registration.objects.exists()


def test_staff_of_another_registry_are_refused(client, make_contract, seller, seller_org, buyer_org, registry,
                                               make_registrar):
    from techmarket.market.services import registration as reg

    registration = reg.submit(seller, make_contract(seller, seller_org, buyer_org), registry("xining"))
    haixi = make_registrar("haixi-registrar", "haixi")
    client.force_login(haixi)
    assert client.get(f"/market/registrations/{registration.pk}/").status_code == 404
    assert client.post(f"/market/registrations/{registration.pk}/accept/", {}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.SUBMITTED


def test_registry_queue_shows_overdue(client, make_contract, seller, seller_org, buyer_org, registry,
                                      xining_registrar):
    import datetime

    from django.utils import timezone

    from techmarket.market.services import registration as reg

    registration = reg.submit(seller, make_contract(seller, seller_org, buyer_org), registry("xining"))
    Registration.objects.filter(pk=registration.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(xining_registrar)
    page = client.get("/market/registry/").content.decode()
    assert "table-danger" in page and "逾期 1 件" in page
    page = client.get(f"/market/registrations/{registration.pk}/").content.decode()
    assert "逾期 2 日" in page


def test_registry_queue_is_for_staff(client, member):
    client.force_login(member)
    assert client.get("/market/registry/").status_code == 403


def test_statistics_page_and_export(client, make_contract, seller, seller_org, buyer_org, registry,
                                    xining_registrar):
    from io import BytesIO

    from openpyxl import load_workbook

    from techmarket.market.services import registration as reg

    reg.register(xining_registrar, reg.accept(xining_registrar, reg.submit(
        seller, make_contract(seller, seller_org, buyer_org), registry("xining"))))
    page = client.get("/market/statistics/").content.decode()
    assert 'id="stat-count">1<' in page and "800,000.00" in page
    assert "西宁高原新材料科技有限公司" not in page
    response = client.get("/market/statistics.xlsx?contract_type=transfer")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    summary = dict(load_workbook(BytesIO(response.content))["汇总"].iter_rows(min_row=2, values_only=True))
    assert summary["合同数"] == 1 and summary["合同类型"] == "技术转让合同"
    # Its file name in Chinese (RFC 5987), with an ASCII fallback.
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''%E6%8A%80%E6%9C%AF%E5%90%88%E5%90%8C%E7%BB%9F%E8%AE%A1-" in disposition  # 技术合同统计-
    assert 'filename="technology-contract-statistics-' in disposition


def test_registry_staff_get_no_hint_meant_for_members(client, xining_registrar, outsider):
    client.force_login(xining_registrar)
    page = client.get("/market/").content.decode()
    assert "登记工作台" in page and "实名核验并关联单位后" not in page
    client.force_login(outsider)
    assert "实名核验并关联单位后" in client.get("/market/").content.decode()


def test_nav_item_for_logged_in_users(client, outsider):
    # Visitors see 技术交易 too (its statistics, and log-in to deal): tests/web/test_navigation.py.
    assert 'href="/market/">我的洽谈与合同<' not in client.get("/").content.decode()
    client.force_login(outsider)
    assert 'href="/market/">我的洽谈与合同<' in client.get("/").content.decode()
