"""The registration lifecycle: every allowed path, and each forbidden step refused with its message and nothing
changed."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from techmarket.common.audit import history_for
from techmarket.market.models import Registration, RegistrationAction
from techmarket.market.services import contracts
from techmarket.market.services import registration as reg
from techmarket.market.services.contracts import ContractInput, PartyInput
from techmarket.market.services.errors import MarketError, MarketPermissionError, TransitionError

S = Registration.Status
A = RegistrationAction


@pytest.fixture
def contract(make_contract, seller, seller_org, buyer_org):
    return make_contract(seller, seller_org, buyer_org)


@pytest.fixture
def submitted(contract, seller, registry):
    return reg.submit(seller, contract, registry("xining"))


def assert_unchanged(registration: Registration, status: str, events: int) -> None:
    registration.refresh_from_db()
    assert registration.status == status
    assert history_for(registration).count() == events


def test_submit_accept_register(submitted, seller, xining_registrar):
    assert submitted.status == S.SUBMITTED
    assert submitted.received_on == timezone.localdate()
    assert submitted.due_on == submitted.received_on + datetime.timedelta(days=30)
    assert submitted.snapshot["parties"][0]["registering"] is True
    registration = reg.accept(xining_registrar, submitted)
    assert registration.status == S.ACCEPTED and registration.accepted_at
    registration = reg.register(xining_registrar, registration, note="符合技术转让合同认定条件")
    assert registration.status == S.REGISTERED
    assert re.fullmatch(r"6301\d{4}\d{4}", registration.number)
    assert registration.number == f"6301{timezone.localdate().year}0001"
    assert registration.registered_on == timezone.localdate()
    assert registration.technology_amount == Decimal("800000")
    assert registration.decided_by == xining_registrar and not registration.decided_late
    history = list(history_for(registration).values_list("action", "from_value", "to_value", "actor"))
    assert history == [
        (A.SUBMIT, "", S.SUBMITTED, seller.pk),
        (A.ACCEPT, S.SUBMITTED, S.ACCEPTED, xining_registrar.pk),
        (A.REGISTER, S.ACCEPTED, S.REGISTERED, xining_registrar.pk),
    ]
    assert reg.has_certificate(registration)


def test_numbers_follow_each_other_per_registry_and_year(make_contract, seller, seller_org, buyer_org, org,
                                                         registry, xining_registrar):
    numbers = []
    for i in range(2):
        contract = make_contract(seller, seller_org, buyer_org, total=str(100000 + i), technology="1000")
        registration = reg.accept(xining_registrar, reg.submit(seller, contract, registry("xining")))
        numbers.append(reg.register(xining_registrar, registration).number)
    year = timezone.localdate().year
    assert numbers == [f"6301{year}0001", f"6301{year}0002"]


def test_registry_certifies_a_lower_technology_amount(submitted, xining_registrar):
    registration = reg.accept(xining_registrar, submitted)
    registration = reg.register(xining_registrar, registration, technology_amount=Decimal("500000"))
    assert registration.technology_amount == Decimal("500000")
    with pytest.raises(TransitionError):
        reg.register(xining_registrar, registration)


def test_certified_amount_cannot_exceed_the_total(submitted, xining_registrar):
    registration = reg.accept(xining_registrar, submitted)
    with pytest.raises(TransitionError, match="认定的技术交易额须在零与合同总额之间"):
        reg.register(xining_registrar, registration, technology_amount=Decimal("2000000"))
    assert_unchanged(registration, S.ACCEPTED, 2)
    assert registration.number is None


def test_refusal_reconsideration_overturned(submitted, seller, xining_registrar, provincial_registrar):
    registration = reg.refuse(xining_registrar, submitted, "合同标的不属于技术转让。")
    assert registration.status == S.REFUSED and registration.reasons == "合同标的不属于技术转让。"
    registration = reg.request_reconsideration(seller, registration, "标的为专利权转让，附专利证书。")
    assert registration.status == S.RECONSIDERATION
    assert registration.due_on == timezone.localdate() + datetime.timedelta(days=60)
    with pytest.raises(MarketPermissionError, match="复议由省级技术合同登记机构的登记人员决定"):
        reg.decide_reconsideration(xining_registrar, registration, True, "同意")
    registration = reg.decide_reconsideration(provincial_registrar, registration, True, "专利权转让属技术转让。")
    assert registration.status == S.REGISTERED and registration.reconsidered
    assert registration.number.startswith("6301")  # the number of the registry the contract was registered at
    assert list(history_for(registration).values_list("action", flat=True)) == [
        A.SUBMIT, A.REFUSE, A.REQUEST_RECONSIDERATION, A.OVERTURN]


def test_refusal_upheld_is_final(submitted, seller, xining_registrar, provincial_registrar):
    registration = reg.refuse(xining_registrar, submitted, "非技术合同。")
    registration = reg.request_reconsideration(seller, registration, "不服。")
    registration = reg.decide_reconsideration(provincial_registrar, registration, False, "维持原结论。")
    assert registration.status == S.REFUSED and registration.reconsidered
    with pytest.raises(TransitionError, match="复议决定为最终结论，不能再次申请复议"):
        reg.request_reconsideration(seller, registration, "再次申请。")
    assert_unchanged(registration, S.REFUSED, 4)


def test_reconsideration_only_within_sixty_days(submitted, seller, xining_registrar):
    registration = reg.refuse(xining_registrar, submitted, "非技术合同。")
    Registration.objects.filter(pk=registration.pk).update(decided_at=timezone.now() - datetime.timedelta(days=61))
    registration.refresh_from_db()
    with pytest.raises(TransitionError, match="60 日内提出"):
        reg.request_reconsideration(seller, registration, "不服。")
    assert_unchanged(registration, S.REFUSED, 2)


def test_change_then_cancellation_at_the_same_registry(submitted, xining_registrar, make_registrar):
    registration = reg.register(xining_registrar, reg.accept(xining_registrar, submitted))
    registration = reg.register_change(xining_registrar, registration, "补充协议增加技术服务内容。",
                                       total_amount=Decimal("1200000"), technology_amount=Decimal("1000000"))
    assert registration.status == S.CHANGED
    registration.contract.refresh_from_db()
    assert registration.contract.total_amount == Decimal("1200000")
    assert registration.technology_amount == Decimal("1000000")
    change = history_for(registration).get(action=A.CHANGE)
    assert change.data["before"]["total_amount"] == "1000000.00"
    assert change.data["after"]["technology_amount"] == "1000000"
    haixi = make_registrar("haixi-registrar", "haixi")
    with pytest.raises(MarketPermissionError, match="只有西宁市技术合同登记机构的登记人员可以办理此登记"):
        reg.cancel(haixi, registration, "terminated", "双方协商解除。")
    registration = reg.cancel(xining_registrar, registration, "terminated", "双方协商解除。")
    assert registration.status == S.CANCELLED and registration.get_cancel_kind_display() == "解除"


@pytest.mark.parametrize("kind", ["revoked", "void"])
def test_cancellation_kinds(submitted, xining_registrar, kind):
    registration = reg.register(xining_registrar, reg.accept(xining_registrar, submitted))
    registration = reg.cancel(xining_registrar, registration, kind, "人民法院判决。")
    assert registration.cancel_kind == kind


def test_cancellation_needs_a_kind(submitted, xining_registrar):
    registration = reg.register(xining_registrar, reg.accept(xining_registrar, submitted))
    with pytest.raises(TransitionError, match="请选择注销原因"):
        reg.cancel(xining_registrar, registration, "", "原因")
    assert_unchanged(registration, S.REGISTERED, 3)


@pytest.mark.parametrize("step", [
    lambda user, r: reg.register(user, r),
    lambda user, r: reg.refuse(user, r, "理由"),
    lambda user, r: reg.accept(user, r),
    lambda user, r: reg.register_change(user, r, "变更"),
    lambda user, r: reg.cancel(user, r, "void", "再次注销"),
])
def test_no_decision_after_cancellation(submitted, xining_registrar, step):
    registration = reg.register(xining_registrar, reg.accept(xining_registrar, submitted))
    registration = reg.cancel(xining_registrar, registration, "terminated", "解除。")
    with pytest.raises(TransitionError, match="“已注销登记”的登记申请不能"):
        step(xining_registrar, registration)
    assert_unchanged(registration, S.CANCELLED, 4)


def test_registering_twice_is_refused(submitted, xining_registrar):
    registration = reg.register(xining_registrar, reg.accept(xining_registrar, submitted))
    with pytest.raises(TransitionError, match="“已登记”的登记申请不能准予登记"):
        reg.register(xining_registrar, registration)
    assert_unchanged(registration, S.REGISTERED, 3)


def test_submitting_a_registered_contract_again_names_the_registration(submitted, seller, registry,
                                                                       xining_registrar):
    registration = reg.register(xining_registrar, reg.accept(xining_registrar, submitted))
    with pytest.raises(TransitionError) as error:
        reg.submit(seller, registration.contract, registry("qinghai"))
    assert "重复登记" in str(error.value)
    assert f"西宁市技术合同登记机构登记号 {registration.number}" in str(error.value)
    assert Registration.objects.filter(contract=registration.contract).count() == 1


def test_submitting_twice_while_pending_is_refused(submitted, seller, registry):
    with pytest.raises(TransitionError, match=f"申请编号 {submitted.pk}"):
        reg.submit(seller, submitted.contract, registry("xining"))
    assert Registration.objects.filter(contract=submitted.contract).count() == 1


def test_the_buyer_may_not_register_a_transfer(contract, buyer, registry):
    with pytest.raises(MarketPermissionError,
                       match="技术转让合同由让与方申请登记；贵单位在本合同中为受让方，不能申请登记"):
        reg.submit(buyer, contract, registry("haixi"))
    assert not Registration.objects.filter(contract=contract).exists()


@pytest.mark.parametrize("contract_type, role_name", [
    ("development-commissioned", "研究开发方"), ("licensing", "许可方"), ("consulting", "顾问方"),
    ("service", "服务方"), ("training", "培训方"), ("intermediary", "中介方"),
])
def test_each_type_is_registered_by_its_role(make_contract, seller, buyer, seller_org, buyer_org, registry,
                                             contract_type, role_name):
    contract = make_contract(seller, seller_org, buyer_org, contract_type=contract_type)
    with pytest.raises(MarketPermissionError, match=f"由{role_name}申请登记"):
        reg.submit(buyer, contract, registry("haixi"))
    assert reg.submit(seller, contract, registry("xining")).status == S.SUBMITTED


def test_a_contract_cannot_name_the_wrong_registering_party(seller, seller_org, buyer_org):
    data = ContractInput(
        title="技术转让", contract_type="transfer", signed_on=datetime.date(2026, 3, 1),
        total_amount=Decimal(100), technology_amount=Decimal(100),
        parties=[PartyInput(seller_org, "transferor"), PartyInput(buyer_org, "transferee", is_registering_party=True)],
    )
    refused = "技术转让合同由让与方申请登记，“格尔木盐湖化工有限公司”为受让方，不能作为登记方"
    with pytest.raises(MarketError, match=refused):
        contracts.create_contract(seller, data)


def test_a_role_of_another_type_is_refused(seller, seller_org, buyer_org):
    data = ContractInput(
        title="技术转让", contract_type="transfer", signed_on=datetime.date(2026, 3, 1),
        total_amount=Decimal(100), technology_amount=Decimal(100),
        parties=[PartyInput(seller_org, "consultant"), PartyInput(buyer_org, "transferee")],
    )
    with pytest.raises(MarketError, match="技术转让合同中没有“consultant”这一角色"):
        contracts.create_contract(seller, data)


def test_technology_amount_within_total(seller, seller_org, buyer_org):
    data = ContractInput(
        title="技术转让", contract_type="transfer", signed_on=datetime.date(2026, 3, 1),
        total_amount=Decimal(100), technology_amount=Decimal(101),
        parties=[PartyInput(seller_org, "transferor"), PartyInput(buyer_org, "transferee")],
    )
    with pytest.raises(MarketError, match="技术交易额不能大于合同总额"):
        contracts.create_contract(seller, data)


def test_decision_by_staff_of_another_registry(submitted, make_registrar):
    haixi = make_registrar("haixi-registrar", "haixi")
    with pytest.raises(MarketPermissionError, match="只有西宁市技术合同登记机构的登记人员可以办理此登记"):
        reg.accept(haixi, submitted)
    assert_unchanged(submitted, S.SUBMITTED, 1)


def test_staff_need_the_group_and_the_assignment(submitted, make_user, reviewer):
    from techmarket.market.models import RegistryStaff

    no_group = make_user("no-group")
    RegistryStaff.objects.create(user=no_group, registry=submitted.registry, certificate_number="国科登字2026001")
    for user in (no_group, reviewer):
        with pytest.raises(MarketPermissionError):
            reg.accept(user, submitted)
    assert_unchanged(submitted, S.SUBMITTED, 1)


def test_non_parties_cannot_apply_or_withdraw(contract, submitted, outsider, unverified, member, registry):
    for user in (outsider, unverified, member):
        with pytest.raises(MarketPermissionError):
            reg.withdraw(user, submitted, "撤回")
    assert_unchanged(submitted, S.SUBMITTED, 1)
    with pytest.raises(MarketPermissionError, match="只有合同当事人单位的已核验成员可以申请登记"):
        reg.submit(outsider, contract, registry("xining"))


def test_an_unverified_member_of_the_registering_party_cannot_apply(contract, make_user, seller_org, registry):
    unverified_seller = make_user("unverified-seller", verified=False, organisation=seller_org)
    with pytest.raises(MarketPermissionError):
        reg.submit(unverified_seller, contract, registry("xining"))


def test_parties_cannot_decide(submitted, seller):
    with pytest.raises(MarketPermissionError):
        reg.accept(seller, submitted)
    assert_unchanged(submitted, S.SUBMITTED, 1)


def test_decision_needs_acceptance_first(submitted, xining_registrar):
    with pytest.raises(TransitionError, match="“已提交”的登记申请不能准予登记"):
        reg.register(xining_registrar, submitted)
    assert_unchanged(submitted, S.SUBMITTED, 1)


def test_refusal_needs_reasons(submitted, xining_registrar):
    with pytest.raises(TransitionError, match="请填写未予登记的理由"):
        reg.refuse(xining_registrar, submitted, "  ")
    assert_unchanged(submitted, S.SUBMITTED, 1)


def test_withdrawal_frees_the_contract(submitted, seller, registry, xining_registrar):
    registration = reg.withdraw(seller, submitted, "补充材料后重新申请。")
    assert registration.status == S.WITHDRAWN
    with pytest.raises(TransitionError, match="“已撤回”的登记申请不能受理"):
        reg.accept(xining_registrar, registration)
    again = reg.submit(seller, registration.contract, registry("qinghai"))
    assert again.status == S.SUBMITTED and again.registry.code == "qinghai"


def test_a_contract_under_registration_cannot_be_edited(submitted, seller):
    with pytest.raises(MarketError, match="不能再修改"):
        contracts.update_contract(seller, submitted.contract, contracts.to_input(submitted.contract))


def test_the_registry_must_be_of_the_partys_locality(contract, seller, registry):
    allowed = "应向所在地区的登记机构申请登记（西宁市技术合同登记机构、青海省技术合同登记机构（省级））"
    with pytest.raises(TransitionError, match=re.escape(allowed)):
        reg.submit(seller, contract, registry("haixi"))
    assert not Registration.objects.filter(contract=contract).exists()


def test_a_contract_text_is_required(make_contract, seller, seller_org, buyer_org, registry):
    contract = make_contract(seller, seller_org, buyer_org, text=None)
    with pytest.raises(TransitionError, match="请先上传合同文本"):
        reg.submit(seller, contract, registry("xining"))


def test_a_seller_outside_qinghai_records_its_registration(make_contract, make_user, org, buyer, buyer_org,
                                                           registry, provincial_registrar):
    beijing = org("北京某技术转移有限公司", "beijing")
    beijing_user = make_user("beijing", organisation=beijing)
    contract = make_contract(beijing_user, beijing, buyer_org)
    only_provincial = "应向所在地区的登记机构申请登记（青海省技术合同登记机构（省级））"
    with pytest.raises(TransitionError, match=re.escape(only_provincial)):
        reg.submit(beijing_user, contract, registry("haixi"))
    with pytest.raises(TransitionError, match="请填写该登记机构名称和登记号"):
        reg.submit(beijing_user, contract, registry("qinghai"))
    registration = reg.submit(beijing_user, contract, registry("qinghai"), "北京技术市场管理办公室", "2026110000123")
    assert registration.external
    registration = reg.register(provincial_registrar, reg.accept(provincial_registrar, registration))
    assert registration.status == S.REGISTERED and registration.number is None
    assert registration.label == "省外登记号 2026110000123"
    assert not reg.has_certificate(registration)


def test_no_reconsideration_of_a_contract_since_changed(submitted, seller, xining_registrar, registry):
    registration = reg.refuse(xining_registrar, submitted, "技术交易额计算有误。")
    data = contracts.to_input(registration.contract)
    data.technology_amount = Decimal("700000")
    contracts.update_contract(seller, registration.contract, data)
    registration.refresh_from_db()
    with pytest.raises(TransitionError, match="合同在未予登记后已经修改"):
        reg.request_reconsideration(seller, registration, "不服。")
    again = reg.submit(seller, registration.contract, registry("xining"))
    with pytest.raises(TransitionError, match=f"本合同已另行申请登记（西宁市技术合同登记机构申请编号 {again.pk}"):
        reg.request_reconsideration(seller, registration, "不服。")
    assert_unchanged(registration, S.REFUSED, 2)


def test_other_apps_hear_of_a_registration_after_commit_and_their_failure_changes_nothing(
        submitted, xining_registrar, seller_org, buyer_org, django_capture_on_commit_callbacks, caplog):
    from techmarket.market.signals import registration_changed

    heard = []

    def listener(sender, registration, action, organisation_ids, **kwargs):
        heard.append((registration.pk, action, organisation_ids))

    def broken(sender, **kwargs):
        raise RuntimeError("a receiver's bug")

    registration_changed.connect(listener, dispatch_uid="test-listener")
    registration_changed.connect(broken, dispatch_uid="test-broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            registration = reg.accept(xining_registrar, submitted)
        assert heard == []  # accepting registers nothing yet
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            registration = reg.register(xining_registrar, registration)
            assert heard == []  # not before the commit
        assert len(callbacks) >= 1
    finally:
        registration_changed.disconnect(dispatch_uid="test-listener")
        registration_changed.disconnect(dispatch_uid="test-broken")
    assert heard == [(registration.pk, A.REGISTER, sorted([seller_org.pk, buyer_org.pk]))]
    registration.refresh_from_db()
    assert registration.status == S.REGISTERED  # the broken receiver was logged, the decision stands
    assert "registration_changed" in caplog.text
