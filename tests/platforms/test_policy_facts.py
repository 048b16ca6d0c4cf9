"""Approved platforms and teams are claimable recognitions for the policy engine (platforms/policy_facts.py)."""

import datetime

import pytest

from techmarket.platforms import policy_facts
from techmarket.platforms.services import records
from techmarket.policy.services.facts import record, records_for

pytestmark = pytest.mark.django_db


def test_a_national_platform_is_a_claimable_recognition_and_the_claim_page_shows_the_award(
        reviewer, host_member, host, region, national_platform, login):
    platform = national_platform(host_member, partner_regions=[region("jiangsu")], construction_years=3,
                                 recognition_number="国科发基〔2025〕12号")
    assert records_for(host_member) == []  # not approved yet
    records.approve(reviewer, platform)

    item = record("platforms.platform", str(platform.pk), host_member)
    assert item.event == {"type": "recognition", "date": "2025-06-01", "kind": "national-innovation-platform",
                          "parties": [{"role": "recipient", "name": host.name, "organisation_id": host.pk}],
                          "project": f"platform-{platform.pk}", "years": 3}
    assert "recognition-document" in item.evidence
    assert [r.key for r in records_for(host_member)] == [str(platform.pk)]

    page = login(host_member).get(f"/policy/claim/platforms.platform/{platform.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "新认定国家级科技创新平台建设与运行经费" in text
    assert "6,000,000" in text  # ¥2,000,000 a year for the 3-year construction period


def test_a_provincial_new_rd_institution_is_its_own_recognition(reviewer, host, national_platform):
    platform = national_platform(reviewer, host=host, kind="new-rd-institution", level="provincial",
                                 name="盐湖新型研发机构")
    assert policy_facts.platform_record(platform).event["kind"] == "new-rd-institution"
    other = national_platform(reviewer, host=host, kind="pilot-base", level="provincial", name="省级中试基地")
    assert policy_facts.platform_record(other) is None  # no recognition the rules pay for


def test_a_team_is_a_qianren_recognition_only_when_the_record_says_so(reviewer, host, org, team):
    origin = org("上海测试大学", "shanghai", "university")
    plain = team(reviewer, origin, host=host)
    assert policy_facts.team_record(plain) is None
    selected = team(reviewer, origin, host=host, name="千人计划引进团队", qianren_team=True,
                    introduced_on=datetime.date(2025, 10, 1))
    assert policy_facts.team_record(selected).event["kind"] == "qianren-introduced-team"


def test_others_may_not_claim_from_a_platform(reviewer, host, region, national_platform, make_user, org, login):
    platform = national_platform(reviewer, host=host, partner_regions=[region("beijing")])
    stranger = make_user("stranger", organisation=org("另一家企业", "xining"))
    page = login(stranger).get(f"/policy/claim/platforms.platform/{platform.pk}/")
    assert page.status_code in (200, 403)
    assert "6,000,000" not in page.content.decode() and "10,000,000" not in page.content.decode()
