"""我的工作台 (/my/): each role sees what awaits it and what it owns, and not other roles' or organisations'
items; the counts at the top are the sections' totals; anonymous visitors are sent to log in."""

import re

import pytest
from django.urls import reverse

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services.listings import review_queue_listings
from techmarket.common import notifications
from techmarket.market.services import deals
from techmarket.market.services import registration as reg
from techmarket.matching.services import intents
from tests.market.conftest import (  # noqa: F401  (fixtures)
    buyer,
    buyer_org,
    make_contract,
    make_registrar,
    media_root,
    org,
    region,
    registry,
    seller,
    seller_org,
    xining_registrar,
)
from tests.policy.evidence import decide_checked, submit_with_evidence

pytestmark = pytest.mark.django_db

WORKSPACE = "/my/"
S = Listing.Status
DEMAND = "innovation/agriculture/2"  # a published demand of 青海省农林科学院 (tests/matching/test_intents.py)


def page(client) -> str:
    response = client.get(WORKSPACE)
    assert response.status_code == 200
    return response.content.decode()


def counts(html: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r'data-count="([\w-]+)">(\d+)<', html)}


def section(html: str, key: str) -> str:
    match = re.search(rf'<section class="card[^"]*" id="{key}".*?</section>', html, re.S)
    assert match, f"no section {key}"
    return match.group(0)


def test_the_url_and_the_menu_link(db, client, member):
    assert reverse("workspace") == WORKSPACE
    assert reverse("my-listings") == "/my/listings/"  # the existing page keeps its address
    anonymous = client.get("/").content.decode()
    assert f'href="{WORKSPACE}"' not in anonymous
    client.force_login(member)
    assert f'href="{WORKSPACE}">我的工作台<' in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(db, client):
    response = client.get(WORKSPACE)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={WORKSPACE}"


def test_a_member_sees_the_organisations_listings_inquiries_intents_and_messages(
        login, member, qinghai_university, reviewer, buyer):  # noqa: F811
    owned = Listing.objects.filter(owner=qinghai_university, kind__in=deals.INQUIRABLE_KINDS).order_by("id")
    draft, submitted, asked = owned[0], owned[1], owned[2]
    Listing.objects.filter(pk=draft.pk).update(status=S.DRAFT)
    Listing.objects.filter(pk=submitted.pk).update(status=S.SUBMITTED)
    Listing.objects.filter(pk=asked.pk).update(status=S.PUBLISHED)
    others_draft = Listing.objects.exclude(owner=qinghai_university).exclude(reference=DEMAND).first()
    Listing.objects.filter(pk=others_draft.pk).update(status=S.DRAFT)
    # 格尔木盐湖化工 asks about a listing of 青海大学 and proposes an agreement: 青海大学 is to answer it.
    inquiry = deals.open_inquiry(buyer, asked, "希望了解技术细节。")
    deals.propose_agreement(buyer, inquiry, "transfer", "转让费一百万元，分两期支付。")
    # The province sends 青海大学 a demand (which also notifies its members).
    [intent] = intents.send_intents(reviewer, Listing.objects.get(reference=DEMAND), [qinghai_university.pk])
    notifications.notify([member], "matching.intent", "另一条测试消息")

    html = page(login(member))
    mine = Listing.objects.filter(owner=qinghai_university)
    assert counts(html) == {
        "drafts": mine.filter(status__in=[S.DRAFT, S.REJECTED]).count(),
        "submitted": mine.filter(status=S.SUBMITTED).count(),
        "published": mine.filter(status__in=[S.PUBLISHED, S.IN_TALKS]).count(),
        "inquiries": 1, "contracts": 0, "registrations": 0, "intents": 1,
        "notifications": notifications.unread_count(member),
    }
    assert notifications.unread_count(member) >= 2
    drafts = section(html, "drafts")
    assert reverse("listing-edit", args=[draft.reference]) in drafts
    assert others_draft.title not in drafts
    assert submitted.get_absolute_url() in section(html, "submitted")
    inquiries = section(html, "inquiries")
    assert inquiry.get_absolute_url() in inquiries and "待本单位确认协议" in inquiries
    assert "格尔木盐湖化工有限公司" in inquiries
    assert f"{reverse('my-intents')}#intent-{intent.pk}" in section(html, "intents")
    assert "另一条测试消息" in section(html, "notifications")
    # Not a reviewer's or registrar's page.
    assert 'id="review"' not in html and 'id="registry"' not in html and 'id="policy-review"' not in html
    assert "我的工作台" in html and "没有办理中的登记申请。" in html


