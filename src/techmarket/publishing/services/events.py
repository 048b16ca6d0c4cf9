"""Matchmaking events (对接会, 路演, 科技集市, 直通车, 招标会): creating and publishing them, sign-up with approval,
check-in by QR code and reminders (docs/publishing.md, "Events").

Each step is one transaction: a sign-up locks its event, so capacity holds however many people sign up at once;
one sign-up per person and event (a unique constraint) means a repeated request gets the same sign-up back.
Decisions, check-ins and reminders reach people through the notification centre; every step is a line of the
audit log.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services.listings import find_by_number
from techmarket.common import audit, notifications
from techmarket.common.bounds import REASON_MAX, TITLE_MAX
from techmarket.common.errors import Conflict, InvalidInput, NotAllowed, NotFound, Refused
from techmarket.common.permissions import allowed, require
from techmarket.directory.models import Organisation
from techmarket.publishing.models import (
    AGENDA_MAX,
    MAX_CAPACITY,
    MEETING_MINUTES,
    PLACE_MAX,
    SUMMARY_MAX,
    Event,
    EventAction,
    SignUp,
)
from techmarket.publishing.services import checks

TOPIC_SIGNUP = "publishing.signup"
TOPIC_REMINDER = "publishing.event-reminder"
CHECKIN_SALT = "techmarket.publishing.checkin"
CODE_DIGITS = 10
TOKEN_RE = re.compile(r"(?P<event>\d{1,18})-(?P<signup>\d{1,18})-(?P<code>\d{10})")  # CODE_DIGITS
MAX_LISTINGS = 100
ACTIVE = (SignUp.Status.PENDING, SignUp.Status.APPROVED)

NOT_ORGANISER = "只有活动主办单位的已核验成员或信息发布编辑可以管理此活动。"
NOT_CREATOR = "只有信息发布编辑或政府部门（省科技厅、市州科技局）的已核验成员可以创建对接活动。"
NOT_MEMBER = "只有已实名核验并关联单位的用户可以报名参加活动。"


@dataclass
class EventInput:
    kind: str
    title: str
    organiser: Organisation | None
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    capacity: int | None
    place: str = ""
    online_url: str = ""
    summary: str = ""
    agenda: str = ""
    signup_deadline: datetime.datetime | None = None
    requires_approval: bool = True
    meeting_minutes: int = 20
    listing_numbers: list[str] = field(default_factory=list)


def _organiser(user, organiser: Organisation | None) -> Organisation:
    require(user, "publishing.create_event", message=NOT_CREATOR)
    if organiser is None:
        organiser = user.organisation if user.organisation_id else None
    if organiser is None:
        raise InvalidInput("请填写主办单位。")
    if organiser.kind != Organisation.Kind.GOVERNMENT:
        raise InvalidInput("主办单位须为省科技厅或市州科技局等政府部门。")
    if not allowed(user, "publishing.manage_event", Event(organiser=organiser)):
        raise NotAllowed(f"您只能以本单位（{user.organisation.name}）名义主办活动。")
    return organiser


def _listings(user, numbers: list[str]) -> list[Listing]:
    numbers = [n.strip() for n in numbers if n and n.strip()]
    if len(numbers) > MAX_LISTINGS:
        raise InvalidInput(f"每场活动最多关联 {MAX_LISTINGS} 个条目。")
    found, missing = [], []
    for number in numbers:
        listing = find_by_number(number, user)
        (found.append(listing) if listing is not None else missing.append(number))
    if missing:
        raise InvalidInput(f"未找到以下编号的条目：{'、'.join(missing)}。")
    return list(dict.fromkeys(found))


def _values(data: EventInput) -> dict:
    if data.kind not in Event.Kind.values:
        raise InvalidInput("请选择活动类型。")
    starts_at, ends_at = checks.moment(data.starts_at, "开始时间"), checks.moment(data.ends_at, "结束时间")
    if ends_at < starts_at:
        raise InvalidInput("结束时间不能早于开始时间。")
    deadline = checks.moment(data.signup_deadline, "报名截止时间") if data.signup_deadline else None
    if deadline and deadline > starts_at:
        raise InvalidInput("报名截止时间不能晚于活动开始时间。")
    if data.capacity is None or not 1 <= data.capacity <= MAX_CAPACITY:
        raise InvalidInput(f"名额须在 1 到 {MAX_CAPACITY} 人之间。")
    low, high = MEETING_MINUTES
    if not low <= (data.meeting_minutes or 0) <= high:
        raise InvalidInput(f"一对一洽谈时长须在 {low} 到 {high} 分钟之间。")
    place = checks.words(data.place, "地点", PLACE_MAX)
    online_url = checks.words(data.online_url, "线上参会链接", 500)
    if online_url and not online_url.startswith(("https://", "http://")):
        raise InvalidInput("线上参会链接须以 https:// 或 http:// 开头。")
    if not place and not online_url:
        raise InvalidInput("请填写活动地点或线上参会链接。")
    return {"kind": data.kind, "title": checks.words(data.title, "活动名称", TITLE_MAX, required=True),
            "summary": checks.words(data.summary, "活动简介", SUMMARY_MAX * 4, lines=True),
            "agenda": checks.words(data.agenda, "议程", AGENDA_MAX, lines=True), "place": place,
            "online_url": online_url, "starts_at": starts_at, "ends_at": ends_at, "signup_deadline": deadline,
            "capacity": data.capacity, "requires_approval": bool(data.requires_approval),
            "meeting_minutes": data.meeting_minutes}


@transaction.atomic
def create(user, data: EventInput) -> Event:
    organiser = _organiser(user, data.organiser)
    values = _values(data)
    listings = _listings(user, data.listing_numbers)
    event = Event.objects.create(organiser=organiser, created_by=user, **values)
    event.listings.set(listings)
    audit.log_action(event, EventAction.CREATE, user, to_value=event.status,
                     data={"organiser": organiser.pk, "listings": [x.pk for x in listings]})
    return event


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=event.pk)


@transaction.atomic
def edit(user, event: Event, data: EventInput) -> Event:
    event = _locked(event)
    require(user, "publishing.manage_event", event, message=NOT_ORGANISER)
    if event.status == Event.Status.CANCELLED:
        raise Refused("已取消的活动不能修改。")
    values = _values(data)
    active = event.signups.filter(status__in=ACTIVE).count()
    if values["capacity"] < active:
        raise InvalidInput(f"已有 {active} 人报名，名额不能少于 {active} 人。")
    listings = _listings(user, data.listing_numbers)
    changed = sorted(name for name, value in values.items() if getattr(event, name) != value)
    for name, value in values.items():
        setattr(event, name, value)
    event.save()
    event.listings.set(listings)
    audit.log_action(event, EventAction.EDIT, user, data={"fields": changed, "listings": [x.pk for x in listings]})
    return event


@transaction.atomic
def publish(user, event: Event) -> Event:
    event = _locked(event)
    require(user, "publishing.manage_event", event, message=NOT_ORGANISER)
    if event.status != Event.Status.DRAFT:
        raise Conflict(f"该活动{event.get_status_display()}，未重复发布。")
    event.status = Event.Status.PUBLISHED
    event.save(update_fields=["status", "updated_at"])
    audit.log_action(event, EventAction.PUBLISH, user, from_value=Event.Status.DRAFT, to_value=event.status)
    return event


@transaction.atomic
def cancel(user, event: Event, reason: str) -> Event:
    event = _locked(event)
    require(user, "publishing.manage_event", event, message=NOT_ORGANISER)
    reason = checks.words(reason, "取消原因", REASON_MAX, required=True, lines=True)
    if event.status == Event.Status.CANCELLED:
        raise Conflict("该活动已取消。")
    before, event.status, event.cancel_reason = event.status, Event.Status.CANCELLED, reason
    event.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit.log_action(event, EventAction.CANCEL, user, from_value=before, to_value=event.status, reason=reason)
    attendees = [s.user for s in event.signups.filter(status__in=ACTIVE).select_related("user")]
    notifications.notify(attendees, TOPIC_SIGNUP, f"活动已取消：{event.title}", f"原因：{reason}",
                         event.get_absolute_url())
    return event


# --- Sign-up ---------------------------------------------------------------------------------------------------

def why_not_sign_up(user, event: Event, now: datetime.datetime | None = None) -> str:
    """Why `user` may not sign up for `event` now (capacity apart: that is checked under the event's lock)."""
    now = now or timezone.now()
    if event.status != Event.Status.PUBLISHED:
        return "该活动未开放报名。" if event.status == Event.Status.DRAFT else "该活动已取消。"
    if now >= event.starts_at:
        return "活动已开始或已结束，报名已关闭。"
    if event.signup_deadline and now > event.signup_deadline:
        return f"报名已于 {timezone.localtime(event.signup_deadline):%Y-%m-%d %H:%M} 截止。"
    if not allowed(user, "publishing.sign_up"):
        return NOT_MEMBER
    return ""


def full_reason(event: Event, taken: int) -> str:
    return f"名额已满：本活动限 {event.capacity} 人，已有 {taken} 人报名，无法再报名。"


@dataclass
class SignUpResult:
    signup: SignUp
    created: bool  # False: the person had signed up already (a repeated request)


@transaction.atomic
def sign_up(user, event: Event, note: str = "") -> SignUpResult:
    """Sign `user` up (approved at once when the event asks no approval). Past capacity: Refused with the reason.
    Signing up again returns the existing sign-up; a withdrawn one is taken up again if there is room."""
    event = _locked(event)
    reason = why_not_sign_up(user, event)
    if reason:
        raise (NotAllowed(reason) if reason == NOT_MEMBER else Refused(reason))
    note = checks.words(note, "报名说明", SUMMARY_MAX, lines=True)
    existing = SignUp.objects.filter(event=event, user=user).first()
    if existing is not None and existing.status in ACTIVE:
        return SignUpResult(existing, False)
    if existing is not None and existing.status == SignUp.Status.REJECTED:
        raise Refused(f"您的报名未通过审核（{existing.decision_reason or '未说明原因'}），如有疑问请联系主办单位。")
    taken = event.signups.filter(status__in=ACTIVE).count()
    if taken >= event.capacity:
        raise Refused(full_reason(event, taken))
    status = SignUp.Status.PENDING if event.requires_approval else SignUp.Status.APPROVED
    signup = existing or SignUp(event=event, user=user)
    signup.organisation_id, signup.note, signup.status = user.organisation_id, note, status
    signup.decided_by = signup.decided_at = None
    try:
        with transaction.atomic():
            signup.save()
    except IntegrityError:  # a concurrent request signed the same person up first
        return SignUpResult(SignUp.objects.get(event=event, user=user), False)
    audit.log_action(signup, EventAction.SIGN_UP, user, to_value=status, data={"event": event.pk})
    return SignUpResult(signup, True)


def _locked_signup(signup: SignUp) -> SignUp:
    return SignUp.objects.select_for_update(of=("self",)).select_related("event", "user").get(pk=signup.pk)


@transaction.atomic
def decide(user, signup: SignUp, approve: bool, reason: str = "") -> SignUp:
    signup = _locked_signup(signup)
    require(user, "publishing.manage_event", signup.event, message=NOT_ORGANISER)
    reason = checks.words(reason, "审核意见", REASON_MAX, required=not approve, lines=True)
    if signup.status != SignUp.Status.PENDING:
        raise Conflict(f"该报名已处理（{signup.get_status_display()}），未作更改。")
    signup.status = SignUp.Status.APPROVED if approve else SignUp.Status.REJECTED
    signup.decided_by, signup.decided_at, signup.decision_reason = user, timezone.now(), reason
    signup.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit.log_action(signup, EventAction.APPROVE if approve else EventAction.REJECT, user,
                     from_value=SignUp.Status.PENDING, to_value=signup.status, reason=reason)
    event = signup.event
    title = f"报名已通过：{event.title}" if approve else f"报名未通过：{event.title}"
    notifications.notify([signup.user], TOPIC_SIGNUP, title, f"原因：{reason}" if reason else "",
                         reverse("publishing:attend", args=[event.pk]))
    return signup


@transaction.atomic
def withdraw(user, signup: SignUp) -> SignUp:
    """The attendee cancels their sign-up; their booked meetings are cancelled with it."""
    from techmarket.publishing.services import meetings

    signup = _locked_signup(signup)
    require(user, "publishing.attend", signup, hide=True)
    if signup.status not in ACTIVE:
        raise Conflict("该报名已取消或未通过，未作更改。")
    if signup.checked_in_at:
        raise Refused("已签到的报名不能取消。")
    before, signup.status = signup.status, SignUp.Status.WITHDRAWN
    signup.save(update_fields=["status"])
    meetings.cancel_all(user, signup)
    audit.log_action(signup, EventAction.WITHDRAW, user, from_value=before, to_value=signup.status)
    return signup


# --- Check-in --------------------------------------------------------------------------------------------------

def _code(event_id, signup_id) -> str:
    digest = salted_hmac(CHECKIN_SALT, f"{event_id}.{signup_id}").hexdigest()
    return f"{int(digest[:20], 16) % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def checkin_token(signup: SignUp) -> str:
    """A sign-up's check-in code: event, sign-up and a keyed digest, digits only (it is read out or typed when a
    phone cannot scan; its QR code opens the check-in page with it), e.g. 12-345-0123456789."""
    return f"{signup.event_id}-{signup.pk}-{_code(signup.event_id, signup.pk)}"


def checkin_path(signup: SignUp) -> str:
    return reverse("publishing:checkin", args=[signup.event_id, checkin_token(signup)])


def signup_for_token(event: Event, token: str) -> SignUp:
    match = TOKEN_RE.fullmatch((token or "").strip())
    if match is None or not constant_time_compare(match["code"], _code(match["event"], match["signup"])):
        raise InvalidInput("签到码无效。")
    if match["event"] != str(event.pk):
        raise InvalidInput("该签到码不属于本活动。")
    signup = SignUp.objects.select_related("user", "organisation").filter(pk=int(match["signup"]), event=event).first()
    if signup is None:
        raise NotFound()
    return signup


@dataclass
class CheckIn:
    signup: SignUp
    already: bool


@transaction.atomic
def check_in(user, event: Event, token: str) -> CheckIn:
    """Check an attendee in by their code; a second scan changes nothing and says when they checked in."""
    require(user, "publishing.manage_event", event, message=NOT_ORGANISER)
    signup = _locked_signup(signup_for_token(event, token))
    if signup.status != SignUp.Status.APPROVED:
        raise Refused(f"该报名{signup.get_status_display()}，不能签到。")
    if signup.checked_in_at:
        return CheckIn(signup, True)
    signup.checked_in_at, signup.checked_in_by = timezone.now(), user
    signup.save(update_fields=["checked_in_at", "checked_in_by"])
    audit.log_action(signup, EventAction.CHECK_IN, user, data={"event": event.pk})
    return CheckIn(signup, False)


# --- Reminders -------------------------------------------------------------------------------------------------

def remind(days: int = 1, now: datetime.datetime | None = None) -> int:
    """Remind approved attendees of published events starting within `days` days, once per event (the
    notification's key). Returns how many messages were written."""
    now = now or timezone.now()
    sent = 0
    for event in Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gt=now,
                                      starts_at__lte=now + datetime.timedelta(days=days)):
        with transaction.atomic():
            users = [s.user for s in event.signups.filter(status=SignUp.Status.APPROVED).select_related("user")]
            where = event.place or "线上"
            done = notifications.notify(
                users, TOPIC_REMINDER, f"活动提醒：{event.title}",
                f"时间：{timezone.localtime(event.starts_at):%Y-%m-%d %H:%M}；地点：{where}。请携带签到码。",
                reverse("publishing:attend", args=[event.pk]), key=f"publishing.event-reminder.{event.pk}")
            if done.notifications:
                audit.log_action(event, EventAction.REMIND, None, actor_label="scheduler",
                                 data={"recipients": len(done.notifications)})
            sent += len(done.notifications)
    return sent


