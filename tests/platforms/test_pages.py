"""The pages: public directories and details in Chinese, the recording forms, the reviewers' queue."""

import pytest

from techmarket.platforms.models import Platform, Review, Team
from tests.web.words import english_words, internal_codes

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    import re

    body = response.content.decode()
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_public_pages_are_chinese_and_hide_unapproved_records(client, reviewer, host_member, host, region,
                                                              national_platform, team, org):
    shown = national_platform(reviewer, host=host, partner_regions=[region("jiangsu")])
    hidden = national_platform(host_member, name="待审核的平台")
    introduced = team(reviewer, org("江苏测试大学", "jiangsu", "university"), host=host)
    for url in ["/platforms/", "/platforms/?level=national&q=盐湖", "/platforms/teams/", shown.get_absolute_url(),
                introduced.get_absolute_url()]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert english_words(text_of(page)) == [] and internal_codes(text_of(page)) == [], url
    listing = client.get("/platforms/").content.decode()
    assert shown.name in listing and hidden.name not in listing and "江苏省" in listing
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(f"/platforms/{shown.pk}/document/").status_code == 302  # log in first


def test_member_records_a_platform_and_a_team_through_the_forms(host_member, reviewer, login, region, settings):
    from tests.platforms.conftest import pdf

    client = login(host_member)
    form = client.get("/platforms/new/")
    assert form.status_code == 200 and english_words(text_of(form)) == []
    response = client.post("/platforms/new/", {
        "name": "高原生态国家重点实验室", "kind": "national-key-laboratory", "level": "national",
        "recognised_on": "2025-05-20", "partner_names": "北京测试大学\n", "partner_regions": [region("beijing").pk],
        "state": "operating", "document": pdf()})
    platform = Platform.objects.get(name="高原生态国家重点实验室")
    assert response.status_code == 302 and platform.status == Review.SUBMITTED
    assert [o.name for o in platform.partner_organisations.all()] == ["北京测试大学"]
    response = client.post("/platforms/teams/new/", {
        "name": "高原医学创新团队", "leader_name": "赵强", "members": "孙丽，研究员\n周杰",
        "origin_name": "四川测试大学", "introduced_on": "2025-08-01", "document": pdf()})
    team = Team.objects.get(name="高原医学创新团队")
    assert response.status_code == 302 and team.members == [{"name": "孙丽", "title": "研究员"},
                                                             {"name": "周杰", "title": ""}]
    queue = login(reviewer).get("/platforms/review/")
    assert platform.name in queue.content.decode() and team.name in queue.content.decode()
    decided = login(reviewer).post(f"/platforms/review/platform/{platform.pk}/", {"decision": "approve"})
    assert decided.status_code == 302
    platform.refresh_from_db()
    assert platform.status == Review.APPROVED
    assert login(host_member).get(f"/platforms/{platform.pk}/document/").status_code == 200


def test_who_reaches_the_forms_and_the_queue(client, login, unverified, host_member):
    assert client.get("/platforms/new/").status_code == 302
    assert login(unverified).get("/platforms/new/").status_code == 403
    assert login(host_member).get("/platforms/review/").status_code == 403
    assert login(host_member).post("/platforms/review/platform/1/", {"decision": "approve"}).status_code == 403


def test_json_api_lists_approved_records_only(client, reviewer, host_member, host, region, national_platform, team,
                                              org):
    shown = national_platform(reviewer, host=host, partner_regions=[region("jiangsu")])
    national_platform(host_member, name="待审核的平台")
    introduced = team(reviewer, org("江苏测试大学", "jiangsu", "university"), host=host)
    data = client.get("/api/platforms?level=national").json()
    assert data["count"] == 1 and data["items"][0]["partner_regions"] == ["江苏省"]
    assert client.get(f"/api/platforms/{shown.pk}").json()["level_name"] == "国家级"
    assert client.get("/api/platforms/teams").json()["items"][0]["id"] == introduced.pk
    assert client.get(f"/api/platforms/teams/{introduced.pk}").status_code == 200
    assert client.get("/api/platforms/999999").status_code == 404
