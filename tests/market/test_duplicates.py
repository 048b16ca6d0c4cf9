"""One contract is registered once: another record of the same contract (same parties, total amount and date, or
the same contract document) is refused with a message naming the earlier registration."""

import pytest

from techmarket.market.models import Registration
from techmarket.market.services import registration as reg
from techmarket.market.services.errors import TransitionError


@pytest.fixture
def registered(make_contract, seller, seller_org, buyer_org, registry, xining_registrar):
    contract = make_contract(seller, seller_org, buyer_org, text="the signed contract")
    return reg.register(xining_registrar, reg.accept(xining_registrar, reg.submit(seller, contract,
                                                                                   registry("xining"))))


def test_same_parties_amount_and_date(registered, make_contract, seller, seller_org, buyer_org, registry):
    again = make_contract(seller, seller_org, buyer_org, title="同一合同另行录入")
    with pytest.raises(TransitionError) as error:
        reg.submit(seller, again, registry("qinghai"))
    message = str(error.value)
    assert f"西宁市技术合同登记机构登记号 {registered.number}" in message
    assert "当事人、合同总额和签订日期均相同" in message
    assert "不得重复登记" in message
    assert not Registration.objects.filter(contract=again).exists()


def test_parties_in_another_order_are_the_same_parties(registered, seller, seller_org, buyer_org, registry):
    import datetime
    from decimal import Decimal

    from techmarket.market.services import contracts, deals
    from techmarket.market.services.contracts import ContractInput, PartyInput
    from tests.market.conftest import pdf_upload

    again = contracts.create_contract(seller, ContractInput(
        title="再次录入", contract_type="transfer", signed_on=datetime.date(2026, 3, 1),
        total_amount=Decimal("1000000"), technology_amount=Decimal("1"),
        parties=[PartyInput(buyer_org, "transferee"), PartyInput(seller_org, "transferor")]))
    deals.store_attachment(seller, pdf_upload(), contract=again, kind="contract-text")
    with pytest.raises(TransitionError, match=registered.number):
        reg.submit(seller, again, registry("xining"))


def test_same_contract_document(registered, make_contract, seller, seller_org, buyer_org, registry):
    other_amount = make_contract(seller, seller_org, buyer_org, total="999999", technology="1",
                                 text="the signed contract")
    with pytest.raises(TransitionError) as error:
        reg.submit(seller, other_amount, registry("xining"))
    assert registered.number in str(error.value) and "合同文本完全相同" in str(error.value)


def test_a_pending_application_is_named_by_its_application_number(make_contract, seller, seller_org, buyer_org,
                                                                  registry):
    first = reg.submit(seller, make_contract(seller, seller_org, buyer_org), registry("xining"))
    second = make_contract(seller, seller_org, buyer_org)
    with pytest.raises(TransitionError, match=f"申请编号 {first.pk}（合同“盐湖提锂吸附剂技术转让”，.*已提交）"):
        reg.submit(seller, second, registry("qinghai"))


def test_a_different_deal_is_not_a_duplicate(registered, make_contract, seller, seller_org, buyer_org, registry):
    different = make_contract(seller, seller_org, buyer_org, total="1000001")
    assert reg.submit(seller, different, registry("xining")).status == Registration.Status.SUBMITTED


def test_a_cancelled_registration_no_longer_blocks(registered, make_contract, seller, seller_org, buyer_org,
                                                   registry, xining_registrar):
    reg.cancel(xining_registrar, registered, "void", "合同被宣布无效。")
    again = make_contract(seller, seller_org, buyer_org)
    assert reg.submit(seller, again, registry("xining")).status == Registration.Status.SUBMITTED


def test_duplicates_are_checked_again_at_registration(make_contract, seller, seller_org, buyer_org, registry,
                                                      xining_registrar, provincial_registrar):
    first = reg.accept(xining_registrar, reg.submit(seller, make_contract(seller, seller_org, buyer_org),
                                                    registry("xining")))
    # A second application slipped in while the first was withdrawn, then the first was made again elsewhere.
    reg.withdraw(seller, first, "改向省级机构申请。")
    second = reg.accept(provincial_registrar, reg.submit(seller, first.contract, registry("qinghai")))
    other = make_contract(seller, seller_org, buyer_org, title="同一合同另一记录")
    Registration.objects.filter(pk=second.pk).update(status=Registration.Status.REGISTERED, number="6300TEST")
    third = Registration.objects.create(
        contract=other, registry=registry("xining"), organisation=seller_org, received_on=first.received_on,
        due_on=first.due_on, status=Registration.Status.ACCEPTED)
    with pytest.raises(TransitionError, match="登记号 6300TEST"):
        reg.register(xining_registrar, third)
    third.refresh_from_db()
    assert third.status == Registration.Status.ACCEPTED and third.number is None
