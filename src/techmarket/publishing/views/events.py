"""Pages of matchmaking events: the public list and event pages with sign-up and the calendar file, the
organisers' pages (form, management, check-in), the attendee's page (check-in code, meetings, outcomes) and the
yearly statistics. Views read the form, call the service, catch its error, add a message and redirect."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from techmarket.common.downloads import content_disposition
from techmarket.common.errors import DomainError, InvalidInput, NotFound
from techmarket.common.permissions import allowed, permission_required, require
from techmarket.directory.models import Organisation
from techmarket.publishing import forms
from techmarket.publishing.models import Event, Meeting, SignUp
from techmarket.publishing.services import calendar, events, meetings, outcomes, qr, statistics


def _done(request, act, success: str) -> bool:
    """Run `act()` in its own transaction: a success message, or the domain error's message."""
    try:
        with transaction.atomic():
            act()
    except DomainError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, success)
    return True


def event_list(request):
    now = timezone.now()
    kind = request.GET.get("kind", "")
    qs = events.public_events()
    if kind in Event.Kind.values:
        qs = qs.filter(kind=kind)
    return render(request, "publishing/events.html", {
        "upcoming": qs.filter(status=Event.Status.PUBLISHED, ends_at__gte=now).order_by("starts_at")[:50],
        "past": qs.filter(ends_at__lt=now).order_by("-starts_at")[:50], "kinds": Event.Kind.choices, "kind": kind,
        "can_create": allowed(request.user, "publishing.create_event")})


def event_detail(request, pk: int):
    event = events.visible(request.user, pk)
    user = request.user
    signup = events.own_signup(user, event)
    return render(request, "publishing/event.html", {
        "event": event, "listings": list(event.listings.select_related("owner")), "taken": events.taken(event),
        "signup": signup, "why_not": events.why_not_sign_up(user, event) if user.is_authenticated else "",
        "signup_form": forms.SignUpForm(), "manage": allowed(user, "publishing.manage_event", event),
        "agenda": [line for line in event.agenda.splitlines() if line.strip()]})


def event_calendar(request, pk: int):
    event = events.visible(request.user, pk)
    response = HttpResponse(calendar.ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"{event.title}.ics", f"event-{event.pk}.ics")
    return response


@require_POST
@login_required
def event_signup(request, pk: int):
    event = events.visible(request.user, pk)
    form = forms.SignUpForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        with transaction.atomic():
            result = events.sign_up(request.user, event, note)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(event.get_absolute_url())
    if not result.created:
        messages.info(request, "您已报名，未重复报名。")
    elif result.signup.status == SignUp.Status.APPROVED:
        messages.success(request, "报名成功。请在活动当天出示签到二维码。")
    else:
        messages.success(request, "已报名，等待主办单位审核。")
    return redirect("publishing:attend", pk=event.pk)


# --- Organisers ------------------------------------------------------------------------------------------------

def _organisers(user):
    if allowed(user, "publishing.organise_any"):
        return Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT).order_by("name")
    return Organisation.objects.filter(pk=user.organisation_id)


def _event_input(form) -> events.EventInput:
    data = form.cleaned_data
    return events.EventInput(
        kind=data["kind"], title=data["title"], organiser=data["organiser"], starts_at=data["starts_at"],
        ends_at=data["ends_at"], capacity=data["capacity"], place=data["place"], online_url=data["online_url"],
        summary=data["summary"], agenda=data["agenda"], signup_deadline=data["signup_deadline"],
        requires_approval=data["requires_approval"], meeting_minutes=data["meeting_minutes"],
        listing_numbers=form.numbers())


