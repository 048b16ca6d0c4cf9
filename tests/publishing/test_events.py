"""Events: creating and publishing, sign-up with approval and capacity (refused with the reason), one sign-up per
person, check-in by a signed code, reminders once, one-to-one meetings without double booking, outcomes linked to
the market's inquiries and agreements, statistics and the calendar file."""

import datetime

import pytest
from django.utils import timezone

from techmarket.common.errors import Conflict, InvalidInput, NotAllowed, Refused
from techmarket.common.notifications import inbox
from techmarket.market.models import Inquiry
from techmarket.market.services import deals
from techmarket.publishing.models import Event, Meeting, Outcome, SignUp
from techmarket.publishing.services import calendar, events, meetings, outcomes, statistics
from tests.publishing.conftest import event_input

pytestmark = pytest.mark.django_db


def test_only_editors_and_government_members_create_events(make_event, editor, organiser, member, department):
    assert make_event(editor).status == Event.Status.PUBLISHED
    assert make_event(organiser).organiser == department
    with pytest.raises(NotAllowed):
        events.create(member, event_input(department))


def test_bounds_are_checked(organiser, department):
    with pytest.raises(InvalidInput, match="结束时间不能早于开始时间"):
        start = timezone.now() + datetime.timedelta(days=3)
        events.create(organiser, event_input(department, starts_at=start, ends_at=start - datetime.timedelta(hours=1)))
    with pytest.raises(InvalidInput, match="名额"):
        events.create(organiser, event_input(department, capacity=0))
    with pytest.raises(InvalidInput, match="地点或线上参会链接"):
        events.create(organiser, event_input(department, place=""))
    with pytest.raises(InvalidInput, match="未找到"):
        events.create(organiser, event_input(department, listing_numbers=["CG-1999-9999"]))


def test_past_capacity_a_sign_up_is_refused_with_the_reason(make_event, organiser, attendee):
    event = make_event(organiser, capacity=2, requires_approval=False)
    events.sign_up(attendee(1), event)
    events.sign_up(attendee(2), event)
    with pytest.raises(Refused) as refused:
        events.sign_up(attendee(3), event)
    assert str(refused.value) == "名额已满：本活动限 2 人，已有 2 人报名，无法再报名。"
    assert event.signups.count() == 2


def test_signing_up_twice_is_one_sign_up_and_approval_is_notified(make_event, organiser, attendee):
    event = make_event(organiser)
    person = attendee(1)
    first = events.sign_up(person, event, "希望对接提锂技术")
    again = events.sign_up(person, event)
    assert first.created and not again.created and first.signup.pk == again.signup.pk
    assert first.signup.status == SignUp.Status.PENDING
    events.decide(organiser, first.signup, True)
    assert inbox(person).filter(topic="publishing.signup", title__contains="报名已通过").exists()
    with pytest.raises(Conflict):
        events.decide(organiser, first.signup, False, "重复")


def test_others_may_not_decide_and_rejection_needs_a_reason(make_event, organiser, attendee):
    event = make_event(organiser)
    signup = events.sign_up(attendee(1), event).signup
    with pytest.raises(NotAllowed):
        events.decide(attendee(2), signup, True)
    with pytest.raises(InvalidInput):
        events.decide(organiser, signup, False, "")


def test_check_in_by_the_signed_code_once(make_event, organiser, attendee):
    event = make_event(organiser, requires_approval=False)
    signup = events.sign_up(attendee(1), event).signup
    token = events.checkin_token(signup)
    with pytest.raises(InvalidInput):
        events.check_in(organiser, event, token[:-2] + "xx")
    first = events.check_in(organiser, event, token)
    second = events.check_in(organiser, event, token)
    assert not first.already and second.already and first.signup.checked_in_at == second.signup.checked_in_at
    other = make_event(organiser, title="另一场活动")
    with pytest.raises(InvalidInput):
        events.check_in(organiser, other, token)


def test_reminders_go_once_through_the_notification_centre(make_event, organiser, attendee):
    event = make_event(organiser, requires_approval=False, days=1)
    person = attendee(1)
    events.sign_up(person, event)
    now = event.starts_at - datetime.timedelta(hours=20)
    assert events.remind(days=1, now=now) == 1
    assert events.remind(days=1, now=now) == 0
    assert inbox(person).filter(topic="publishing.event-reminder").count() == 1


def _approved(make_event, organiser, attendee, n, **extra):
    event = make_event(organiser, requires_approval=False, **extra)
    return event, [events.sign_up(attendee(i), event).signup for i in range(1, n + 1)]


def test_meetings_are_never_double_booked(make_event, organiser, attendee):
    event, (a, b, c) = _approved(make_event, organiser, attendee, 3)
    slot = meetings.slots(event)[0]
    meeting, created = meetings.book(a.user, event, b, slot, "提锂技术")
    assert created and inbox(b.user).filter(topic="publishing.meeting").exists()
    assert meetings.book(a.user, event, b, slot) == (meeting, False)
    assert meetings.book(b.user, event, a, slot) == (meeting, False)  # the other side, the same slot
    with pytest.raises(Conflict):
        meetings.book(c.user, event, b, slot)
    meetings.book(c.user, event, b, meetings.slots(event)[1])
    meetings.decline(b.user, meeting)
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.DECLINED
    assert meetings.book(c.user, event, a, slot)[1]  # the seats were freed
    with pytest.raises(InvalidInput):
        meetings.book(a.user, event, b, slot + datetime.timedelta(minutes=7))


