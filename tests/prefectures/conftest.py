"""Fixtures of the prefecture tests: organisations in two prefectures, a prefecture reviewer, listings in review,
and contracts registered at a prefecture's registry."""

import pytest

from techmarket.catalogue.models import CooperationMode, Listing
from techmarket.catalogue.services.lifecycle import transition
from techmarket.catalogue.services.listings import ListingInput, create_listing
from techmarket.directory.models import Region, RegionReviewer
from techmarket.market.services import registration as reg
from tests.indicators.conftest import absorb  # noqa: F401  (fixtures)
from tests.market.conftest import (  # noqa: F401  (fixtures)
    buyer_org,
    make_contract,
    make_registrar,
    media_root,
    org,
    provincial_registrar,
    region,
    registry,
)


@pytest.fixture
def haixi_reviewer(make_user):
    user = make_user("haixi-reviewer", display_name="海西州审核员")
    RegionReviewer.objects.create(user=user, region=Region.objects.get(code="haixi"))
    return user


@pytest.fixture
def in_review(make_user, org):  # noqa: F811
    """A listing submitted for review by a verified member of a new organisation in `region_code`."""

    def make(region_code: str, title: str) -> Listing:
        member = make_user(f"member-{region_code}", organisation=org(f"{title}公司", region_code))
        listing = create_listing(member, ListingInput(
            kind=Listing.Kind.DEMAND, title=title, description=f"{title}的技术需求。",
            modes=[CooperationMode.objects.get(code="joint-rd")]))
        return transition(listing, Listing.Status.SUBMITTED, user=member)

    return make


@pytest.fixture
def registered_in(make_user, org, make_contract, make_registrar, registry):  # noqa: F811
    """Register a contract sold by an organisation of `region_code` at that prefecture's registry."""

    def make(region_code: str, technology: str = "500000"):
        seller_org = org(f"{region_code}测试科技有限公司{technology}", region_code)
        buyer = org(f"{region_code}买方有限公司{technology}", region_code)
        seller = make_user(f"seller-{region_code}-{technology}", organisation=seller_org)
        registrar = make_registrar(f"registrar-{region_code}-{technology}", region_code)
        contract = make_contract(seller, seller_org, buyer, contract_type="transfer", total=technology,
                                 technology=technology)
        registration = reg.submit(seller, contract, registry(region_code))
        return reg.register(registrar, reg.accept(registrar, registration))

    return make
