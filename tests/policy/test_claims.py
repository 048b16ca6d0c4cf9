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