# --- Reading ---------------------------------------------------------------------------------------------------

def public_events() -> QuerySet[Event]:
    return (Event.objects.exclude(status=Event.Status.DRAFT).select_related("organiser")
            .annotate(taken=Count("signups", filter=Q(signups__status__in=ACTIVE))))


def upcoming(limit: int = 5, now: datetime.datetime | None = None) -> list[Event]:
    return list(public_events().filter(status=Event.Status.PUBLISHED, ends_at__gte=now or timezone.now())
                .order_by("starts_at", "id")[:limit])


def visible(user, pk: int) -> Event:
    event = Event.objects.select_related("organiser", "created_by").filter(pk=pk).first()
    if event is None or not allowed(user, "publishing.view_event", event):
        raise NotFound()
    return event


def managed(user) -> QuerySet[Event]:
    """The events `user` manages: all for the editors' role, their organisation's otherwise."""
    qs = Event.objects.select_related("organiser").order_by("-starts_at")
    if allowed(user, "publishing.organise_any"):
        return qs
    if allowed(user, "publishing.create_event"):
        return qs.filter(organiser_id=user.organisation_id)
    return qs.none()


def own_signup(user, event: Event) -> SignUp | None:
    if not (user and user.is_authenticated):
        return None
    return SignUp.objects.filter(event=event, user=user).first()


def taken(event: Event) -> int:
    return event.signups.filter(status__in=ACTIVE).count()


def history(*objects):
    return audit.history_for(*objects).select_related("actor")
