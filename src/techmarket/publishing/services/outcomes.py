"""Outcomes of an event (活动成果): what an attending organisation and a linked listing came to — a cooperation
intent, an inquiry (洽谈) or an agreement (协议) — each linked to the record it names (docs/publishing.md,
"Outcomes").

- inquiry: recorded by an approved attendee for their own organisation; it opens the talks on the listing through
  the market's own service (market.services.deals.open_inquiry: the market's rules decide, e.g. not on one's own
  listing) or adds to the talks already open, in the same transaction;
- agreement: the attending organisation's talks on the listing must hold an agreement both sides confirmed
  (market.services.deals.accepted_agreement);
- intent: an intent to cooperate; linked to the targeted-publishing intent (matching) the organisation received
  for the listing, when there is one.
Intents and agreements may also be recorded by the event's organisers for an attending organisation. One outcome
per event, kind, listing and organisation (a unique constraint): recording it again returns the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from techmarket.catalogue.models import Listing
from techmarket.common import audit
from techmarket.common.bounds import REASON_MAX
from techmarket.common.errors import InvalidInput, NotAllowed, Refused
from techmarket.common.permissions import allowed
from techmarket.market.models import Inquiry
from techmarket.market.services import deals
from techmarket.matching.models import CooperationIntent
from techmarket.publishing.models import Event, EventAction, Outcome, SignUp
from techmarket.publishing.services import checks

Kind = Outcome.Kind
NOT_ATTENDEE = "只有报名已通过的参会单位成员或活动主办方可以记录活动成果。"


@dataclass
class Recorded:
    outcome: Outcome
    created: bool


def _attending(user, event: Event, signup: SignUp | None, kind: str) -> SignUp:
    """The attending sign-up the outcome is for: the user's own, or (for organisers, not for inquiries) the one
    they name."""
    own = SignUp.objects.filter(event=event, user=user, status=SignUp.Status.APPROVED).first() if (
        user and user.is_authenticated) else None
    if signup is None or (own is not None and signup.pk == own.pk):
        if own is None:
            raise NotAllowed(NOT_ATTENDEE)
        return own
    if kind == Kind.INQUIRY:
        raise NotAllowed("洽谈须由意向单位的参会人本人发起。")
    if not allowed(user, "publishing.manage_event", event):
        raise NotAllowed(NOT_ATTENDEE)
    if signup.event_id != event.pk or signup.status != SignUp.Status.APPROVED:
        raise InvalidInput("所选单位不是本活动报名已通过的参会单位。")
    return signup


def _agreement(listing: Listing, organisation_id: int):
    inquiries = Inquiry.objects.filter(listing=listing, organisation_id=organisation_id).order_by("-updated_at")
    for inquiry in inquiries:
        agreement = deals.accepted_agreement(inquiry)
        if agreement is not None:
            return inquiry, agreement
    raise Refused("该单位就此条目的洽谈尚无双方确认的协议；请先在洽谈中确认协议，再记录活动成果。")


@transaction.atomic
def record(user, event: Event, kind: str, listing: Listing, *, signup: SignUp | None = None,
           note: str = "") -> Recorded:
    if kind not in Kind.values:
        raise InvalidInput("请选择成果类型。")
    if event.status == Event.Status.DRAFT:
        raise Refused("活动尚未发布，不能记录成果。")
    if not event.listings.filter(pk=listing.pk).exists():
        raise InvalidInput("成果须针对本活动推介或展示的条目。")
    attending = _attending(user, event, signup, kind)
    if attending.organisation_id is None:
        raise Refused("参会人未关联单位，不能记录成果。")
    note = checks.words(note, "说明", REASON_MAX, lines=True)
    key = {"event": event, "kind": kind, "listing": listing, "organisation_id": attending.organisation_id}
    existing = Outcome.objects.filter(**key).first()
    if existing:
        return Recorded(existing, False)
    links = {}
    if kind == Kind.INQUIRY:
        message = note or f"在“{event.title}”活动中达成洽谈意向。"
        links["inquiry"] = deals.open_inquiry(user, listing, message)
    elif kind == Kind.AGREEMENT:
        links["inquiry"], links["agreement"] = _agreement(listing, attending.organisation_id)
    else:
        links["intent"] = (CooperationIntent.objects.filter(listing=listing,
                                                            organisation_id=attending.organisation_id)
                           .order_by("-sent_at").first())
    try:
        with transaction.atomic():
            outcome = Outcome.objects.create(**key, **links, note=note, recorded_by=user)
    except IntegrityError:  # a concurrent request recorded it first
        return Recorded(Outcome.objects.get(**key), False)
    audit.log_action(outcome, EventAction.OUTCOME, user, to_value=kind, data={
        "event": event.pk, "listing": listing.pk, "organisation": attending.organisation_id,
        **{name: value.pk for name, value in links.items() if value is not None}})
    return Recorded(outcome, True)


def of_event(event: Event) -> QuerySet[Outcome]:
    return (Outcome.objects.filter(event=event)
            .select_related("listing", "organisation", "inquiry", "agreement", "intent").order_by("created_at", "id"))