def test_a_request_that_loses_the_race_gets_the_meeting_the_other_created(make_event, organiser, attendee,
                                                                         monkeypatch):
    """Two requests for the same pair and slot at once: both pass the checks before either writes; the seats'
    unique constraint refuses the second, which answers with the first one's meeting (one record)."""
    event, (a, b) = _approved(make_event, organiser, attendee, 2)
    slot = meetings.slots(event)[0]
    first, _ = meetings.book(a.user, event, b, slot)
    real_same = meetings._same
    calls = []

    def not_yet(*args):  # the second request's check ran before the first request committed
        calls.append(args)
        return None if len(calls) == 1 else real_same(*args)

    monkeypatch.setattr(meetings, "_same", not_yet)
    monkeypatch.setattr(meetings, "_busy", lambda *args: False)
    assert meetings.book(b.user, event, a, slot) == (first, False)
    assert Meeting.objects.filter(event=event).count() == 1


def test_an_inquiry_outcome_opens_talks_on_the_linked_listing(make_event, organiser, attendee, offer):
    event, (a,) = _approved(make_event, organiser, attendee, 1, listings=[offer])
    recorded = outcomes.record(a.user, event, Outcome.Kind.INQUIRY, offer, note="会上洽谈，拟引进该技术")
    inquiry = recorded.outcome.inquiry
    assert recorded.created and inquiry.listing == offer and inquiry.organisation_id == a.organisation_id
    assert inquiry.status == Inquiry.Status.OPEN and inquiry.messages.filter(body__contains="拟引进").exists()
    again = outcomes.record(a.user, event, Outcome.Kind.INQUIRY, offer)
    assert not again.created and again.outcome.pk == recorded.outcome.pk
    assert Inquiry.objects.filter(listing=offer, organisation_id=a.organisation_id).count() == 1


def test_an_agreement_outcome_needs_a_confirmed_agreement(make_event, organiser, attendee, offer, make_user):
    event, (a,) = _approved(make_event, organiser, attendee, 1, listings=[offer])
    inquiry = outcomes.record(a.user, event, Outcome.Kind.INQUIRY, offer).outcome.inquiry
    with pytest.raises(Refused):
        outcomes.record(a.user, event, Outcome.Kind.AGREEMENT, offer)
    owner_member = make_user("owner-member", organisation=offer.owner)
    agreement = deals.propose_agreement(a.user, inquiry, "transfer", "技术转让，首付30%")
    deals.accept_agreement(owner_member, agreement)
    recorded = outcomes.record(organiser, event, Outcome.Kind.AGREEMENT, offer, signup=a)
    assert recorded.outcome.agreement == agreement and recorded.outcome.inquiry == inquiry


def test_outcomes_need_an_attendee_and_a_linked_listing(make_event, organiser, attendee, offer, demand):
    event, (a,) = _approved(make_event, organiser, attendee, 1, listings=[offer])
    with pytest.raises(InvalidInput):
        outcomes.record(a.user, event, Outcome.Kind.INTENT, demand)
    with pytest.raises(NotAllowed):
        outcomes.record(attendee(9), event, Outcome.Kind.INTENT, offer)
    with pytest.raises(NotAllowed):
        outcomes.record(organiser, event, Outcome.Kind.INQUIRY, offer, signup=a)


def test_statistics_per_event_and_year(make_event, organiser, attendee, offer):
    event, signups = _approved(make_event, organiser, attendee, 4, listings=[offer])
    events.check_in(organiser, event, events.checkin_token(signups[0]))
    meetings.book(signups[0].user, event, signups[1], meetings.slots(event)[0])
    outcomes.record(signups[0].user, event, Outcome.Kind.INQUIRY, offer)
    outcomes.record(signups[1].user, event, Outcome.Kind.INTENT, offer)
    stats = statistics.for_event(event)
    assert (stats.approved, stats.checked_in, stats.meetings) == (4, 1, 1)
    assert stats.outcomes == {"intent": 1, "inquiry": 1, "agreement": 0}
    year = statistics.for_year(event.starts_at.year)
    assert year.events >= 1 and year.meetings >= 1 and year.outcomes["inquiry"] >= 1


def test_the_calendar_file(make_event, organiser):
    event = make_event(organiser)
    text = calendar.ics(event).decode()
    assert "BEGIN:VEVENT" in text and f"UID:publishing-event-{event.pk}@techmarket" in text
    assert "DTSTART" in text and "LOCATION:" in text and "盐湖产业技术对接会" in text


def test_withdrawing_a_sign_up_cancels_its_meetings(make_event, organiser, attendee):
    event, (a, b) = _approved(make_event, organiser, attendee, 2)
    meeting, _ = meetings.book(a.user, event, b, meetings.slots(event)[0])
    events.withdraw(b.user, b)
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CANCELLED
    assert not meeting.seats.exists()
