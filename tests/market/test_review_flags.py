"""Review flags point the registry at what deserves a closer look; they never refuse by themselves."""

import datetime

import pytest

from techmarket.directory.models import OrganisationAlias, Person
from techmarket.market.models import Registration
from techmarket.market.services import registration as reg
from techmarket.market.services.review_flags import flags_for


def codes(contract):
    return [flag.code for flag in flags_for(contract)]


def test_an_ordinary_contract_has_no_flag(make_contract, seller, seller_org, buyer_org):
    assert codes(make_contract(seller, seller_org, buyer_org)) == []


def test_same_party_under_an_alias(make_contract, seller, seller_org, org):
    twin = org("西宁高原新材料科技公司（研发中心）", "xining")
    OrganisationAlias.objects.create(organisation=twin, name="西宁高原新材料科技有限公司(总部)")
    OrganisationAlias.objects.create(organisation=seller_org, name="高原新材料")
    OrganisationAlias.objects.create(organisation=twin, name="高原新材料 ")
    flags = flags_for(make_contract(seller, seller_org, twin))
    assert [f.code for f in flags] == ["same-party"]
    assert "可能为同一主体" in flags[0].detail


def test_related_by_name(make_contract, seller, seller_org, org):
    branch = org("西宁高原新材料科技有限公司格尔木分公司", "haixi")
    assert codes(make_contract(seller, seller_org, branch)) == ["related-parties"]


def test_related_by_a_shared_contact(make_contract, seller, seller_org, buyer_org):
    person = Person.objects.create(name="张三")
    person.organisations.add(seller_org, buyer_org)
    flags = flags_for(make_contract(seller, seller_org, buyer_org))
    assert [f.code for f in flags] == ["related-parties"] and "张三" in flags[0].detail


def test_round_trip(make_contract, seller, buyer, seller_org, buyer_org):
    there = make_contract(seller, seller_org, buyer_org, signed_on=datetime.date(2026, 3, 1))
    back = make_contract(buyer, buyer_org, seller_org, total="990000", signed_on=datetime.date(2026, 6, 1))
    flags = flags_for(back)
    assert [f.code for f in flags] == ["round-trip"] and flags[0].related_contract_ids == [there.pk]
    assert codes(there) == ["round-trip"]
    far = make_contract(buyer, buyer_org, seller_org, total="10", technology="10", signed_on=datetime.date(2024, 1, 1))
    assert "round-trip" not in codes(far)


def test_amount_outlier_needs_peers(make_contract, seller, seller_org, buyer_org, org, registry, xining_registrar):
    for i in range(5):
        buyer_i = org(f"海西买方{i}有限公司", "haixi")
        contract = make_contract(seller, seller_org, buyer_i, total=str(100000 + i), technology="100000")
        reg.register(xining_registrar, reg.accept(xining_registrar, reg.submit(seller, contract, registry("xining"))))
    huge = make_contract(seller, seller_org, buyer_org, total="5000000", technology="5000000")
    flags = flags_for(huge)
    assert [f.code for f in flags] == ["amount-outlier"] and "50.0 倍" in flags[0].detail
    tiny = make_contract(seller, seller_org, buyer_org, total="5000", technology="5000")
    assert codes(tiny) == ["amount-outlier"]
    normal = make_contract(seller, seller_org, buyer_org, total="300000", technology="300000")
    assert codes(normal) == []


def test_few_peers_no_outlier(make_contract, seller, seller_org, buyer_org):
    assert codes(make_contract(seller, seller_org, buyer_org, total="90000000", technology="90000000")) == []


def test_cluster_under_the_buyer_subsidy_cap(make_contract, seller, buyer, seller_org, buyer_org, org):
    other_seller = org("西宁另一科技有限公司", "xining")
    first = make_contract(seller, seller_org, buyer_org, total="3300000", technology="3300000")
    assert codes(first) == []
    second = make_contract(buyer, other_seller, buyer_org, total="3250000", technology="3250000",
                           signed_on=datetime.date(2026, 4, 1))
    flags = flags_for(second)
    assert [f.code for f in flags] == ["threshold-cluster"]
    assert flags[0].related_contract_ids == [first.pk]
    assert "青海省技术市场管理办法 第三十三条" in flags[0].detail


def test_flags_never_refuse(make_contract, seller, seller_org, org, registry, xining_registrar):
    branch = org("西宁高原新材料科技有限公司格尔木分公司", "haixi")
    contract = make_contract(seller, seller_org, branch)
    assert codes(contract)
    registration = reg.register(xining_registrar, reg.accept(xining_registrar,
                                                             reg.submit(seller, contract, registry("xining"))))
    assert registration.status == Registration.Status.REGISTERED


@pytest.mark.parametrize("name", ["西宁高原新材料科技有限公司", "西宁 高原新材料科技有限公司",
                                  "西宁高原新材料科技有限公司（）"])
def test_names_compare_without_spacing_and_brackets(name):
    from techmarket.market.services.review_flags import normalise_name

    assert normalise_name(name) == normalise_name("西宁高原新材料科技有限公司")