def _event_form(request, event: Event | None):
    initial = None
    if event is not None:
        initial = {name: getattr(event, name) for name in (
            "kind", "title", "organiser", "place", "online_url", "capacity", "requires_approval", "meeting_minutes",
            "summary", "agenda")}
        initial.update({name: timezone.localtime(getattr(event, name)) for name in (
            "starts_at", "ends_at", "signup_deadline") if getattr(event, name)})
        initial["listing_numbers"] = "\n".join(x.number for x in event.listings.all())
    form = forms.EventForm(request.POST or None, initial=initial, organisers=_organisers(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if event is None:
                    event = events.create(request.user, _event_input(form))
                else:
                    event = events.edit(request.user, event, _event_input(form))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已保存。")
            return redirect("publishing:manage", pk=event.pk)
    return render(request, "publishing/form.html", {
        "form": form, "title": "修改活动" if event else "创建对接活动", "event": event})


@permission_required("publishing.create_event", events.NOT_CREATOR)
def event_new(request):
    return _event_form(request, None)


def _managed(request, pk: int) -> Event:
    event = get_object_or_404(Event.objects.select_related("organiser"), pk=pk)
    require(request.user, "publishing.view_event", event, hide=True)
    require(request.user, "publishing.manage_event", event, message=events.NOT_ORGANISER)
    return event


@login_required
def event_edit(request, pk: int):
    return _event_form(request, _managed(request, pk))


@login_required
def manage(request, pk: int):
    event = _managed(request, pk)
    signups = list(event.signups.select_related("user", "organisation").order_by("status", "created_at"))
    attending = [s for s in signups if s.status == SignUp.Status.APPROVED]
    return render(request, "publishing/manage.html", {
        "event": event, "signups": signups, "stats": statistics.for_event(event),
        "meetings": list(meetings.of_event(event)), "outcomes": list(outcomes.of_event(event)),
        "checkin_form": forms.CheckInForm(), "cancel_form": forms.ReasonForm(),
        "outcome_form": forms.OutcomeForm(listings=event.listings.all(), attendees=attending, prefix="outcome"),
        "history": list(events.history(event))})


@require_POST
@login_required
def manage_act(request, pk: int):
    event = _managed(request, pk)
    action = request.POST.get("action", "")
    user = request.user
    if action == "publish":
        _done(request, lambda: events.publish(user, event), "活动已发布，开放报名。")
    elif action == "cancel":
        _done(request, lambda: events.cancel(user, event, request.POST.get("reason", "")), "活动已取消，已通知报名人。")
    elif action == "decide":
        signup = get_object_or_404(SignUp, pk=request.POST.get("signup", 0) or 0, event=event)
        approve = request.POST.get("decision") == "approve"
        _done(request, lambda: events.decide(user, signup, approve, request.POST.get("reason", "")),
              "已通过报名。" if approve else "已不通过该报名。")
    elif action == "checkin":
        return redirect("publishing:checkin", pk=event.pk, token=_token(request.POST.get("token", "")))
    elif action == "outcome":
        _record_outcome(request, event, manager=True)
    else:
        raise NotFound()
    return redirect("publishing:manage", pk=event.pk)


def _token(typed: str) -> str:
    """The check-in token from what was typed or scanned: the token itself, or the check-in page's address."""
    parts = [part for part in typed.strip().split("/") if part]
    return parts[-1] if parts else "-"


@login_required
def checkin(request, pk: int, token: str):
    """What the organiser's phone opens from an attendee's QR code: the attendee, and a button to check them in."""
    event = _managed(request, pk)
    signup, error = None, ""
    try:
        signup = events.signup_for_token(event, token)
    except DomainError as exc:
        error = str(exc)
    if request.method == "POST" and signup is not None:
        try:
            with transaction.atomic():
                result = events.check_in(request.user, event, token)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            when = timezone.localtime(result.signup.checked_in_at)
            messages.info(request, f"已于 {when:%H:%M} 签到，未重复签到。") if result.already else messages.success(
                request, "签到成功。")
        return redirect("publishing:checkin", pk=event.pk, token=token)
    return render(request, "publishing/checkin.html", {"event": event, "signup": signup, "error": error})


# --- Attendees -------------------------------------------------------------------------------------------------

def _record_outcome(request, event: Event, manager: bool = False):
    attendees = list(event.signups.filter(status=SignUp.Status.APPROVED).select_related("organisation"))
    form = forms.OutcomeForm(request.POST, listings=event.listings.all(), attendees=attendees if manager else None,
                             prefix="outcome")
    if not form.is_valid():
        messages.error(request, "请选择成果类型和条目。")
        return
    data = form.cleaned_data
    listing = get_object_or_404(event.listings, pk=data["listing"])
    signup = next((s for s in attendees if s.pk == data.get("signup")), None)
    try:
        with transaction.atomic():
            result = outcomes.record(request.user, event, data["kind"], listing, signup=signup, note=data["note"])
    except DomainError as error:
        messages.error(request, str(error))
        return
    if not result.created:
        messages.info(request, "该成果已记录，未重复记录。")
    elif result.outcome.inquiry_id and data["kind"] == "inquiry":
        messages.success(request, "已记录活动成果，并就该条目发起洽谈。")
    else:
        messages.success(request, "已记录活动成果。")


@login_required
def attend(request, pk: int):
    event = events.visible(request.user, pk)
    signup = events.own_signup(request.user, event)
    if signup is None:
        messages.info(request, "您尚未报名此活动。")
        return redirect(event.get_absolute_url())
    approved = signup.status == SignUp.Status.APPROVED
    context = {"event": event, "signup": signup, "approved": approved,
               "meetings": list(meetings.of_signup(signup)) if approved else []}
    if approved:
        path = events.checkin_path(signup)
        context.update({
            "qr": qr.svg(request.build_absolute_uri(path)), "token": events.checkin_token(signup),
            "book_form": forms.BookForm(partners=meetings.partners(signup), slots=meetings.slots(event),
                                        listings=event.listings.all(), prefix="book"),
            "outcome_form": forms.OutcomeForm(listings=event.listings.all(), prefix="outcome"),
            "outcomes": list(outcomes.of_event(event).filter(organisation_id=signup.organisation_id))})
    return render(request, "publishing/attend.html", context)


def _book(request, event: Event):
    signup = events.own_signup(request.user, event)
    if signup is None:
        raise NotFound()
    form = forms.BookForm(request.POST, partners=meetings.partners(signup), slots=meetings.slots(event),
                          listings=event.listings.all(), prefix="book")
    if not form.is_valid():
        messages.error(request, "请选择洽谈对象和时段。")
        return
    data = form.cleaned_data
    invitee = get_object_or_404(SignUp, pk=data["invitee"], event=event)
    listing = event.listings.filter(pk=data["listing"]).first() if data["listing"] else None
    try:
        with transaction.atomic():
            _, created = meetings.book(request.user, event, invitee, datetime.datetime.fromisoformat(data["slot"]),
                                       data["topic"], listing)
    except (DomainError, ValueError) as error:
        messages.error(request, str(error) if isinstance(error, DomainError) else "请选择有效的时段。")
        return
    messages.success(request, "已预约一对一洽谈，已通知对方。" if created else "该洽谈已预约，未重复预约。")


@require_POST
@login_required
def attend_act(request, pk: int):
    event = events.visible(request.user, pk)
    action = request.POST.get("action", "")
    user = request.user
    if action == "book":
        _book(request, event)
    elif action == "end-meeting":
        meeting = get_object_or_404(Meeting, pk=request.POST.get("meeting", 0) or 0, event=event)
        _done(request, lambda: meetings.decline(user, meeting), "已取消该洽谈，已通知对方。")
    elif action == "withdraw":
        signup = events.own_signup(user, event)
        if signup is None:
            raise NotFound()
        if _done(request, lambda: events.withdraw(user, signup), "已取消报名。"):
            return redirect(event.get_absolute_url())
    elif action == "outcome":
        _record_outcome(request, event)
    else:
        raise NotFound()
    return redirect("publishing:attend", pk=event.pk)


@login_required
def mine(request):
    user = request.user
    signups = SignUp.objects.filter(user=user).select_related("event__organiser").order_by("-event__starts_at")
    return render(request, "publishing/mine.html", {
        "signups": signups, "managed": events.managed(user)[:100],
        "can_create": allowed(user, "publishing.create_event")})


def year_statistics(request):
    years = statistics.years()
    try:
        year = int(request.GET.get("year") or (years[0] if years else timezone.localdate().year))
    except ValueError:
        raise InvalidInput("年份无效。") from None
    if not 1985 <= year <= 2100:
        raise InvalidInput("年份须在 1985 年至 2100 年之间。")
    return render(request, "publishing/statistics.html", {
        "stats": statistics.for_year(year), "years": years, "year": year,
        "events_url": reverse("publishing:events")})