def test_a_party_sees_its_contracts_and_registrations_and_others_do_not(
        login, seller, seller_org, buyer_org, make_contract, registry, member):  # noqa: F811
    waiting = make_contract(seller, seller_org, buyer_org, title="尚未登记的合同")
    submitted = make_contract(seller, seller_org, buyer_org, title="已提交登记的合同")
    registration = reg.submit(seller, submitted, registry("xining"))

    html = page(login(seller))
    assert counts(html)["contracts"] == 1 and counts(html)["registrations"] == 1
    contracts = section(html, "contracts")
    assert waiting.get_absolute_url() in contracts and "已提交登记的合同" not in contracts
    registrations = section(html, "registrations")
    assert registration.get_absolute_url() in registrations
    assert f"办理期限 {registration.due_on:%Y-%m-%d}" in registrations

    other = page(login(member))
    assert counts(other)["contracts"] == 0 and counts(other)["registrations"] == 0
    assert "尚未登记的合同" not in other and registration.get_absolute_url() not in other


def test_a_reviewer_sees_the_review_queue_and_no_organisation(login, reviewer):
    listing = Listing.objects.filter(status=S.PUBLISHED).first()
    Listing.objects.filter(pk=listing.pk).update(status=S.SUBMITTED)

    html = page(login(reviewer))
    assert counts(html) == {"review": review_queue_listings().count(), "policy-review": 0, "verification": 0,
                            "notifications": notifications.unread_count(reviewer)}
    review = section(html, "review")
    assert reverse("review-listing", args=[listing.reference]) in review
    assert reverse("policy:review") in section(html, "policy-review")
    assert 'id="drafts"' not in html and 'id="registry"' not in html


def test_a_registrar_sees_the_registry_queue_with_deadlines(
        login, seller, seller_org, buyer_org, make_contract, registry, xining_registrar, make_registrar,  # noqa: F811
        reviewer):
    contract = make_contract(seller, seller_org, buyer_org, title="待登记的技术转让合同")
    registration = reg.submit(seller, contract, registry("xining"))

    html = page(login(xining_registrar))
    assert counts(html)["registry"] == 1
    desk = section(html, "registry")
    assert registration.get_absolute_url() in desk and "待登记的技术转让合同" in desk
    assert f"办理期限 {registration.due_on:%Y-%m-%d}" in desk and "剩余" in desk
    assert reverse("market:registry-queue") in desk
    assert 'id="review"' not in html and 'id="drafts"' not in html

    # Another registry's staff and a reviewer do not get the Xining queue.
    haidong = page(login(make_registrar("haidong-registrar", "haidong")))
    assert counts(haidong)["registry"] == 0 and "待登记的技术转让合同" not in haidong
    assert 'id="registry"' not in page(login(reviewer))


def test_the_empty_state_is_in_chinese(login, outsider):
    html = page(login(outsider))
    assert counts(html) == {"notifications": 0}
    assert "目前没有待您处理的事项。" in html
    assert "没有未读消息。" in html
    assert "您的账户尚未关联单位" in html
    assert "<table" not in html  # list groups and cards only: readable at 390 px


def test_a_reviewer_sees_the_policy_applications_awaiting_a_decision(login, member, reviewer, qinghai_university):

    application = submit_with_evidence(member, {
        "type": "technology-contract", "kind": "transfer", "date": "2019-06-01", "amount": "5000000",
        "project": "HT-2019-001", "parties": [{"role": "buyer", "name": qinghai_university.name}],
        "flags": {"online": True, "registered": True, "delivered": True}})
    html = page(login(reviewer))
    assert counts(html)["policy-review"] == 1
    assert reverse("policy:application", args=[application.pk]) in section(html, "policy-review")
    decide_checked(application, reviewer, "approve")
    assert counts(page(login(reviewer)))["policy-review"] == 0
