"""The JSON API (public articles, drafts hidden, events with statistics, signing up with the refusal's reason) and
the commands (reminders, the yearly export)."""

import io

import pytest
from django.core.management import call_command

from techmarket.publishing.services import articles, events

pytestmark = pytest.mark.django_db


def test_articles_api_shows_public_ones_and_hides_drafts(client, editor, reviewer, draft_article):
    public = draft_article(title="关于发布科技成果转化典型案例的通知")
    articles.submit(editor, public)
    articles.approve(reviewer, public)
    draft = draft_article(title="尚未审核的草稿")
    listed = client.get("/api/publishing/articles").json()
    assert [a["title"] for a in listed["items"]] == [public.title]
    assert client.get(f"/api/publishing/articles/{draft.pk}").status_code == 404
    detail = client.get(f"/api/publishing/articles/{public.pk}").json()
    assert detail["body_html"].startswith("<p>") and detail["kind_name"] == "通知公告"
    assert client.get("/api/publishing/articles", {"q": "典型案例"}).json()["count"] == 1
    client.force_login(editor)
    assert client.get(f"/api/publishing/articles/{draft.pk}").status_code == 200


def test_events_api_and_sign_up_with_the_reason(client, make_event, organiser, attendee):
    event = make_event(organiser, capacity=1, requires_approval=False)
    listed = client.get("/api/publishing/events").json()
    assert listed["items"][0]["title"] == event.title and "organiser" in listed["items"][0]
    assert client.post(f"/api/publishing/events/{event.pk}/signup", {}, content_type="application/json"
                       ).status_code == 401
    first = attendee(1)
    client.force_login(first)
    answer = client.post(f"/api/publishing/events/{event.pk}/signup", {"note": "参加"},
                         content_type="application/json")
    assert answer.status_code == 201 and answer.json()["status"] == "approved"
    again = client.post(f"/api/publishing/events/{event.pk}/signup", {}, content_type="application/json")
    assert again.status_code == 200 and again.json()["created"] is False
    client.force_login(attendee(2))
    full = client.post(f"/api/publishing/events/{event.pk}/signup", {}, content_type="application/json")
    assert full.status_code == 400 and full.json()["detail"] == "名额已满：本活动限 1 人，已有 1 人报名，无法再报名。"
    too_long = client.post(f"/api/publishing/events/{event.pk}/signup", {"note": "长" * 501},
                           content_type="application/json")
    assert too_long.status_code == 422
    detail = client.get(f"/api/publishing/events/{event.pk}").json()
    assert detail["statistics"]["approved"] == 1 and detail["taken"] == 1
    year = client.get(f"/api/publishing/statistics/{event.starts_at.year}").json()
    assert year["events"] >= 1


def test_the_reminder_and_export_commands(make_event, organiser, attendee):
    event = make_event(organiser, requires_approval=False, days=2)
    events.sign_up(attendee(1), event)
    out = io.StringIO()
    call_command("remind_events", "--days", "7", stdout=out)
    assert out.getvalue().strip() == "1 reminder(s) sent"
    export = io.StringIO()
    call_command("events_export", str(event.starts_at.year), stdout=export)
    assert "活动,类型,主办单位" in export.getvalue() and event.title in export.getvalue()
