"""One record per intent (issue 9): a form submitted twice, or the same request sent by several people at once,
makes one inquiry, one contract, one registration application; the later requests are shown the first record."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from techmarket.catalogue.models import Listing
from techmarket.common.audit import history_for
from techmarket.common.models import AuditEntry
from techmarket.directory.models import Organisation, Region
from techmarket.market.models import (
    Attachment,
    Contract,
    ContractParty,
    Inquiry,
    Message,
    Milestone,
    Registration,
)
from tests.market.concurrency import at_once, committed_db, postgres_only  # noqa: F401 (fixture)
from tests.market.conftest import pdf_upload
from tests.market.test_bounds import contract_form


def intent_of(page: str) -> str:
    return re.search(r'name="intent" value="([0-9a-f]+)"', page).group(1)


@pytest.mark.django_db
def test_a_contract_form_submitted_twice_records_one_contract(client, seller, seller_org, buyer_org):
    client.force_login(seller)
    intent = intent_of(client.get("/market/contracts/new/").content.decode())
    data = contract_form(seller_org, buyer_org, intent=intent)
    first = client.post("/market/contracts/new/", data)
    second = client.post("/market/contracts/new/", data, follow=True)
    contract = Contract.objects.get()
    assert first.status_code == 302 and first.url == f"/market/contracts/{contract.pk}/"
    assert second.redirect_chain == [(f"/market/contracts/{contract.pk}/", 302)]
    assert "已录入，未重复录入" in second.content.decode()
    assert AuditEntry.objects.filter(action="contract-created").count() == 1
    # A new form (a new key) is a new contract.
    intent = intent_of(client.get("/market/contracts/new/").content.decode())
    client.post("/market/contracts/new/", contract_form(seller_org, buyer_org, intent=intent, title="另一份合同"))
    assert Contract.objects.count() == 2


@pytest.mark.django_db
def test_a_registration_application_submitted_twice_is_made_once(client, seller, seller_org, buyer_org,
                                                                 make_contract, registry):
    contract = make_contract(seller, seller_org, buyer_org)
    client.force_login(seller)
    data = {"registry": registry("xining").pk}
    first = client.post(f"/market/contracts/{contract.pk}/register/", data)
    second = client.post(f"/market/contracts/{contract.pk}/register/", data, follow=True)
    registration = Registration.objects.get()
    assert first.status_code == 302 and first.url == f"/market/registrations/{registration.pk}/"
    assert second.redirect_chain == [(f"/market/registrations/{registration.pk}/", 302)]
    assert "未重复提交" in second.content.decode()
    assert AuditEntry.objects.filter(action="submit").count() == 1


@pytest.mark.django_db
def test_an_inquiry_opened_twice_is_one_inquiry_with_one_message(client, buyer):
    offer = Listing.objects.filter(kind=Listing.Kind.OFFER, status=Listing.Status.PUBLISHED).first()
    client.force_login(buyer)
    for _ in range(2):
        response = client.post(f"/market/inquire/{offer.reference}/", {"message": "希望受让该技术。"})
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response.url == f"/market/inquiries/{inquiry.pk}/"
    assert list(inquiry.messages.values_list("body", flat=True)) == ["希望受让该技术。"]
    client.post(f"/market/inquiries/{inquiry.pk}/message/", {"body": "请报价。"})
    client.post(f"/market/inquiries/{inquiry.pk}/message/", {"body": "请报价。"})
    assert inquiry.messages.count() == 2


@postgres_only()
def test_concurrent_requests_make_one_inquiry_one_contract_one_application(committed_db, tmp_path, settings):  # noqa: F811 (the fixture)
    settings.MEDIA_ROOT = tmp_path
    User = get_user_model()
    xining = Region.objects.get(code="xining")
    seller_org = Organisation.objects.create(name="并发测试高原新材料有限公司", kind="enterprise", region=xining)
    buyer_org = Organisation.objects.create(name="并发测试盐湖化工有限公司", kind="enterprise",
                                            region=Region.objects.get(code="haixi"))
    seller = User.objects.create_user(username="concurrent-seller", password="x", is_verified=True,
                                      organisation=seller_org)
    buyer = User.objects.create_user(username="concurrent-buyer", password="x", is_verified=True,
                                     organisation=buyer_org)
    offer = Listing.objects.filter(kind=Listing.Kind.OFFER, status=Listing.Status.PUBLISHED).first()
    offer_status = offer.status

    def clients(user, count):
        result = []
        for _ in range(count):
            client = Client()
            client.force_login(user)
            result.append(client)
        return result

    try:
        buyers = clients(buyer, 8)
        results = at_once(8, lambda i: buyers[i].post(f"/market/inquire/{offer.reference}/",
                                                       {"message": "希望受让该技术。"}).status_code)
        inquiry = Inquiry.objects.get(organisation=buyer_org)
        assert results == [302] * 8 and inquiry.messages.count() == 1

        sellers = clients(seller, 8)
        intent = intent_of(sellers[0].get("/market/contracts/new/").content.decode())
        data = contract_form(seller_org, buyer_org, intent=intent)
        results = at_once(8, lambda i: sellers[i].post("/market/contracts/new/", data))
        contract = Contract.objects.get(created_by=seller)
        assert [(r.status_code, r.url) for r in results] == [(302, f"/market/contracts/{contract.pk}/")] * 8

        sellers[0].post(f"/market/contracts/{contract.pk}/upload/",
                        {"file": pdf_upload("concurrent"), "kind": "contract-text"})
        registry_id = Registration._meta.get_field("registry").related_model.objects.get(code="xining").pk
        results = at_once(8, lambda i: sellers[i].post(f"/market/contracts/{contract.pk}/register/",
                                                        {"registry": registry_id}))
        registration = Registration.objects.get(contract=contract)
        assert [(r.status_code, r.url) for r in results] == [
            (302, f"/market/registrations/{registration.pk}/")] * 8
        assert history_for(registration).count() == 1
    finally:
        contracts = Contract.objects.filter(created_by__in=[seller, buyer])
        history_for(Registration.objects.filter(contract__in=contracts)).delete()
        Registration.objects.filter(contract__in=contracts).delete()
        history_for(contracts).delete()
        Attachment.objects.filter(contract__in=contracts).delete()
        Milestone.objects.filter(contract__in=contracts).delete()
        ContractParty.objects.filter(contract__in=contracts).delete()
        contracts.delete()
        inquiries = Inquiry.objects.filter(organisation=buyer_org)
        history_for(inquiries).delete()
        Message.objects.filter(inquiry__in=inquiries).delete()
        inquiries.delete()
        Listing.objects.filter(pk=offer.pk).update(status=offer_status)
        seller.delete()
        buyer.delete()
        seller_org.delete()
        buyer_org.delete()
