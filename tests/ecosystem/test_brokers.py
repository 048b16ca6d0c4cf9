"""Brokers: training and assessment qualify from the assessment's date; the status on any date from the dated
history; suspension and revocation (第二十八条) enter it; the deals each brokered; the standing the policy engine
reads: a broker revoked before a contract's date gets no broker reward and the derivation says why."""

import datetime

import pytest

from techmarket.common.errors import InvalidInput, NotAllowed, Refused
from techmarket.ecosystem.models import BrokerStatus, Sanction, Target
from techmarket.ecosystem.services import brokers as service
from techmarket.ecosystem.services import complaints
from techmarket.ecosystem.services.standing import standing
from techmarket.market.services.contracts import PartyInput

D = datetime.date
Q, S, R = BrokerStatus.Status.QUALIFIED, BrokerStatus.Status.SUSPENDED, BrokerStatus.Status.REVOKED


@pytest.fixture
def broker(reviewer, qinghai_university):
    broker = service.register_broker(reviewer, service.BrokerInput(
        name="张三", id_number="630102199001011234", organisation_id=qinghai_university.pk, phone="13800000000"))
    service.record_training(reviewer, broker, "青海省技术市场管理办公室", D(2019, 3, 1), D(2019, 3, 10), "passed",
                            "QH-JJR-2019-001")
    return broker


def test_status_on_a_date(broker, reviewer):
    assert service.status_on(broker, D(2019, 3, 9)) is None
    assert service.status_on(broker, D(2019, 3, 10)) == Q
    complaints.sanction(reviewer, Target.BROKER, broker, "suspension", D(2019, 6, 1), D(2019, 6, 30), "违规宣传")
    complaints.sanction(reviewer, Target.BROKER, broker, "revocation", D(2019, 9, 1), None, "提供虚假技术信息")
    expected = {D(2019, 5, 31): Q, D(2019, 6, 1): S, D(2019, 6, 30): S, D(2019, 7, 1): Q, D(2019, 8, 31): Q,
                D(2019, 9, 1): R, D(2025, 1, 1): R}
    assert {day: service.status_on(broker, day) for day in expected} == expected
    assert broker.sanctions.get(kind="revocation").article == "第二十八条"  # the broker's revocation


def test_a_failed_assessment_does_not_qualify(reviewer):
    broker = service.register_broker(reviewer, service.BrokerInput(name="李四"))
    service.record_training(reviewer, broker, "青海省技术市场管理办公室", D(2020, 1, 1), D(2020, 1, 5), "failed")
    assert service.status_on(broker, D(2024, 1, 1)) is None
    assert service.status_label(broker) == "未取得资格"


@pytest.mark.parametrize("args, message", [
    ((D(2020, 1, 5), D(2020, 1, 1), "passed", "X-1"), "考核日期不能早于培训日期"),
    ((D(2020, 1, 1), D(2020, 1, 5), "passed", ""), "证书编号"),
    ((D(2020, 1, 1), D(2020, 1, 5), "excellent", "X-1"), "考核结果"),
])
def test_training_bounds(broker, reviewer, args, message):
    with pytest.raises(InvalidInput, match=message):
        service.record_training(reviewer, broker, "培训机构", *args)


def test_only_reviewers_keep_the_register(member, outsider, broker):
    with pytest.raises(NotAllowed):
        service.register_broker(member, service.BrokerInput(name="王五"))
    with pytest.raises(NotAllowed):
        service.record_training(outsider, broker, "x", D(2020, 1, 1), D(2020, 1, 2), "passed", "1")
    with pytest.raises(NotAllowed):
        complaints.sanction(member, Target.BROKER, broker, "revocation", D(2020, 1, 1), None, "x")


def test_a_suspension_needs_an_end_and_a_start_before_it(broker, reviewer):
    with pytest.raises(InvalidInput):
        complaints.sanction(reviewer, Target.BROKER, broker, "suspension", D(2020, 1, 1), None, "x")
    with pytest.raises(InvalidInput):
        complaints.sanction(reviewer, Target.BROKER, broker, "suspension", D(2020, 1, 1), D(2019, 1, 1), "x")
    assert not Sanction.objects.exists()


