"""Amounts, dates and text within bounds, through the pages (issue 9): an amount beyond ¥100,000,000,000.00, a
contract signed on 0001-01-01 or a name with a right-to-left override is refused with a message naming the limit;
the largest accepted amount reads back exactly, and every page that shows it still answers 200."""

import re
from decimal import Decimal

import pytest

from techmarket.catalogue.models import Listing
from techmarket.market.models import Contract, Inquiry, Registration
from techmarket.market.services import registration as reg
from tests.market.conftest import pdf_upload

MAX = "100000000000.00"
TOO_MUCH = "99999999999999.99"


def contract_form(seller_org, buyer_org, **overrides) -> dict:
    data = {
        "title": "盐湖提锂吸附剂技术转让", "contract_type": "transfer", "signed_on": "2026-03-01",
        "total_amount": "1000000", "technology_amount": "800000", "field": "", "summary": "",
        "intent": "",
        "parties-TOTAL_FORMS": "2", "parties-INITIAL_FORMS": "0", "parties-MIN_NUM_FORMS": "2",
        "parties-MAX_NUM_FORMS": "10",
        "parties-0-organisation": seller_org.name, "parties-0-role": "transferor", "parties-0-location": "",
        "parties-1-organisation": buyer_org.name, "parties-1-role": "transferee", "parties-1-location": "",
        "milestones-TOTAL_FORMS": "1", "milestones-INITIAL_FORMS": "0", "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "30",
        "milestones-0-kind": "payment", "milestones-0-description": "首付款", "milestones-0-amount": "500000",
        "milestones-0-due_on": "2026-06-30",
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("field", ["total_amount", "technology_amount", "milestones-0-amount"])
def test_an_amount_beyond_the_limit_is_refused_by_the_contract_form(client, seller, seller_org, buyer_org, field):
    client.force_login(seller)
    overrides = {field: TOO_MUCH}
    if field == "technology_amount":
        overrides["total_amount"] = TOO_MUCH
    response = client.post("/market/contracts/new/", contract_form(seller_org, buyer_org, **overrides))
    assert response.status_code == 200
    assert "1000 亿元（100,000,000,000.00 元）" in text(response)
    assert not Contract.objects.exists()


def test_a_contract_signed_on_0001_01_01_is_refused(client, seller, seller_org, buyer_org):
    client.force_login(seller)
    response = client.post("/market/contracts/new/", contract_form(seller_org, buyer_org, signed_on="0001-01-01"))
    assert response.status_code == 200 and "1985 年 1 月 1 日" in text(response)
    response = client.post("/market/contracts/new/", contract_form(seller_org, buyer_org, signed_on="2099-01-01"))
    assert response.status_code == 200 and "不能晚于今天" in text(response)
    assert not Contract.objects.exists()


def test_right_to_left_override_in_a_title_is_refused(client, seller, seller_org, buyer_org):
    client.force_login(seller)
    response = client.post("/market/contracts/new/",
                           contract_form(seller_org, buyer_org, title="技术转让\u202e同合"))
    assert response.status_code == 200 and "控制字符" in text(response)
    assert not Contract.objects.exists()


@pytest.fixture
def registered_at_the_limit(client, seller, seller_org, buyer_org, xining_registrar, registry):
    """A contract of ¥100,000,000,000.00 recorded through the page, registered at that amount."""
    client.force_login(seller)
    response = client.post("/market/contracts/new/", contract_form(
        seller_org, buyer_org, total_amount=MAX, technology_amount=MAX, **{"milestones-0-amount": MAX}))
    contract = Contract.objects.get()
    assert response.status_code == 302 and response.url == f"/market/contracts/{contract.pk}/"
    client.post(f"/market/contracts/{contract.pk}/upload/", {"file": pdf_upload("max"), "kind": "contract-text"})
    registration = reg.submit(seller, contract, registry("xining"))
    reg.accept(xining_registrar, registration)
    client.force_login(xining_registrar)
    response = client.post(f"/market/registrations/{registration.pk}/register/",
                           {"register-technology_amount": MAX, "register-reason": ""})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    return registration


def test_the_largest_amount_reads_back_exactly_and_every_page_renders(client, registered_at_the_limit, seller,
                                                                       buyer, xining_registrar):
    registration = registered_at_the_limit
    contract = Contract.objects.get()
    assert contract.total_amount == contract.technology_amount == Decimal(MAX)
    assert contract.milestones.get().amount == Decimal(MAX)
    assert Registration.objects.get().technology_amount == Decimal(MAX)
    # An inquiry whose agreement proposes the largest amount.
    offer = Listing.objects.filter(kind=Listing.Kind.OFFER, status=Listing.Status.PUBLISHED).first()
    client.force_login(buyer)
    client.post(f"/market/inquire/{offer.reference}/", {"message": "希望洽谈"})
    inquiry = Inquiry.objects.get()
    response = client.post(f"/market/inquiries/{inquiry.pk}/agreement/",
                           {"contract_type": "transfer", "amount": MAX, "terms": "价款一千亿元"})
    assert response.status_code == 302 and inquiry.agreements.get().amount == Decimal(MAX)
    response = client.post(f"/market/inquiries/{inquiry.pk}/agreement/",
                           {"contract_type": "transfer", "amount": TOO_MUCH, "terms": "价款过大"})
    assert inquiry.agreements.count() == 1

    for user, urls in (
        (None, ["/market/statistics/", "/market/statistics.xlsx", "/api/market/statistics", "/indicators/",
                "/api/indicators"]),
        (seller, ["/market/", f"/market/contracts/{contract.pk}/", f"/market/registrations/{registration.pk}/",
                  "/api/market/contracts", f"/api/market/registrations/{registration.pk}"]),
        (buyer, [f"/market/inquiries/{inquiry.pk}/", "/market/"]),
        (xining_registrar, ["/market/registry/", f"/market/registrations/{registration.pk}/"]),
    ):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
    client.logout()
    statistics = client.get("/api/market/statistics").json()
    assert statistics["amount"] == MAX and statistics["total_amount"] == MAX
    assert "100,000,000,000.00" in text(client.get("/market/statistics/"))


def test_a_registration_change_beyond_the_limit_is_refused(client, registered_at_the_limit, xining_registrar):
    registration = registered_at_the_limit
    client.force_login(xining_registrar)
    response = client.post(f"/market/registrations/{registration.pk}/change/", {
        "change-title": "", "change-total_amount": TOO_MUCH, "change-technology_amount": "",
        "change-reason": "合同金额变更"})
    assert "1000 亿元" in text(client.get(response.url) if response.status_code == 302 else response)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    assert Contract.objects.get().total_amount == Decimal(MAX)
    assert client.get("/market/statistics/").status_code == 200


def test_a_registered_amount_beyond_the_limit_is_refused(client, seller, seller_org, buyer_org, make_contract,
                                                         xining_registrar, registry):
    contract = make_contract(seller, seller_org, buyer_org)
    registration = reg.submit(seller, contract, registry("xining"))
    reg.accept(xining_registrar, registration)
    client.force_login(xining_registrar)
    response = client.post(f"/market/registrations/{registration.pk}/register/",
                           {"register-technology_amount": TOO_MUCH, "register-reason": ""})
    page = text(client.get(response.url)) if response.status_code == 302 else text(response)
    assert "1000 亿元" in page
    registration.refresh_from_db()
    assert registration.status == Registration.Status.ACCEPTED and registration.technology_amount is None


def test_the_limit_is_also_a_database_constraint(seller, seller_org, buyer_org, make_contract):
    from django.db import IntegrityError, transaction

    contract = make_contract(seller, seller_org, buyer_org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(total_amount=Decimal("100000000000.01"),
                                                       technology_amount=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(signed_on="1984-12-31")
    contract.refresh_from_db()
    assert contract.total_amount == Decimal("1000000.00")


def test_the_statistics_filter_refuses_a_date_before_1985(client, db):
    response = client.get("/market/statistics/", {"start": "0001-01-01"})
    assert response.status_code == 200 and "1985" in text(response)
    assert re.search(r"日期须在 1985 年 1 月 1 日之后", text(response))


def test_the_statistics_api_refuses_a_date_before_1985_with_json(client, db):
    response = client.get("/api/market/statistics", {"start": "0001-01-01"})
    assert 400 <= response.status_code < 500 and response["Content-Type"].startswith("application/json")
    assert "1985" in response.content.decode()
