"""Pages by role, through real requests: the public (lists, an article, the feeds, the home page's block, an
event), editors and reviewers (the desk, the flow), organisers (creating, managing, checking in) and attendees
(signing up, the check-in code, meetings, an outcome that opens an inquiry). Drafts are hidden (404), others'
events' management refused (403), and anonymous pages carry no personal contacts."""

import pytest
from django.urls import reverse

from techmarket.market.models import Inquiry
from techmarket.publishing.models import Article, Event, Meeting, SignUp
from techmarket.publishing.services import articles, events, meetings

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def test_public_pages_answer_for_anonymous_visitors(client):
    for name in ("publishing:news", "publishing:events", "publishing:statistics", "publishing:feed-rss",
                 "publishing:feed-atom", "home"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("publishing:desk")).status_code == 302  # to the log-in page


def test_a_notice_through_the_desk_to_the_page_home_and_feed(client, editor, reviewer, member):
    desk = login(client, editor)
    response = desk.post(reverse("publishing:article-new"), {
        "kind": "notice", "title": "关于征集2026年度技术需求的通知", "summary": "面向全省企业征集技术需求",
        "body": "<p>请于月底前提交。</p><script>x()</script>"})
    article = Article.objects.get(title="关于征集2026年度技术需求的通知")
    assert response.status_code == 302 and "script" not in article.body
    anonymous = client.__class__()
    assert anonymous.get(article.get_absolute_url()).status_code == 404  # a draft
    assert login(client.__class__(), member).get(article.get_absolute_url()).status_code == 404
    desk.post(reverse("publishing:article-act", args=[article.pk]), {"action": "submit"})
    assert Article.objects.get(pk=article.pk).status == Article.Status.REVIEW
    review = login(client.__class__(), reviewer)
    assert article.title in text(review.get(reverse("publishing:desk")))
    review.post(reverse("publishing:article-act", args=[article.pk]), {"action": "approve", "note": "同意"})
    assert anonymous.get(article.get_absolute_url()).status_code == 200
    assert article.title in text(anonymous.get(reverse("home")))
    assert article.title in text(anonymous.get(reverse("publishing:feed-rss")))
    assert article.title in text(anonymous.get(reverse("publishing:feed-atom")))
    assert article.title in text(anonymous.get(reverse("publishing:news") + "?q=技术需求"))


def test_a_withdrawn_notice_disappears_from_page_feed_and_search(client, editor, reviewer, draft_article):
    article = draft_article(title="关于高原特色农牧业技术对接的通知")
    articles.submit(editor, article)
    articles.approve(reviewer, article)
    assert article.title in text(client.get(reverse("publishing:news") + "?q=农牧业"))
    login(client, editor).post(reverse("publishing:article-act", args=[article.pk]),
                               {"action": "withdraw", "withdraw-reason": "活动延期，通知作废"})
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.title not in text(client.get(reverse("publishing:feed-rss")))
    assert article.title not in text(client.get(reverse("publishing:news") + "?q=农牧业"))
    assert article.title not in text(client.get(reverse("publishing:news")))
    assert article.title not in text(client.get(reverse("home")))
    page = text(login(client, editor).get(article.get_absolute_url()))
    assert "活动延期，通知作废" in page and "已撤回" in page


def test_members_and_anonymous_users_get_no_desk(client, member):
    assert login(client, member).get(reverse("publishing:desk")).status_code == 403
    assert client.get(reverse("publishing:article-new")).status_code == 403


def test_organiser_creates_publishes_and_manages_an_event(client, organiser, offer, member):
    page = login(client, organiser)
    assert page.get(reverse("publishing:event-new")).status_code == 200
    response = page.post(reverse("publishing:event-new"), {
        "kind": "roadshow", "title": "新能源技术路演", "organiser": organiser.organisation_id,
        "starts_at": "2030-05-10T09:00", "ends_at": "2030-05-10T12:00", "place": "海东市测试路演厅",
        "capacity": "50", "requires_approval": "on", "meeting_minutes": "20", "listing_numbers": offer.number})
    event = Event.objects.get(title="新能源技术路演")
    assert response.status_code == 302 and list(event.listings.all()) == [offer]
    assert client.__class__().get(event.get_absolute_url()).status_code == 404  # a draft event
    page.post(reverse("publishing:manage-act", args=[event.pk]), {"action": "publish"})
    public = text(client.__class__().get(event.get_absolute_url()))
    assert "新能源技术路演" in public and offer.title in public
    assert login(client.__class__(), member).get(reverse("publishing:manage", args=[event.pk])).status_code == 403
    ics = client.__class__().get(reverse("publishing:calendar", args=[event.pk]))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content


def test_attendee_signs_up_is_approved_checks_in_meets_and_opens_an_inquiry(client, make_event, organiser, attendee,
                                                                           offer):
    event = make_event(organiser, listings=[offer])
    a, b = attendee(1), attendee(2)
    login(client, a).post(reverse("publishing:signup", args=[event.pk]), {"note": "希望洽谈"})
    signup = SignUp.objects.get(event=event, user=a)
    assert signup.status == SignUp.Status.PENDING
    events.decide(organiser, events.sign_up(b, event).signup, True)
    manager = login(client.__class__(), organiser)
    manager.post(reverse("publishing:manage-act", args=[event.pk]),
                 {"action": "decide", "signup": signup.pk, "decision": "approve"})
    page = text(client.get(reverse("publishing:attend", args=[event.pk])))
    assert "<svg" in page and "签到二维码" in page
    token = events.checkin_token(SignUp.objects.get(pk=signup.pk))
    assert "确认签到" in text(manager.get(reverse("publishing:checkin", args=[event.pk, token])))
    manager.post(reverse("publishing:checkin", args=[event.pk, token]))
    assert SignUp.objects.get(pk=signup.pk).checked_in_at is not None
    slot = meetings.slots(event)[0]
    b_signup = SignUp.objects.get(event=event, user=b)
    client.post(reverse("publishing:attend-act", args=[event.pk]),
                {"action": "book", "book-invitee": b_signup.pk, "book-slot": slot.isoformat(),
                 "book-topic": "技术引进"})
    assert Meeting.objects.filter(event=event, status=Meeting.Status.BOOKED).count() == 1
    client.post(reverse("publishing:attend-act", args=[event.pk]),
                {"action": "outcome", "outcome-kind": "inquiry", "outcome-listing": offer.pk,
                 "outcome-note": "会后继续洽谈"})
    assert Inquiry.objects.filter(listing=offer, organisation_id=a.organisation_id).exists()
    stats = text(manager.get(reverse("publishing:manage", args=[event.pk])))
    assert 'id="stat-checked-in">1<' in stats and 'id="stat-meetings">1<' in stats


def test_past_capacity_the_page_says_why(client, make_event, organiser, attendee):
    event = make_event(organiser, capacity=1, requires_approval=False)
    events.sign_up(attendee(1), event)
    response = login(client, attendee(2)).post(reverse("publishing:signup", args=[event.pk]), follow=True)
    assert "名额已满：本活动限 1 人，已有 1 人报名，无法再报名。" in text(response)


def test_anonymous_event_pages_show_no_contacts(client, make_event, organiser, attendee):
    event = make_event(organiser, requires_approval=False)
    person = attendee(1)
    person.email, person.phone = "attendee01@example.com", "13900001111"
    person.save()
    events.sign_up(person, event)
    for url in (event.get_absolute_url(), reverse("publishing:events"), reverse("publishing:statistics")):
        page = text(client.get(url))
        assert "attendee01@example.com" not in page and "13900001111" not in page
