"""Deals on the platform: inquiries, messages, the agreement both sides confirm, the contract it becomes, and
the contract as a policy event."""

import datetime
from decimal import Decimal

import pytest

from techmarket.catalogue.models import Listing
from techmarket.common.audit import history_for
from techmarket.market.models import DealAction, Inquiry, Milestone
from techmarket.market.services import contracts, deals, sides
from techmarket.market.services.contracts import ContractInput, MilestoneInput, PartyInput
from techmarket.market.services.errors import MarketError, MarketPermissionError
from techmarket.market.services.policy_event import policy_event

OFFER = "innovation/hightech/1"  # 青海大学's published offer
DEMAND = "innovation/hightech/13"  # 西宁特殊钢股份有限公司's published demand


@pytest.fixture
def offer(db):
    return Listing.objects.get(reference=OFFER)


@pytest.fixture
def agreed(offer, buyer, member):
    inquiry = deals.open_inquiry(buyer, offer, "有意受让。")
    agreement = deals.propose_agreement(buyer, inquiry, "transfer", "价款60万元。", Decimal("600000"))
    deals.accept_agreement(member, agreement)
    inquiry.refresh_from_db()
    return inquiry


def transfer_input(seller_org, buyer_org, **extra) -> ContractInput:
    return ContractInput(
        title="技术转让", contract_type="transfer", signed_on=datetime.date(2026, 10, 1),
        total_amount=Decimal("600000"), technology_amount=Decimal("600000"),
        parties=[PartyInput(seller_org, "transferor"), PartyInput(buyer_org, "transferee")], **extra)


def test_open_an_inquiry_once(offer, buyer):
    inquiry = deals.open_inquiry(buyer, offer, "有意受让。")
    assert inquiry.counterpart == offer.owner and inquiry.status == Inquiry.Status.OPEN
    assert deals.open_inquiry(buyer, offer, "补充：希望尽快洽谈。") == inquiry
    assert list(inquiry.messages.values_list("body", flat=True)) == ["有意受让。", "补充：希望尽快洽谈。"]
    assert history_for(inquiry).filter(action=DealAction.INQUIRY_OPENED).count() == 1


@pytest.mark.parametrize("reference, reason", [
    ("innovation/hightech/1", "不能与本单位发布的条目洽谈"),
])
def test_no_inquiry_with_ones_own_listing(member, reference, reason):
    with pytest.raises(MarketPermissionError, match=reason):
        deals.open_inquiry(member, Listing.objects.get(reference=reference), "自己洽谈")


def test_only_offers_and_demands_that_are_published(buyer):
    talent = Listing.objects.filter(kind=Listing.Kind.TALENT).first()
    with pytest.raises(MarketPermissionError, match="只有技术需求和成果供给可以发起技术交易洽谈"):
        deals.open_inquiry(buyer, talent, "人才")
    offer = Listing.objects.get(reference=OFFER)
    Listing.objects.filter(pk=offer.pk).update(status=Listing.Status.WITHDRAWN)
    offer.refresh_from_db()
    with pytest.raises(MarketPermissionError, match="“已撤回”状态的条目不能发起洽谈"):
        deals.open_inquiry(buyer, offer, "洽谈")


def test_unverified_users_cannot_inquire(offer, make_user, buyer_org):
    with pytest.raises(MarketPermissionError, match="只有已实名核验并关联单位的用户"):
        deals.open_inquiry(make_user("nobody", verified=False, organisation=buyer_org), offer, "洽谈")


def test_a_demand_inquirer_is_the_seller(buyer, buyer_org):
    demand = Listing.objects.get(reference=DEMAND)
    assert demand.kind == Listing.Kind.DEMAND
    inquiry = deals.open_inquiry(buyer, demand, "我司可提供解决方案。")
    seller, purchaser = deals.seller_and_buyer(inquiry)
    assert seller == buyer_org and purchaser == demand.owner


def test_the_proposer_cannot_confirm_its_own_agreement(offer, buyer, member):
    inquiry = deals.open_inquiry(buyer, offer, "有意受让。")
    agreement = deals.propose_agreement(buyer, inquiry, "transfer", "价款60万元。")
    with pytest.raises(MarketPermissionError, match="协议须由对方单位确认"):
        deals.accept_agreement(buyer, agreement)
    with pytest.raises(MarketError, match="请说明不同意的原因"):
        deals.decline_agreement(member, agreement, "")
    deals.decline_agreement(member, agreement, "价款过低。")
    newer = deals.propose_agreement(member, inquiry, "licensing", "改为许可，价款80万元。", Decimal("800000"))
    deals.accept_agreement(buyer, newer)
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.AGREED
    assert deals.accepted_agreement(inquiry) == newer


