"""Parties' standing from the platform's registers (policy facts `register_standing`): a register that knows a party
decides its qualifications and the sanctions that block its rewards, on the event's date, whatever the event
declares; a rule's `party_requires` names what a role must hold. (The registers themselves — brokers, transfer
institutions — are tested in their own app with this interface.)"""

import datetime

import pytest

from techmarket.policy.services import applications, facts
from techmarket.policy.services.facts import Standing

pytestmark = pytest.mark.django_db

REVOKED_ON = datetime.date(2019, 5, 1)


def broker_register(role, name, organisation_id, on):
    """A register that knows one broker, qualified until REVOKED_ON, revoked from then on."""
    if role != "broker" or name != "经纪人张三":
        return None
    if on < REVOKED_ON:
        return Standing(frozenset({"broker"}))
    return Standing(blocks=("技术经纪人经纪人张三的资格已于2019-05-01被撤销（第二十八条），不予补助",))


@pytest.fixture
def register(monkeypatch):
    monkeypatch.setitem(facts._STANDINGS, "test.brokers", broker_register)


def deal(date: str, qualifications=()) -> dict:
    broker = {"role": "broker", "name": "经纪人张三",
              **({"qualifications": list(qualifications)} if qualifications else {})}
    return {"type": "technology-contract", "date": date, "kind": "transfer", "amount": "1000000",
            "parties": [{"role": "buyer", "name": "买方企业"}, broker], "flags": {"online": True}}


def broker_outcome(result):
    award = next((a for a in result.awards if a.beneficiary_role == "broker"), None)
    refused = next((n for n in result.not_applied if n.rule_id == "tm2016-art34-intermediary"), None)
    return award, refused


def test_a_broker_qualified_on_the_deals_date_is_paid_and_the_derivation_says_by_which_record(register, reviewer):
    _, result = applications.calculate(deal("2019-04-30"), reviewer)
    award, _ = broker_outcome(result)
    assert award is not None and str(award.amount) == "10000.00"
    assert "经纪人张三在事件日期具备技术经纪人资格 ✓（平台登记记录）" in award.steps


def test_a_broker_revoked_before_the_deals_date_gets_nothing_even_if_the_event_declares_it(register, reviewer):
    _, result = applications.calculate(deal("2019-05-02", qualifications=["broker"]), reviewer)
    award, refused = broker_outcome(result)
    assert award is None
    assert refused.code == "sanction"
    assert refused.reason == "技术经纪人经纪人张三的资格已于2019-05-01被撤销（第二十八条），不予补助"


def test_a_broker_no_register_knows_is_paid_only_as_declared(reviewer):
    _, result = applications.calculate(deal("2019-04-30"), reviewer)
    award, refused = broker_outcome(result)
    assert award is None and refused.code == "qualification"
    assert refused.reason == "事件未载明且平台登记中查无记录，经纪人张三在事件日期不具备技术经纪人资格"
    _, result = applications.calculate(deal("2019-04-30", qualifications=["broker"]), reviewer)
    award, _ = broker_outcome(result)
    assert award is not None and "经纪人张三在事件日期具备技术经纪人资格 ✓（事件载明）" in award.steps


def test_an_unknown_qualification_is_refused_by_name(reviewer):
    from techmarket.policy.services.events import EventError

    with pytest.raises(EventError, match="qualification"):
        applications.calculate(deal("2019-04-30", qualifications=["wizard"]), reviewer)
