"""The acceptance of issue 15: recording a national platform co-built with a partner province and an introduced
team moves the two 2027 indicators at once, each linking to the record."""

import datetime

import pytest

from techmarket.indicators.models import Indicator
from techmarket.indicators.services import computations, dashboard
from techmarket.indicators.services.periods import parse
from techmarket.platforms.services import records

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 31)


def figures(period="2026Q1"):
    rows = {row.indicator.code: row for row in dashboard.rows(parse(period), TODAY)}
    return rows["a2027-national-platforms"], rows["a2027-teams"]


def test_both_indicators_are_computed_from_the_records():
    assert Indicator.objects.get(code="a2027-teams").computed_by == "teams_introduced"
    assert Indicator.objects.get(code="a2027-national-platforms").computed_by == "national_platforms_co_built"


def test_a_co_built_national_platform_and_an_introduced_team_move_both_indicators_at_once(
        reviewer, region, org, national_platform, team, host):
    platforms_before, teams_before = figures()
    assert platforms_before.computed.value == teams_before.computed.value == 0

    platform = national_platform(reviewer, host=host, partner_regions=[region("jiangsu")])
    introduced = team(reviewer, org("江苏测试大学", "jiangsu", "university"), host=host)

    platforms_after, teams_after = figures()
    assert platforms_after.value == 1 and teams_after.value == 1
    assert [(link.kind, link.id, link.url, link.label) for link in platforms_after.computed.links] == [
        ("national-platform", platform.pk, f"/platforms/{platform.pk}/", platform.name)]
    assert [(link.kind, link.id, link.url) for link in teams_after.computed.links] == [
        ("team", introduced.pk, f"/platforms/teams/{introduced.pk}/")]


def test_only_approved_national_platforms_with_a_partner_count(
        reviewer, host_member, host, region, org, national_platform):
    national_platform(host_member, partner_regions=[region("beijing")])  # submitted, not yet approved
    national_platform(reviewer, host=host, name="无共建单位的国家级平台")  # no partner
    national_platform(reviewer, host=host, level="provincial", partner_regions=[region("beijing")],
                      name="省级平台")
    assert figures()[0].value == 0
    partnered = national_platform(reviewer, host=host, partner_organisations=[org("天津测试大学", "tianjin")],
                                  name="与援扶单位共建的国家级平台")
    assert figures()[0].value == 1
    assert figures()[0].computed.links[0].id == partnered.pk


def test_approval_moves_the_indicator_and_rejection_does_not(reviewer, host_member, region, org, national_platform,
                                                            team):
    platform = national_platform(host_member, partner_regions=[region("beijing")])
    introduced = team(host_member, org("北京测试研究所", "beijing", "institute"))
    assert [row.value for row in figures()] == [0, 0]
    records.approve(reviewer, platform)
    records.reject(reviewer, introduced, "证明文件与团队名称不符")
    assert [row.value for row in figures()] == [1, 0]


def test_counted_from_the_plan_start_to_the_period_end(reviewer, host, region, national_platform):
    national_platform(reviewer, host=host, partner_regions=[region("beijing")],
                      recognised_on=datetime.date(2024, 12, 31), name="行动方案之前认定的平台")
    later = national_platform(reviewer, host=host, partner_regions=[region("beijing")],
                              recognised_on=datetime.date(2026, 2, 1), name="2026年认定的平台")
    assert figures("2025Q4")[0].value == 0
    assert [link.id for link in figures("2026Q1")[0].computed.links] == [later.pk]
    assert computations.compute("national_platforms_co_built", datetime.date(2025, 1, 1), TODAY).value == 1


def test_the_records_page_links_each_counted_record(reviewer, login, host, region, national_platform):
    platform = national_platform(reviewer, host=host, partner_regions=[region("beijing")])
    page = login(reviewer).get("/indicators/a2027-national-platforms/records/?period=2026Q1")
    assert page.status_code == 200
    assert f'href="/platforms/{platform.pk}/"' in page.content.decode()
    assert platform.name in page.content.decode()
