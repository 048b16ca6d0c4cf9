"""Rewards from the platform's own records (issue 14): the policy facts provider, "我能获得什么" from a registered
contract, and applications whose facts are taken from the record rather than typed."""

import pytest
from django.urls import reverse

from techmarket.directory.models import Organisation, Region
from techmarket.market.policy_facts import SOURCE
from techmarket.policy.models import Application
from techmarket.policy.services import applications, facts
from techmarket.policy.services.facts import FactsError, Provenance

pytestmark = pytest.mark.django_db


@pytest.fixture
def beijing_seller(db):
    return Organisation.objects.create(name="北京先进储能技术有限公司", region=Region.objects.get(code="beijing"))


@pytest.fixture
def contract(registered_contract, beijing_seller, qinghai_university):
    """A licence of a Beijing company's technology to 青海大学, registered on 2026 dates."""
    return registered_contract(beijing_seller, qinghai_university, title="高原储能技术许可")


def test_the_market_vouches_for_a_registered_contract(contract, member, qinghai_university, beijing_seller):
    record = facts.record(SOURCE, str(contract.pk), member)
    assert record.url == contract.get_absolute_url() and "高原储能技术许可" in record.label and "登记号" in record.label
    assert record.organisation_ids == {qinghai_university.pk, beijing_seller.pk}
    event = record.event
    assert event["type"] == "technology-contract" and event["project"] == f"market-contract-{contract.pk}"
    assert {"registered", "from_outside_qinghai", "buyer_in_qinghai"} <= set(event["flags"])
    assert [item.key for item in facts.records_for(member)] == [str(contract.pk)]
    provenance = Provenance.from_record(record)
    assert provenance.declared == () and "parties" in provenance.vouched and "当事方" in provenance.vouched_labels


def test_records_are_seen_only_by_those_who_may_see_the_contract(contract, outsider, make_user):
    for user in (outsider, make_user("other", organisation=Organisation.objects.get(name="兰州大学"))):
        with pytest.raises(FactsError):
            facts.record(SOURCE, str(contract.pk), user)
        assert facts.records_for(user) == []
    for key in ("", "abc", "99999999", "1" * 60):
        with pytest.raises(FactsError):
            facts.record(SOURCE, key, outsider)
    with pytest.raises(FactsError):
        facts.record("market.nothing", str(contract.pk), outsider)


def test_an_unregistered_contract_says_so_and_is_not_offered(make_user, beijing_seller, qinghai_university, member,
                                                            settings, tmp_path):
    from tests.market.conftest import record_contract

    settings.MEDIA_ROOT = tmp_path / "media"
    contract = record_contract(make_user("bj", organisation=beijing_seller), beijing_seller, qinghai_university)
    record = facts.record(SOURCE, str(contract.pk), member)
    assert "尚未完成技术合同认定登记" in record.note and "registered" not in record.event["flags"]
    assert facts.records_for(member) == []


def test_the_claim_page_shows_the_facts_from_the_record_and_why_nothing_is_paid_yet(client, login, member,
                                                                                    contract):
    url = reverse("policy:claim", args=[SOURCE, contract.pk])
    response = login(member).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "高原储能技术许可" in html and "北京先进储能技术有限公司" in html and "不能修改" in html
    # No payment recorded yet: the 20% rule for introduced technology has no base, and the page says which.
    assert "引进省外先进技术成果奖励" in html and 'id="claim-form"' not in html
    with pytest.raises(applications.ApplicationError, match="没有可申请的奖补"):
        applications.submit_record(member, SOURCE, str(contract.pk))
    assert not Application.objects.exists()


def test_only_the_parties_verified_members_may_claim(client, login, contract, outsider, unverified, make_user):
    url = reverse("policy:claim", args=[SOURCE, contract.pk])
    assert client.get(url).status_code == 302  # to log-in
    other = make_user("other", organisation=Organisation.objects.get(name="兰州大学"))
    for user in (outsider, unverified, other):
        assert login(user).get(url).status_code == 403
        assert client.post(url).status_code in (302, 403)
    assert not Application.objects.exists()