def test_standing_for_the_policy_engine(broker, reviewer, qinghai_university):
    assert standing("broker", "张三", None, D(2019, 5, 1)).qualifications == {"broker"}
    assert standing("broker", "张三", qinghai_university.pk, D(2019, 5, 1)).blocks == ()
    assert standing("broker", "张三", qinghai_university.pk + 1000, D(2019, 5, 1)) is None
    assert standing("broker", "无名氏", None, D(2019, 5, 1)) is None
    assert standing("seller", "张三", None, D(2019, 5, 1)) is None
    complaints.sanction(reviewer, Target.BROKER, broker, "revocation", D(2019, 5, 1), None, "提供虚假技术信息")
    found = standing("broker", "张三", None, D(2019, 5, 1))
    assert found.qualifications == frozenset()
    assert found.blocks == ("技术经纪人张三的资格已于2019-05-01被撤销（第二十八条），不予补助",)
    assert standing("broker", "张三", None, D(2019, 4, 30)).qualifications == {"broker"}


def _deal(date: str) -> dict:
    return {"type": "technology-contract", "date": date, "kind": "transfer", "amount": "1000000",
            "parties": [{"role": "buyer", "name": "买方企业"}, {"role": "broker", "name": "张三"}],
            "flags": {"online": True, "registered": True, "delivered": True}}


def test_the_broker_reward_follows_the_register(broker, reviewer, member):
    from techmarket.policy.services import applications

    _, before = applications.calculate(_deal("2019-06-01"), member)
    assert "tm2016-art34-intermediary" in {a.rule_id for a in before.awards}
    complaints.sanction(reviewer, Target.BROKER, broker, "revocation", D(2019, 5, 1), None, "提供虚假技术信息")
    _, after = applications.calculate(_deal("2019-06-01"), member)
    assert "tm2016-art34-intermediary" not in {a.rule_id for a in after.awards}
    [refused] = [n for n in after.not_applied if n.rule_id == "tm2016-art34-intermediary"]
    assert "技术经纪人张三的资格已于2019-05-01被撤销（第二十八条），不予补助" in refused.reason
    _, earlier = applications.calculate(_deal("2019-04-30"), member)  # qualified on that date
    assert "tm2016-art34-intermediary" in {a.rule_id for a in earlier.awards}


def test_deals_brokered(broker, reviewer, member, outsider, registered_contract):
    from techmarket.directory.models import Organisation

    seller, buyer = Organisation.objects.exclude(pk=broker.organisation_id)[:2]
    contract = registered_contract(seller, buyer, extra_parties=[PartyInput(broker.organisation, "broker")])
    other = registered_contract(seller, buyer, title="不经中介的合同")
    assert [c.id for c in service.candidate_contracts(broker)] == [contract.pk]
    with pytest.raises(Refused):
        service.record_deal(outsider, broker, contract.pk)
    with pytest.raises(Refused):
        service.record_deal(member, broker, other.pk)
    service.record_deal(member, broker, contract.pk)
    assert [c.id for c in service.deals(broker)] == [contract.pk]
    assert service.candidate_contracts(broker) == []


def test_a_complaint_leads_to_a_revocation_that_blocks_the_broker_reward(broker, reviewer, outsider, member):
    from techmarket.policy.services import applications

    complaint = complaints.complain(outsider, Target.BROKER, str(broker.pk), "false-information", "虚假技术信息。")
    complaints.sanction(reviewer, Target.BROKER, broker, "revocation", D(2019, 5, 1), None, "经调查属实。",
                        complaint=complaint)
    assert service.status_on(broker, D(2019, 6, 1)) == R
    _, result = applications.calculate(_deal("2019-06-01"), member)
    [refused] = [n for n in result.not_applied if n.rule_id == "tm2016-art34-intermediary"]
    assert refused.code == "sanction" and "第二十八条" in refused.reason
