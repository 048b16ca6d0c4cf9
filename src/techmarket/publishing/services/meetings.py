"""One-to-one meetings (一对一洽谈) booked between approved attendees of an event (docs/publishing.md, "Meetings").

The event's time is cut into slots of its meeting length. An attendee books a slot with another attendee; the
meeting is booked at once and the other side is told, and may decline it. No attendee is in two meetings of the same
slot, whichever side asked: each booked meeting holds one Seat per side, unique per sign-up and slot, so of two
concurrent requests for the same people and slot one meeting is created and the other request gets it back
(or, for another pair, is refused). Declining or cancelling frees the seats and keeps the meeting with its status.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from techmarket.catalogue.models import Listing
from techmarket.common import audit, notifications
from techmarket.common.bounds import NAME_MAX
from techmarket.common.errors import Conflict, InvalidInput, NotFound, Refused
from techmarket.publishing.models import Event, EventAction, Meeting, Seat, SignUp
from techmarket.publishing.services import checks

TOPIC = "publishing.meeting"
MAX_SLOTS = 200
BUSY = "该时段您或对方已有一对一洽谈安排，请另选时段。"


def slots(event: Event) -> list[datetime.datetime]:
    """The starts of the event's meeting slots (at most MAX_SLOTS)."""
    step = datetime.timedelta(minutes=event.meeting_minutes)
    out, at = [], event.starts_at
    while at + step <= event.ends_at and len(out) < MAX_SLOTS:
        out.append(at)
        at += step
    return out


def attendee(user, event: Event) -> SignUp:
    """The user's approved sign-up for the event, or Refused."""
    signup = SignUp.objects.filter(event=event, user=user, status=SignUp.Status.APPROVED).first() if (
        user and user.is_authenticated) else None
    if signup is None:
        raise Refused("只有报名已通过的参会人可以预约一对一洽谈。")
    return signup


def partners(signup: SignUp) -> QuerySet[SignUp]:
    """The other approved attendees of the event, to book a meeting with."""
    return (SignUp.objects.filter(event_id=signup.event_id, status=SignUp.Status.APPROVED)
            .exclude(pk=signup.pk).select_related("user", "organisation").order_by("organisation__name", "id"))


def _same(requester: SignUp, invitee: SignUp, starts_at) -> Meeting | None:
    return Meeting.objects.filter(
        Q(requester=requester, invitee=invitee) | Q(requester=invitee, invitee=requester),
        starts_at=starts_at, status=Meeting.Status.BOOKED).first()


def _busy(requester: SignUp, invitee: SignUp, starts_at) -> bool:
    return Seat.objects.filter(signup__in=[requester, invitee], starts_at=starts_at).exists()