def test_the_contract_page_leads_a_party_to_its_rewards(client, login, member, contract):
    html = login(member).get(contract.get_absolute_url()).content.decode()
    assert 'id="claim-rewards"' in html and reverse("policy:claim", args=[SOURCE, contract.pk]) in html
    listed = login(member).get(reverse("policy:claimable")).content.decode()
    assert reverse("policy:claim", args=[SOURCE, contract.pk]) in listed


# --- Paid amounts: the 20% for technology introduced from outside Qinghai, instalment by instalment ------------

@pytest.fixture
def licence(registered_contract, beijing_seller, qinghai_university):
    """A ¥8M transfer from a Beijing company to 青海大学, registered."""
    return registered_contract(beijing_seller, qinghai_university, title="盐湖提锂技术转让", total="8000000",
                               technology="8000000")


def pay(user, contract, amount):
    import datetime
    from decimal import Decimal

    from techmarket.market.services.payments import record_payment
    from tests.market.conftest import pdf_upload

    return record_payment(user, contract, Decimal(amount), datetime.date(2026, 11, 20), pdf_upload(f"回单 {amount}"))


INTRODUCTION = "oc2025-8-technology-introduction"


def test_a_claim_from_a_paid_contract_takes_its_facts_and_evidence_from_the_records(member, licence, reviewer):
    from decimal import Decimal

    pay(member, licence, "1000000")
    application = applications.submit_record(member, SOURCE, str(licence.pk))  # nothing uploaded: the records vouch
    [award] = application.awards
    assert (award["rule"], award["amount"]) == (INTRODUCTION, "200000.00")
    assert application.event["amounts"]["paid"] == "1000000.00"
    assert application.facts["source"] == SOURCE and application.facts["declared"] == []
    assert set(application.facts["evidence"]) == {"contract-registration", "payment-receipt"}
    assert not application.evidence.exists()
    assert all(item.vouched for item in applications.checklist(application))
    # The same record again, with nothing paid since: refused, naming the application.
    with pytest.raises(applications.DuplicateApplication, match="此后没有新的到位金额"):
        applications.submit_record(member, SOURCE, str(licence.pk))
    applications.decide(application, reviewer, "approve", evidence_checked=True)

    # A second instalment: only the increment is claimed, under the rules paid on the amount paid.
    pay(member, licence, "2000000")
    second = applications.submit_record(member, SOURCE, str(licence.pk))
    assert second.event["amounts"]["paid"] == "2000000.00"
    assert [(a["rule"], a["amount"]) for a in second.awards] == [(INTRODUCTION, "400000.00")]
    applications.decide(second, reviewer, "approve", evidence_checked=True)

    # The per-project cap counts the earlier awards: ¥5M more would earn ¥1M, but only ¥400,000 is left.
    pay(member, licence, "5000000")
    third = applications.submit_record(member, SOURCE, str(licence.pk))
    assert third.computed_total == Decimal("400000.00")
    assert any("上限 ¥1,000,000.00" in step for step in third.awards[0]["steps"])


def test_the_claim_page_applies_with_the_records_facts_whatever_is_posted(client, login, member, licence):
    pay(member, licence, "2000000")
    url = reverse("policy:claim", args=[SOURCE, licence.pk])
    html = login(member).get(url).content.decode()
    assert "¥400,000.00" in html and 'id="claim-form"' in html and "平台到账记录" in html
    assert 'name="evidence-' not in html  # the records stand for every item of evidence
    response = client.post(url, {"event": '{"amounts": {"paid": "9000000"}}', "amount": "9000000"})
    application = Application.objects.get()
    assert response.status_code == 302 and response.url == reverse("policy:application", args=[application.pk])
    assert application.event["amounts"]["paid"] == "2000000.00" and application.computed_total == 400000
    response = client.post(url, follow=True)  # again: the existing application, not a second one
    assert Application.objects.count() == 1 and "此后没有新的到位金额" in response.content.decode()
    assert client.get(url).url == reverse("policy:application", args=[application.pk])
