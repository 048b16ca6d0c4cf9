"""Recording and reviewing platforms and teams: who may, the review flow, bounds, the audit log."""

import datetime

import pytest
from django.db import IntegrityError

from techmarket.common.audit import history_for
from techmarket.common.errors import Conflict, InvalidInput, NotAllowed
from techmarket.platforms.models import Platform, Review
from techmarket.platforms.services import records

pytestmark = pytest.mark.django_db


def test_a_member_submits_for_their_organisation_and_a_reviewer_approves(host_member, reviewer, host, region,
                                                                          national_platform):
    platform = national_platform(host_member, partner_regions=[region("jiangsu")])
    assert platform.status == Review.SUBMITTED and platform.host == host and platform.document_name == "认定文件.pdf"
    assert records.public_platforms().count() == 0
    records.approve(reviewer, platform)
    assert list(records.public_platforms()) == [platform]
    assert [line.action for line in history_for(platform)] == ["submit", "approve"]
    with pytest.raises(Conflict, match="已由其他审核员处理"):
        records.reject(reviewer, platform, "重复")
    assert host_member.notifications.filter(topic="platforms.review").exists()


def test_a_reviewer_records_directly_and_approval_is_immediate(reviewer, host, national_platform):
    platform = national_platform(reviewer, host=host, document=False)
    assert platform.status == Review.APPROVED and platform.reviewed_by == reviewer
    assert [line.action for line in history_for(platform)] == ["record"]


def test_who_may_record(unverified, outsider, host_member, org, national_platform):
    with pytest.raises(NotAllowed):
        national_platform(unverified)
    with pytest.raises(NotAllowed):
        national_platform(outsider)
    with pytest.raises(NotAllowed, match="只能登记本单位"):
        national_platform(host_member, host=org("别人的单位", "xining"))
    with pytest.raises(InvalidInput, match="证明文件"):
        national_platform(host_member, document=False)


def test_only_reviewers_decide_and_a_rejection_needs_a_reason(host_member, reviewer, national_platform):
    platform = national_platform(host_member)
    with pytest.raises(NotAllowed):
        records.approve(host_member, platform)
    with pytest.raises(InvalidInput, match="原因"):
        records.reject(reviewer, platform, " ")
    records.reject(reviewer, platform, "认定文件不清晰")
    platform.refresh_from_db()
    assert platform.status == Review.REJECTED and platform.review_reason == "认定文件不清晰"


def test_bounds(host_member, national_platform, team, org):
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        national_platform(host_member, recognised_on=datetime.date.today() + datetime.timedelta(days=1))
    with pytest.raises(InvalidInput, match="1985"):
        national_platform(host_member, recognised_on=datetime.date(1984, 12, 31))
    with pytest.raises(InvalidInput, match="只能是"):
        national_platform(host_member, kind="provincial-key-laboratory", level="national")
    with pytest.raises(InvalidInput, match="类别"):
        national_platform(host_member, kind="no-such-kind")
    with pytest.raises(InvalidInput, match="建设期"):
        national_platform(host_member, construction_years=11)
    with pytest.raises(InvalidInput, match="平台名称不能超过 200 个字"):
        national_platform(host_member, name="平" * 201)
    with pytest.raises(InvalidInput, match="控制字符"):
        national_platform(host_member, name="平台\u202e名称")
    with pytest.raises(InvalidInput, match="不能相同"):
        team(host_member, host_member.organisation)
    assert national_platform(host_member, recognised_on=datetime.date(1985, 1, 1)).pk


def test_database_refuses_dates_out_of_bounds(host):
    with pytest.raises(IntegrityError):
        Platform.objects.create(name="x", kind="pilot-base", level="provincial", host=host,
                                recognised_on=datetime.date(1900, 1, 1))


def test_filters_and_search(reviewer, host, org, region, national_platform, team):
    national_platform(reviewer, host=host, partner_regions=[region("beijing")])
    national_platform(reviewer, host=org("海东测试企业", "haidong"), kind="pilot-base", level="provincial",
                      name="海东中试基地")
    assert [p.name for p in records.public_platforms(records.Filters(level="provincial"))] == ["海东中试基地"]
    assert [p.name for p in records.public_platforms(records.Filters(region="haidong"))] == ["海东中试基地"]
    assert [p.name for p in records.public_platforms(records.Filters(q="工程研究"))] == ["盐湖资源国家工程研究中心"]
    team(reviewer, org("浙江测试大学", "zhejiang", "university"), host=host)
    assert records.public_teams(records.Filters(q="浙江")).count() == 1
    assert records.public_teams(records.Filters(region="haidong")).count() == 0