@transaction.atomic
def book(user, event: Event, invitee: SignUp, starts_at: datetime.datetime, topic: str = "",
         listing: Listing | None = None) -> tuple[Meeting, bool]:
    """Book a meeting with `invitee` in the slot starting at `starts_at`. Returns (meeting, created): the same
    request again (or the other side's, for the same slot) gets the booked meeting back."""
    requester = attendee(user, event)
    if event.status != Event.Status.PUBLISHED or timezone.now() >= event.ends_at:
        raise Refused("活动已结束或未在进行，不能预约洽谈。")
    if invitee.event_id != event.pk or invitee.status != SignUp.Status.APPROVED:
        raise InvalidInput("对方不是本活动报名已通过的参会人。")
    if invitee.pk == requester.pk:
        raise InvalidInput("不能与自己预约洽谈。")
    starts_at = checks.moment(starts_at, "洽谈时段")
    if starts_at not in slots(event):
        raise InvalidInput("请选择活动时间内的洽谈时段。")
    if listing is not None and not event.listings.filter(pk=listing.pk).exists():
        raise InvalidInput("洽谈涉及的条目须是本活动推介或展示的条目。")
    topic = checks.words(topic, "洽谈事项", NAME_MAX)
    existing = _same(requester, invitee, starts_at)
    if existing is None and _busy(requester, invitee, starts_at):
        # A concurrent request for the same pair may have committed between the two reads: the busy seat may be
        # this very meeting, which a read after the seat's is sure to see.
        existing = _same(requester, invitee, starts_at)
        if existing is None:
            raise Conflict(BUSY)
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(event=event, requester=requester, invitee=invitee,
                                             starts_at=starts_at, topic=topic, listing=listing)
            Seat.objects.bulk_create([Seat(meeting=meeting, signup=requester, starts_at=starts_at),
                                      Seat(meeting=meeting, signup=invitee, starts_at=starts_at)])
    except IntegrityError:  # a concurrent request took a seat first
        existing = _same(requester, invitee, starts_at)
        if existing:
            return existing, False
        raise Conflict(BUSY) from None
    audit.log_action(meeting, EventAction.BOOK, user, to_value=meeting.status,
                     data={"event": event.pk, "invitee": invitee.pk, "starts_at": starts_at.isoformat()})
    notifications.notify([invitee.user], TOPIC, f"一对一洽谈预约：{event.title}",
                         f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}，{requester.organisation or requester.user}"
                         f"{'：' + topic if topic else ''}", reverse("publishing:attend", args=[event.pk]))
    return meeting, True


def _end(user, meeting: Meeting, status: str, action: str) -> Meeting:
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related(
        "requester__user", "invitee__user", "event").get(pk=meeting.pk)
    if meeting.status != Meeting.Status.BOOKED:
        raise Conflict(f"该洽谈{meeting.get_status_display()}，未作更改。")
    meeting.status, meeting.ended_at = status, timezone.now()
    meeting.save(update_fields=["status", "ended_at"])
    meeting.seats.all().delete()
    audit.log_action(meeting, action, user, from_value=Meeting.Status.BOOKED, to_value=status)
    other = meeting.requester if meeting.invitee.user_id == user.pk else meeting.invitee
    notifications.notify([other.user], TOPIC, f"一对一洽谈{meeting.get_status_display()}：{meeting.event.title}",
                         f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}",
                         reverse("publishing:attend", args=[meeting.event_id]))
    return meeting


def _side(user, meeting: Meeting) -> str:
    if meeting.invitee.user_id == user.pk:
        return "invitee"
    if meeting.requester.user_id == user.pk:
        return "requester"
    raise NotFound()


@transaction.atomic
def decline(user, meeting: Meeting) -> Meeting:
    """Either side ends a booked meeting: the invitee declines it, the requester cancels it."""
    side = _side(user, meeting)
    if side == "invitee":
        return _end(user, meeting, Meeting.Status.DECLINED, EventAction.DECLINE)
    return _end(user, meeting, Meeting.Status.CANCELLED, EventAction.CANCEL_MEETING)


def cancel_all(user, signup: SignUp) -> int:
    """Cancel a withdrawn sign-up's booked meetings (in the caller's transaction)."""
    booked = Meeting.objects.filter(Q(requester=signup) | Q(invitee=signup), status=Meeting.Status.BOOKED)
    for meeting in booked:
        _end(user, meeting, Meeting.Status.CANCELLED, EventAction.CANCEL_MEETING)
    return len(booked)


def of_signup(signup: SignUp) -> QuerySet[Meeting]:
    return (Meeting.objects.filter(Q(requester=signup) | Q(invitee=signup))
            .select_related("requester__user", "requester__organisation", "invitee__user", "invitee__organisation",
                            "listing").order_by("starts_at", "id"))


def of_event(event: Event) -> QuerySet[Meeting]:
    return (Meeting.objects.filter(event=event, status=Meeting.Status.BOOKED)
            .select_related("requester__organisation", "invitee__organisation", "requester__user",
                            "invitee__user", "listing").order_by("starts_at", "id"))
