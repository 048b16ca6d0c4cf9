"""Payments received against a contract (实际到位金额, issue 14): recorded by the seller or buyer side with their
evidence, within bounds, once per form, withdrawn (never deleted) when wrong; their total is the `paid` amount of
the contract's policy event, on which 引进省外先进技术成果奖励 (oc2025-8) pays 20%, at most ¥1,000,000 per project."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.common.models import AuditEntry
from techmarket.market.models import Attachment, ContractPayment
from techmarket.market.services import contracts
from techmarket.market.services import registration as reg
from techmarket.market.services.contracts import PartyInput
from techmarket.market.services.errors import AlreadyDone, MarketError, MarketPermissionError
from techmarket.market.services.payments import (
    paid_total,
    payment_facts,
    record_payment,
    withdraw_payment,
)
from techmarket.market.services.policy_event import policy_event
from techmarket.policy.services.data import rulebook
from techmarket.policy.services.engine import evaluate
from techmarket.policy.services.events import parse_event
from tests.market.conftest import pdf_upload

APRIL = datetime.date(2026, 4, 1)  # after the helper's signing date, 2026-03-01
RULE = "oc2025-8-technology-introduction"


@pytest.fixture
def contract(make_contract, seller, seller_org, buyer_org):
    """A transfer of ¥1,000,000 signed on 2026-03-01 between a Xining seller and a Haixi buyer."""
    return make_contract(seller, seller_org, buyer_org)


def pay(user, contract, amount, received_on=APRIL, evidence="", **kwargs):
    upload = pdf_upload() if evidence == "" else evidence
    return record_payment(user, contract, Decimal(amount), received_on, upload, **kwargs)


def nothing_recorded():
    return (not ContractPayment.objects.exists()
            and not Attachment.objects.filter(kind=Attachment.Kind.PAYMENT_EVIDENCE).exists()
            and not AuditEntry.objects.filter(action="payment-recorded").exists())


# --- Recording -----------------------------------------------------------------------------------------------


def test_either_side_records_a_payment_with_its_evidence(contract, seller, buyer):
    first = pay(seller, contract, "300000", note="首期款")
    second = pay(buyer, contract, "200000.50", received_on=datetime.date(2026, 5, 2))
    assert paid_total(contract) == Decimal("500000.50")
    assert payment_facts(contract) == [{"received_on": "2026-04-01", "amount": "300000.00"},
                                       {"received_on": "2026-05-02", "amount": "200000.50"}]
    assert first.evidence.kind == Attachment.Kind.PAYMENT_EVIDENCE and first.evidence.contract == contract
    assert first.organisation == seller.organisation and second.organisation == buyer.organisation
    # The evidence is shown with its payment, not among the contract's documents (nor submitted for registration).
    assert first.evidence not in contracts.current_documents(contract)
    entry = AuditEntry.objects.get(action="payment-recorded", data__payment=first.pk)
    assert entry.actor == seller and entry.data["amount"] == "300000.00" and "首期款" in entry.reason
    assert entry.action_label == "记录到位金额"


@pytest.mark.parametrize(("amount", "received_on", "message"), [
    ("0", APRIL, "到账金额须大于零"),
    ("-100", APRIL, "金额须在 0 到 1000 亿元"),
    ("100000000000.01", APRIL, "金额须在 0 到 1000 亿元"),
    ("10.001", APRIL, "最多两位小数"),
    ("100", datetime.date.today() + datetime.timedelta(days=1), "到账日期不能晚于今天"),
    ("100", datetime.date(2026, 2, 28), "到账日期不能早于合同签订日期（2026-03-01）"),
    ("100", datetime.date(1984, 12, 31), "日期须在 1985 年 1 月 1 日之后"),
])
def test_out_of_bounds_payments_are_refused_and_change_nothing(contract, seller, amount, received_on, message):
    with pytest.raises(MarketError, match=re.escape(message)):
        pay(seller, contract, amount, received_on)
    assert nothing_recorded()


def test_payments_may_not_add_up_to_more_than_the_contract(contract, seller, buyer):
    pay(seller, contract, "600000")
    with pytest.raises(MarketError, match=r"到位金额合计不能超过合同总额 1,000,000.00 元：已记录 600,000.00 元，"
                                          r"本笔 400,000.01 元"):
        pay(buyer, contract, "400000.01")
    pay(buyer, contract, "400000")  # exactly the total is fine
    assert paid_total(contract) == Decimal("1000000")


def test_the_same_form_submitted_twice_records_one_payment(contract, seller, make_user, seller_org):
    first = pay(seller, contract, "100000", intent_key="k" * 32)
    with pytest.raises(AlreadyDone, match="已记录，未重复记录") as repeated:
        pay(seller, contract, "100000", intent_key="k" * 32)
    assert repeated.value.existing == first
    colleague = make_user("seller-colleague", organisation=seller_org)
    with pytest.raises(MarketError, match="表单已失效"):
        pay(colleague, contract, "100000", intent_key="k" * 32)
    assert ContractPayment.objects.count() == 1
    assert Attachment.objects.filter(kind=Attachment.Kind.PAYMENT_EVIDENCE).count() == 1
    assert paid_total(contract) == Decimal("100000")


def test_only_verified_members_of_the_seller_or_buyer_side_record(make_contract, make_user, seller, seller_org,
                                                                  buyer_org, org, outsider, member):
    broker_org = org("青海技术转移中心有限公司", "xining")
    contract = make_contract(seller, seller_org, buyer_org, extra_parties=[PartyInput(broker_org, "broker")])
    unverified = make_user("unverified-seller", verified=False, organisation=seller_org)
    broker = make_user("broker", organisation=broker_org)
    for user in (AnonymousUser(), outsider, member, unverified, broker):
        with pytest.raises(MarketPermissionError, match="只有合同买卖双方单位的已核验成员可以记录到位金额"):
            pay(user, contract, "100")
    assert nothing_recorded()


def test_evidence_is_required_and_checked_by_content(contract, seller):
    with pytest.raises(MarketError, match="请上传到账凭证"):
        pay(seller, contract, "100", evidence=None)
    fake = SimpleUploadedFile("回单.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(MarketError, match="不支持的文件类型"):
        pay(seller, contract, "100", evidence=fake)
    assert nothing_recorded()
    png = SimpleUploadedFile("回单.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, content_type="image/png")
    assert pay(seller, contract, "100", evidence=png).evidence.content_type == "image/png"


def test_evidence_is_not_uploaded_as_a_contract_document(contract, seller):
    with pytest.raises(MarketError, match="到账凭证须随到账记录上传"):
        contracts.add_attachment(seller, contract, pdf_upload(), Attachment.Kind.PAYMENT_EVIDENCE)


def test_payments_can_be_recorded_while_the_contract_is_registered(contract, seller, registry, xining_registrar):
    reg.register(xining_registrar, reg.accept(xining_registrar, reg.submit(seller, contract, registry("xining"))))
    assert pay(seller, contract, "1000").pk


# --- Withdrawal ----------------------------------------------------------------------------------------------


def test_a_withdrawn_payment_is_kept_but_no_longer_counts(contract, seller, buyer, make_user, seller_org):
    wrong = pay(seller, contract, "900000")
    pay(buyer, contract, "100000")
    with pytest.raises(MarketError, match="合计不能超过合同总额"):
        pay(seller, contract, "90000")
    with pytest.raises(MarketPermissionError, match="到账记录只能由记录单位撤回"):
        withdraw_payment(buyer, wrong, "不对")
    with pytest.raises(MarketError, match="请填写撤回原因"):
        withdraw_payment(seller, wrong, "  ")
    colleague = make_user("seller-colleague", organisation=seller_org)
    withdraw_payment(colleague, wrong, "金额录入错误，应为 90000 元")
    with pytest.raises(AlreadyDone, match="已经撤回"):
        withdraw_payment(seller, wrong, "再次撤回")
    wrong.refresh_from_db()
    assert wrong.withdrawn_by == colleague and wrong.withdrawal_reason == "金额录入错误，应为 90000 元"
    assert paid_total(contract) == Decimal("100000")
    pay(seller, contract, "90000")
    assert paid_total(contract) == Decimal("190000")
    assert ContractPayment.objects.count() == 3  # nothing deleted
    entry = AuditEntry.objects.get(action="payment-withdrawn")
    assert entry.actor == colleague and "金额录入错误" in entry.reason and entry.action_label == "撤回到位金额记录"


# --- The policy event ----------------------------------------------------------------------------------------


def test_the_policy_event_carries_the_amount_paid(contract, seller, buyer):
    assert "amounts" not in policy_event(contract)
    withdrawn = pay(seller, contract, "250000")
    assert policy_event(contract)["amounts"] == {"paid": "250000.00"}
    pay(buyer, contract, "125000.50")
    withdraw_payment(seller, withdrawn, "重复记录")
    event = policy_event(contract)
    assert event["amounts"] == {"paid": "125000.50"}
    assert event["amount"] == "800000.00" and event["project"] == f"market-contract-{contract.pk}"
    assert parse_event(event, rulebook()).amounts["paid"] == Decimal("125000.50")


@pytest.fixture
def introduced(make_contract, make_user, org, buyer_org, registry, provincial_registrar):
    """A transfer of ¥8,000,000 from a Beijing seller to a Haixi buyer, registered in Beijing and recorded with the
    provincial registry (the absorbed technology the rule rewards)."""
    beijing = org("北京先进储能技术有限公司", "beijing")
    beijing_user = make_user("beijing-user", organisation=beijing)
    contract = make_contract(beijing_user, beijing, buyer_org, total="8000000", technology="8000000")
    registration = reg.register(provincial_registrar, reg.accept(provincial_registrar, reg.submit(
        beijing_user, contract, registry("qinghai"), "北京技术市场管理办公室", "2026110108000123")))
    # The rule runs from 2025-04-28 to 2027-12-31: the event's date (the registration's) is fixed inside it.
    registration.registered_on = datetime.date(2026, 6, 30)
    registration.save(update_fields=["registered_on"])
    return contract


def award_for_buyer(contract):
    event = policy_event(contract)
    assert event["date"] == "2026-06-30"
    assert event["flags"]["from_outside_qinghai"] and event["flags"]["buyer_in_qinghai"]
    result = evaluate(parse_event(event, rulebook()), rulebook())
    (award,) = [a for a in result.awards if a.rule_id == RULE]
    assert award.beneficiary_role == "buyer" and award.beneficiary == "格尔木盐湖化工有限公司"
    return award


def test_introduced_technology_earns_a_fifth_of_the_amount_paid(introduced, buyer):
    pay(buyer, introduced, "2000000")
    award = award_for_buyer(introduced)
    assert award.base == Decimal("2000000") and award.amount == Decimal("400000.00")
    assert award.caps_applied == []


def test_the_reward_is_capped_at_a_million_per_project(introduced, buyer):
    pay(buyer, introduced, "2000000")
    pay(buyer, introduced, "4000000", received_on=datetime.date(2026, 7, 1))
    award = award_for_buyer(introduced)
    assert award.base == Decimal("6000000") and award.amount == Decimal("1000000.00")
    assert award.caps_applied == ["每个项目上限 ¥1,000,000.00"]
    assert "按比例：¥6,000,000.00 × 20% = ¥1,200,000.00" in award.steps
    assert "每个项目上限 ¥1,000,000.00：已计入 ¥0.00，尚可 ¥1,000,000.00 → 取 ¥1,000,000.00" in award.steps


def test_without_payments_the_rule_has_no_base(introduced):
    result = evaluate(parse_event(policy_event(introduced), rulebook()), rulebook())
    assert RULE not in {a.rule_id for a in result.awards}
    assert any(n.rule_id == RULE and n.code == "missing" for n in result.not_applied)


# --- The contract page ---------------------------------------------------------------------------------------


def intent_of(page: str) -> str:
    return re.search(r'name="payment-intent" value="([0-9a-f]+)"', page).group(1)


def form_data(intent: str = "", **changes) -> dict:
    data = {"payment-amount": "300000", "payment-received_on": "2026-04-01", "payment-note": "首期款",
            "payment-file": pdf_upload(name="回单.pdf"), "payment-intent": intent}
    data.update({f"payment-{key}": value for key, value in changes.items()})
    return data


def test_the_contract_page_lists_payments_and_records_them_once(client, contract, seller):
    client.force_login(seller)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert 'id="payments"' in page and "到位金额" in page and 'id="payment-form"' in page
    assert "btn-sm" not in page[page.index('id="payments"'):page.index('id="deal-history"')]
    intent = intent_of(page)
    url = f"/market/contracts/{contract.pk}/payments/"
    first = client.post(url, form_data(intent))
    assert first.status_code == 302 and first.url == f"{contract.get_absolute_url()}#payments"
    second = client.post(url, form_data(intent), follow=True)
    assert "已记录，未重复记录" in second.content.decode()
    assert ContractPayment.objects.count() == 1
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "回单.pdf" in page and "300,000.00" in page and "首期款" in page
    assert 'id="paid-total">300,000.00<' in page
    payment = ContractPayment.objects.get()
    assert f'href="/market/attachments/{payment.evidence_id}/"' in page
    assert client.get(f"/market/attachments/{payment.evidence_id}/").status_code == 200


def test_refusals_are_shown_on_the_page_with_what_was_entered(client, contract, seller):
    client.force_login(seller)
    url = f"/market/contracts/{contract.pk}/payments/"
    response = client.post(url, form_data(amount="1000000.01"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "到位金额合计不能超过合同总额" in page and 'value="1000000.01"' in page
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = client.post(url, form_data(received_on=tomorrow))
    assert response.status_code == 200 and "日期不能晚于今天" in response.content.decode()
    response = client.post(url, {k: v for k, v in form_data().items() if k != "payment-file"})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert not ContractPayment.objects.exists()


def test_withdrawing_from_the_page(client, contract, seller, buyer):
    payment = pay(seller, contract, "300000")
    url = f"/market/contracts/{contract.pk}/payments/{payment.pk}/withdraw/"
    client.force_login(buyer)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert url not in page  # the buyer did not record it
    assert client.post(url, {"reason": "不是我们记录的"}).status_code == 403
    client.force_login(seller)
    assert url in client.get(contract.get_absolute_url()).content.decode()
    response = client.post(url, {"reason": ""}, follow=True)
    assert "这个字段是必填项" in response.content.decode()
    response = client.post(url, {"reason": "金额录入错误"}, follow=True)
    page = response.content.decode()
    assert "已撤回" in page and 'id="withdrawn-payments"' in page and "金额录入错误" in page
    assert 'id="paid-total">0.00<' in page
    assert paid_total(contract) == 0


def test_who_sees_the_section_and_the_form(client, contract, seller, registry, xining_registrar, outsider):
    reg.submit(seller, contract, registry("xining"))
    pay(seller, contract, "300000")
    client.force_login(xining_registrar)  # examines it: sees the payments, records none
    page = client.get(contract.get_absolute_url()).content.decode()
    assert 'id="payments"' in page and "300,000.00" in page and 'id="payment-form"' not in page
    assert client.post(f"/market/contracts/{contract.pk}/payments/", form_data()).status_code == 403
    client.force_login(outsider)
    assert client.post(f"/market/contracts/{contract.pk}/payments/", form_data()).status_code == 404
    assert ContractPayment.objects.count() == 1


# --- The API -------------------------------------------------------------------------------------------------


def test_the_api_lists_a_contracts_payments_to_those_who_may_see_it(client, contract, seller, buyer, outsider):
    withdrawn = pay(seller, contract, "100000")
    pay(buyer, contract, "250000")
    withdraw_payment(seller, withdrawn, "重复记录")
    path = f"/api/market/contracts/{contract.pk}/payments"
    assert client.get(path).status_code == 401
    client.force_login(outsider)
    assert client.get(path).status_code == 404
    client.force_login(buyer)
    data = client.get(path).json()
    assert data["paid_total"] == "250000.00" and data["total_amount"] == "1000000.00"
    assert [(i["amount"], i["withdrawn"]) for i in data["items"]] == [("100000.00", True), ("250000.00", False)]
    assert data["items"][0]["withdrawal_reason"] == "重复记录"
    assert data["items"][1]["evidence"]["url"] == f"/market/attachments/{data['items'][1]['evidence']['id']}/"


def test_the_admin_shows_payments_without_letting_them_be_deleted(client, contract, seller, django_user_model):
    pay(seller, contract, "300000", note="首期款")
    admin = django_user_model.objects.create_superuser("payments-admin", password="x" * 12)
    client.force_login(admin)
    page = client.get(f"/admin/market/contract/{contract.pk}/change/").content.decode()
    assert "到账记录" in page and "300000" in page.replace(",", "")
    assert 'name="payments-0-DELETE"' not in page
