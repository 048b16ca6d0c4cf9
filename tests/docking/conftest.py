"""Fixtures of the docking tests: a registered contract (the prefecture tests' fixtures), a published listing with
a contact person and contact details in its text, and a positive answer to a targeted publication."""

import pytest

from techmarket.catalogue.models import CooperationMode, Listing
from techmarket.catalogue.services.contacts import ContactInput
from techmarket.catalogue.services.lifecycle import transition
from techmarket.catalogue.services.listings import ListingInput, create_listing
from techmarket.matching.services import intents
from tests.indicators.conftest import absorb  # noqa: F401
from tests.market.conftest import (  # noqa: F401
    buyer_org,
    make_contract,
    make_registrar,
    media_root,
    org,
    provincial_registrar,
    region,
    registry,
)
from tests.prefectures.conftest import registered_in  # noqa: F401  (fixtures)

CONTACT_NAME = "王联系"
CONTACT_PHONE = "13912345678"
CONTACT_EMAIL = "wang.contact@example.com"
LANDLINE = "0971-6543210"


@pytest.fixture
def published(make_user, org, reviewer):  # noqa: F811
    """A demand of an organisation in Haixi, published by the province's reviewer, whose contact person has a
    phone and an e-mail and whose text names them too."""
    member = make_user("docking-member", organisation=org("海西对接测试有限公司", "haixi"))
    listing = create_listing(member, ListingInput(
        kind=Listing.Kind.DEMAND, title="盐湖提锂尾液综合利用技术",
        description=f"寻求盐湖提锂尾液中硼、镁的综合利用技术。联系人：{CONTACT_NAME}，电话：{LANDLINE}，"
                    f"手机 {CONTACT_PHONE}，邮箱 {CONTACT_EMAIL}。",
        modes=[CooperationMode.objects.get(code="joint-rd")],
        contact=ContactInput(name=CONTACT_NAME, phone=CONTACT_PHONE, email=CONTACT_EMAIL)))
    transition(listing, Listing.Status.SUBMITTED, user=member)
    return transition(listing, Listing.Status.PUBLISHED, user=reviewer)


@pytest.fixture
def answered(published, reviewer, make_user, qinghai_university):
    """青海大学 answered 有意向 to the published listing sent to it."""
    [intent] = intents.send_intents(reviewer, published, [qinghai_university.pk], "欢迎合作，请联系 13900001111")
    member = make_user("qhu-member", organisation=qinghai_university)
    return intents.respond(member, intent, "interested", "我们有意向，联系人李老师 13800002222")
