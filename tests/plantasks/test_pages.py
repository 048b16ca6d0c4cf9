"""The pages, in Chinese: reviewers see every unit and make the dispatch report; a unit's user sees its own units
and reports through the form; anyone else gets 403 (anonymous visitors log in first)."""

import re

import pytest
from django.urls import reverse

from techmarket.plantasks.models import ProgressReport
from tests.plantasks.conftest import pdf_upload
from tests.web.words import english_words, internal_codes

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_reviewers_pages_are_chinese(client, reviewer, unit_user, unit):
    unit_user(6, "省科技厅", "lead-user1")
    reviewer.display_name = "审核员"
    reviewer.save()
    client.force_login(reviewer)
    for url in ["/plantasks/", "/plantasks/?period=2026Q2", "/plantasks/6/", "/plantasks/dispatch/"]:
        text = text_of(client.get(url))
        assert english_words(text) == [] and internal_codes(text) == [], url
    task = text_of(client.get("/plantasks/6/"))
    assert "完善技術交易市場" in task and "填报人1" in task and "指定填报人" in task
    overview = text_of(client.get("/plantasks/"))
    assert "省委金融办" in overview
    # The 2016 action plan's annex, with its departments and schedule.
    assert "青政办〔2016〕218号" in overview and "改革科技成果评价和登记制度" in overview
    assert "2017年6月底前完成" in overview and "省科技厅（会同省有关部门）" in overview


def test_a_unit_user_reports_through_the_form(client, unit_user, unit):
    user = unit_user(6, "省科技厅", "lead-user1")
    lead = unit(6, "省科技厅")
    client.force_login(user)
    overview = text_of(client.get("/plantasks/"))
    assert "完善技术交易市场" in overview and "高效凝练产业技术需求" not in overview
    form = reverse("plantasks:report", args=[lead.pk])
    assert english_words(text_of(client.get(form))) == []
    post = {"period": "2026Q3", "progress": "本季度上线线上服务平台。", "evidence": pdf_upload("季度进展")}
    response = client.post(form, post)
    assert response.status_code == 302
    report = ProgressReport.objects.get(unit=lead)
    assert report.period_key == "2026Q3"
    evidence = client.get(reverse("plantasks:evidence", args=[report.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content).startswith(b"%PDF")
    assert "本季度上线线上服务平台" in text_of(client.get("/plantasks/6/"))


def test_others_are_refused(client, member, unit_user, unit, reviewer):
    user = unit_user(6, "省科技厅", "lead-user1")
    other = unit_user(7, "省科技厅", "lead-user2")
    lead = unit(6, "省科技厅")
    response = client.get("/plantasks/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(member)
    for url in ["/plantasks/", "/plantasks/6/", "/plantasks/dispatch/", reverse("plantasks:report", args=[lead.pk])]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("plantasks:assign", args=[lead.pk]), {"username": member.username}).status_code == 403
    client.force_login(other)
    assert client.get(reverse("plantasks:report", args=[lead.pk])).status_code == 403
    assert client.get("/plantasks/dispatch/").status_code == 403
    client.force_login(user)
    client.post(reverse("plantasks:report", args=[lead.pk]),
                {"period": "2026Q3", "progress": "进展", "evidence": pdf_upload()})
    report = ProgressReport.objects.get(unit=lead)
    client.force_login(other)
    assert client.get(reverse("plantasks:evidence", args=[report.pk])).status_code == 404
    client.force_login(reviewer)
    assert client.get(reverse("plantasks:evidence", args=[report.pk])).status_code == 200
    assert client.get("/plantasks/?period=2030Q1").status_code == 400


def test_a_reviewer_assigns_through_the_task_page(client, reviewer, member, unit):
    client.force_login(reviewer)
    lead = unit(6, "省科技厅")
    response = client.post(reverse("plantasks:assign", args=[lead.pk]), {"username": member.username})
    assert response.status_code == 302 and lead.memberships.filter(user=member).exists()
    client.post(reverse("plantasks:assign", args=[lead.pk]), {"username": "nobody-here"})
    assert lead.memberships.count() == 1


def test_the_menu_links_task_tracking_for_those_who_use_it(client, reviewer, unit_user, member):
    link = 'href="/plantasks/">任务调度</a>'
    for user, shown in [(reviewer, True), (unit_user(6, "省科技厅", "lead-user1"), True), (member, False)]:
        client.force_login(user)
        assert (link in client.get("/").content.decode()) is shown, user
    client.logout()
    assert link not in client.get("/").content.decode()