def test_outsiders_cannot_take_part(offer, buyer, outsider):
    inquiry = deals.open_inquiry(buyer, offer, "有意受让。")
    with pytest.raises(MarketPermissionError):
        deals.post_message(outsider, inquiry, "插话")
    with pytest.raises(MarketPermissionError):
        deals.propose_agreement(outsider, inquiry, "transfer", "条款")


def test_a_closed_inquiry_takes_no_more_messages(offer, buyer, member):
    inquiry = deals.open_inquiry(buyer, offer, "有意受让。")
    deals.close_inquiry(member, inquiry, "该成果已转让。")
    inquiry.refresh_from_db()
    with pytest.raises(MarketError, match="洽谈已关闭，不能再发送消息"):
        deals.post_message(buyer, inquiry, "还在吗？")
    assert deals.open_inquiry(buyer, offer, "重新洽谈。") != inquiry  # a new inquiry may be opened


def test_contract_from_an_agreed_inquiry(agreed, member, buyer_org, offer):
    contract = contracts.create_contract(member, transfer_input(offer.owner, buyer_org), inquiry=agreed)
    assert contract.made_on_platform and contract.inquiry == agreed and contract.agreement.status == "accepted"
    assert list(contract.listings.all()) == [offer]
    agreed.refresh_from_db()
    assert agreed.status == Inquiry.Status.CONTRACTED
    with pytest.raises(MarketError, match="此洽谈已录入合同"):
        contracts.create_contract(member, transfer_input(offer.owner, buyer_org), inquiry=agreed)


def test_no_contract_before_agreement(offer, buyer, buyer_org):
    inquiry = deals.open_inquiry(buyer, offer, "有意受让。")
    with pytest.raises(MarketError, match="双方确认协议后才能录入合同"):
        contracts.create_contract(buyer, transfer_input(offer.owner, buyer_org), inquiry=inquiry)


def test_a_platform_contract_is_between_the_inquiry_sides(agreed, member, org, offer):
    stranger = org("无关单位有限公司", "xining")
    with pytest.raises(MarketError, match="须以洽谈双方为当事人"):
        contracts.create_contract(member, transfer_input(offer.owner, stranger), inquiry=agreed)


def test_the_author_must_be_a_party(outsider, seller_org, buyer_org):
    with pytest.raises(MarketPermissionError):
        contracts.create_contract(outsider, transfer_input(seller_org, buyer_org))


def test_payments_cannot_exceed_the_total(seller, seller_org, buyer_org):
    data = transfer_input(seller_org, buyer_org, milestones=[MilestoneInput("payment", "一期", Decimal("400000")),
                                                             MilestoneInput("payment", "二期", Decimal("300000"))])
    with pytest.raises(MarketError, match="付款节点合计 700000 元超过合同总额 600000 元"):
        contracts.create_contract(seller, data)


def test_a_location_is_needed_when_the_organisation_has_none(seller, seller_org, org):
    nowhere = org("未知地区有限公司")
    with pytest.raises(MarketError, match="请填写“未知地区有限公司”的所在地"):
        contracts.create_contract(seller, ContractInput(
            title="技术转让", contract_type="transfer", signed_on=datetime.date(2026, 10, 1),
            total_amount=Decimal(1), technology_amount=Decimal(1),
            parties=[PartyInput(seller_org, "transferor"), PartyInput(nowhere, "transferee")]))
    contract = contracts.create_contract(seller, ContractInput(
        title="技术转让", contract_type="transfer", signed_on=datetime.date(2026, 10, 1),
        total_amount=Decimal(1), technology_amount=Decimal(1),
        parties=[PartyInput(seller_org, "transferor"), PartyInput(nowhere, "transferee", location="abroad")]))
    assert sides.buyer_location(contract) == "abroad"


def test_milestones_and_the_policy_event(make_contract, seller, buyer, seller_org, buyer_org, org, registry,
                                         xining_registrar):
    from techmarket.market.services import registration as reg

    broker = org("青海技术转移中心有限公司", "xining")
    contract = make_contract(seller, seller_org, buyer_org, extra_parties=[PartyInput(broker, "broker")])
    event = policy_event(contract)
    assert event["type"] == "technology-contract" and event["kind"] == "transfer"
    assert [p["role"] for p in event["parties"]] == ["seller", "buyer", "intermediary"]
    assert event["flags"] == {"buyer_in_qinghai": True}
    assert event["amount"] == "800000.00"
    for milestone in contract.milestones.filter(kind=Milestone.Kind.DELIVERY):
        contracts.complete_milestone(buyer, milestone)
    with pytest.raises(MarketError, match="该节点已完成"):
        contracts.complete_milestone(buyer, contract.milestones.get(kind=Milestone.Kind.DELIVERY))
    reg.register(xining_registrar, reg.accept(xining_registrar, reg.submit(seller, contract, registry("xining"))),
                 technology_amount=Decimal("700000"))
    event = policy_event(contract)
    assert event["flags"] == {"registered": True, "delivered": True, "buyer_in_qinghai": True}
    assert event["amount"] == "700000.00"
