"""Targeted publishing (定向发布) and its follow-up: every rule lives here, the views only call it.

- Sending: only provincial reviewers (user.is_reviewer) send, only public demands, talent needs and
  platform co-building listings (published or in talks), to organisations other than the listing's
  owner, and never twice to the same organisation for the same listing. A refused send changes nothing.
  Each recipient's ranking score and reasons (rank_institutions) are kept with the intent as a snapshot.
- Answering: only verified members of the recipient organisation (user.can_submit_listings and
  user.organisation_id == intent.organisation_id). Allowed answers (RESPONSE_TRANSITIONS):

      sent        → interested | declined | proposal
      interested  → proposal | declined
      proposal    → proposal (a revised proposal replaces the text)
      declined    → nothing (final)

  A proposal (提交方案) needs its text; the other answers may carry a note.
- From answer to deal: a positive answer (interested or a proposal) to a listing the market deals in (a demand
  with an owner, published or in talks) opens talks (market.services.deals.open_inquiry) between the answering
  organisation and the owner in the same transaction — or adds the answer to the talks already open — links them
  to the intent, moves a published listing to 洽谈中, and notifies the owner's verified members. Other listings
  keep the answer only; the owner is notified all the same.
- Reminding: an intent still 'sent' N days after it was sent, or N days after its last reminder, whose
  listing is still published or in talks, is reminded: reminder_count + 1, last_reminded_at, and a
  notification (techmarket.common.notifications: the inbox, and an e-mail after commit to those with an
  address who have not switched the topic off) to each verified, active member of the recipient organisation.
  Sending notifies them the same way.
- Every change (sending, each answer, each reminder) is recorded in the audit log (common.audit).
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from techmarket.catalogue.models import PUBLIC_STATUSES, Listing
from techmarket.catalogue.services import lifecycle
from techmarket.common import audit
from techmarket.common.errors import NotAllowed, Refused
from techmarket.common.notifications import notify
from techmarket.common.permissions import allowed
from techmarket.directory.models import Organisation
from techmarket.market.services import deals
from techmarket.market.services.errors import MarketError
from techmarket.matching.models import CooperationIntent, IntentAction
from techmarket.matching.services.match import OrganisationFit, rank_institutions

log = logging.getLogger(__name__)

ST = CooperationIntent.Status

SENDABLE_KINDS = (Listing.Kind.DEMAND, Listing.Kind.TALENT, Listing.Kind.PLATFORM)
SENDABLE_STATUSES = (Listing.Status.PUBLISHED, Listing.Status.IN_TALKS)
ANSWERS = (ST.INTERESTED, ST.DECLINED, ST.PROPOSAL)
# from-status → the answers that may follow it.
RESPONSE_TRANSITIONS = {
    ST.SENT: {ST.INTERESTED, ST.DECLINED, ST.PROPOSAL},
    ST.INTERESTED: {ST.PROPOSAL, ST.DECLINED},
    ST.PROPOSAL: {ST.PROPOSAL},
    ST.DECLINED: set(),
}
SUGGEST_LIMIT = 20
# The ranking is asked for this many institutions so that recipients chosen below the page's
# cut-off still get their score snapshot.
SNAPSHOT_LIMIT = 200
DEFAULT_REMINDER_DAYS = 7
REMINDER_LABEL = "reminder"
# Notification topics (declared in matching/notification_topics.py).
INTENT_TOPIC = "matching.intent"
REMINDER_TOPIC = "matching.intent-reminder"
ANSWER_TOPIC = "matching.intent-answer"
POSITIVE = (ST.INTERESTED, ST.PROPOSAL)
TALKS_LABEL = "talks"  # the audit log's actor of the listing's move to 洽谈中 (common.audit.ACTOR_LABELS)


class IntentError(Refused):
    """A step the rules forbid; the message is for the user (Chinese). Nothing was changed."""


class IntentPermissionError(NotAllowed, IntentError):
    """The user may not take this step at all (the web answers 403)."""


# --- Who may do what -------------------------------------------------------------------------------

def can_send(user) -> bool:
    return allowed(user, "matching.send_intent")


def is_sendable(listing: Listing) -> bool:
    return listing.kind in SENDABLE_KINDS and listing.status in SENDABLE_STATUSES


def can_respond(user, intent: CooperationIntent) -> bool:
    return allowed(user, "matching.respond_intent", intent)


def can_see_follow_up(user, listing: Listing) -> bool:
    """Reviewers and verified members of the listing's owner see each recipient and answer; everyone
    else only the counts."""
    return allowed(user, "matching.see_follow_up", listing)


def can_use_inbox(user) -> bool:
    return allowed(user, "matching.use_inbox")


def allowed_answers(intent: CooperationIntent) -> list[str]:
    """The answers the intent may take now, in ANSWERS order."""
    following = RESPONSE_TRANSITIONS.get(intent.status, set())
    return [answer for answer in ANSWERS if answer in following]


# --- Sending ---------------------------------------------------------------------------------------

def suggest_recipients(listing: Listing, limit: int = SUGGEST_LIMIT) -> list[OrganisationFit]:
    """Institutions inside and outside Qinghai ranked by their fit to the listing, best first, without
    the listing's own organisations (its owner and implementing units)."""
    own = _own_organisation_ids(listing)
    fits = rank_institutions(listing, limit=limit + len(own))
    return [fit for fit in fits if fit.organisation_id not in own][:limit]


def _own_organisation_ids(listing: Listing) -> set[int]:
    own = set(listing.organisation_links.values_list("organisation_id", flat=True))
    if listing.owner_id:
        own.add(listing.owner_id)
    return own


def _check_sendable(listing: Listing) -> None:
    if listing.kind not in SENDABLE_KINDS:
        raise IntentError("只有技术需求、人才需求和平台共建条目可以定向发布。")
    if listing.status not in SENDABLE_STATUSES:
        raise IntentError(f"“{listing.get_status_display()}”状态的条目不能定向发布，须为已发布或洽谈中。")


@transaction.atomic
def send_intents(reviewer, listing: Listing, organisation_ids, message: str = "") -> list[CooperationIntent]:
    """Send `listing` to each organisation of `organisation_ids`; all or nothing. Raises IntentError
    (IntentPermissionError for a non-reviewer) and creates nothing when any rule is broken, including
    when the listing was already sent to one of the organisations."""
    if not can_send(reviewer):
        raise IntentPermissionError("只有省科技厅审核人员可以定向发布。")
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    _check_sendable(listing)
    try:
        ids = list(dict.fromkeys(int(pk) for pk in organisation_ids))
    except (TypeError, ValueError):
        raise IntentError("所选机构无效。") from None
    if not ids:
        raise IntentError("请至少选择一家机构。")
    organisations = Organisation.objects.in_bulk(ids)
    if len(organisations) != len(ids):
        raise IntentError("所选机构不存在。")
    own = [organisations[pk].name for pk in ids if pk in _own_organisation_ids(listing)]
    if own:
        raise IntentError(f"不能向条目自身的发布或实施单位定向发布：{'、'.join(own)}。")
    already = CooperationIntent.objects.filter(listing=listing, organisation_id__in=ids).select_related(
        "organisation")
    if already:
        names = "、".join(intent.organisation.name for intent in already)
        raise IntentError(f"该条目已向以下机构定向发布过，不能重复发送：{names}。")

    fits = {fit.organisation_id: fit for fit in rank_institutions(listing, limit=SNAPSHOT_LIMIT)}
    now = timezone.now()
    message = (message or "").strip()
    intents = []
    for pk in ids:
        fit = fits.get(pk)
        intent = CooperationIntent.objects.create(
            listing=listing, organisation=organisations[pk], sent_by=reviewer, sent_at=now, message=message,
            fit_score=fit.score if fit else None,
            fit_reasons=[{"code": r.code, "label": r.label, "weight": r.weight} for r in fit.reasons] if fit else [],
        )
        audit.log_action(intent, IntentAction.SENT, reviewer, to_value=ST.SENT, reason=message, at=now)
        intents.append(intent)
    for intent in intents:
        _notify(intent, reminder=False)
    return intents


# --- Answering -------------------------------------------------------------------------------------

@transaction.atomic
def respond(user, intent: CooperationIntent, status: str, text: str = "") -> CooperationIntent:
    """Record the recipient organisation's answer, or raise IntentError and change nothing."""
    if not can_respond(user, intent):
        raise IntentPermissionError("只有接收机构的已核验成员可以回复合作意向。")
    if status not in ANSWERS:
        raise IntentError("请选择回复：有意向、暂不合作或提交方案。")
    text = (text or "").strip()
    if status == ST.PROPOSAL and not text:
        raise IntentError("提交方案须填写方案内容。")
    intent = CooperationIntent.objects.select_for_update().get(pk=intent.pk)
    if status not in RESPONSE_TRANSITIONS.get(intent.status, set()):
        if intent.status == ST.DECLINED:
            raise IntentError("已回复“暂不合作”的意向不能再变更。")
        if status == intent.status:
            raise IntentError(f"已回复“{intent.get_status_display()}”。")
        raise IntentError(f"已回复“{intent.get_status_display()}”，不能再改为“{ST(status).label}”。")
    now = timezone.now()
    from_status = intent.status
    intent.status, intent.response, intent.responded_at, intent.responded_by = status, text, now, user
    intent.save(update_fields=["status", "response", "responded_at", "responded_by"])
    audit.log_action(intent, IntentAction.RESPONSE, user, from_value=from_status, to_value=status, reason=text,
                     at=now)
    if status in POSITIVE:
        _open_talks(user, intent, text)
    _notify_owner(intent)
    return intent


def _open_talks(user, intent: CooperationIntent, text: str) -> None:
    """Open (or add to) the talks between the answering organisation and the listing's owner; see the module's
    docstring. A listing the market does not deal in keeps the answer only."""
    listing = intent.listing
    if deals.why_not_inquire(user, listing):
        return
    opening = "本单位提交合作方案" if intent.status == ST.PROPOSAL else "本单位对该条目有合作意向"
    message = f"（回复省科技厅定向发布）{opening}。" + (f"\n{text}" if text else "")
    try:
        inquiry = deals.open_inquiry(user, listing, message[:deals.MESSAGE_MAX])
    except MarketError as error:
        raise IntentError(str(error)) from None
    if intent.inquiry_id != inquiry.pk:
        intent.inquiry = inquiry
        intent.save(update_fields=["inquiry"])
    listing.refresh_from_db(fields=["status"])
    if listing.status == Listing.Status.PUBLISHED:
        lifecycle.transition(listing, Listing.Status.IN_TALKS, system_label=TALKS_LABEL,
                             reason=f"{intent.organisation.name}回复定向发布：{intent.get_status_display()}")


def _notify_owner(intent: CooperationIntent) -> None:
    """Tell the listing owner's verified members how the organisation answered, with the way to the talks."""
    listing = intent.listing
    if not listing.owner_id:
        return
    title = f"定向发布回复：{intent.organisation.name}{intent.get_status_display()}"
    lines = [f"{intent.organisation.name}对本单位的{listing.get_kind_display()}“{listing.title}”"
             f"（编号 {listing.number}）回复：{intent.get_status_display()}。"]
    if intent.response:
        lines += ["", intent.response]
    if intent.inquiry_id:
        lines += ["", "平台已为双方开启洽谈，请在洽谈页面与对方联系。"]
    link = intent.inquiry.get_absolute_url() if intent.inquiry_id else reverse("my-intents") + "#answers"
    notify(recipients(listing.owner_id), ANSWER_TOPIC, title, "\n".join(lines), link=link)


# --- Reminding -------------------------------------------------------------------------------------

def due_for_reminder(days: int = DEFAULT_REMINDER_DAYS, now: datetime.datetime | None = None):
    """Intents still unanswered `days` after sending (or after their last reminder), on listings still
    published or in talks."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days)
    return (CooperationIntent.objects
            .filter(status=ST.SENT, listing__status__in=SENDABLE_STATUSES)
            .filter(Q(last_reminded_at__isnull=True, sent_at__lte=cutoff) | Q(last_reminded_at__lte=cutoff))
            .select_related("listing", "organisation")
            .order_by("sent_at", "id"))


def remind_unanswered(days: int = DEFAULT_REMINDER_DAYS,
                      now: datetime.datetime | None = None) -> list[CooperationIntent]:
    """Remind every intent due (see due_for_reminder) and return them; each returned intent carries
    `mailed_to`, the addresses its reminder is e-mailed to once the reminder commits (empty when its
    organisation has none; a failing mail server is logged)."""
    if days < 0:
        raise ValueError("days must not be negative")
    now = now or timezone.now()
    reminded = []
    for candidate in due_for_reminder(days, now):
        with transaction.atomic():
            intent = CooperationIntent.objects.select_for_update().select_related("listing", "organisation").get(
                pk=candidate.pk)
            if intent.status != ST.SENT:  # answered meanwhile
                continue
            intent.reminder_count += 1
            intent.last_reminded_at = now
            intent.save(update_fields=["reminder_count", "last_reminded_at"])
            audit.log_action(intent, IntentAction.REMINDER, to_value=ST.SENT, actor_label=REMINDER_LABEL,
                             reason=f"第 {intent.reminder_count} 次提醒", at=now)
            intent.mailed_to = _notify(intent, reminder=True)
        reminded.append(intent)
    return reminded


def recipients(organisation_id: int):
    """The organisation's active, verified members, who hear of its intents."""
    return get_user_model().objects.filter(organisation_id=organisation_id, is_active=True,
                                           is_verified=True).order_by("email", "pk")


def recipient_emails(organisation_id: int) -> list[str]:
    """E-mail addresses of the organisation's active, verified members."""
    return sorted({email.strip() for email in recipients(organisation_id).values_list("email", flat=True)
                   if email and email.strip()})


def _notify(intent: CooperationIntent, reminder: bool) -> list[str]:
    """Notify the recipient organisation's members (inbox now, e-mail after commit, one message each so that
    members do not see each other's addresses). Returns the addresses to be written to."""
    listing = intent.listing
    if reminder:
        topic, title = REMINDER_TOPIC, f"定向发布待回复提醒：{listing.title}"
        opening = (f"省科技厅于 {timezone.localtime(intent.sent_at):%Y-%m-%d} 向贵单位定向发布的以下条目尚未回复"
                   f"（第 {intent.reminder_count} 次提醒）：")
    else:
        topic, title = INTENT_TOPIC, f"定向发布：{listing.title}"
        opening = "省科技厅向贵单位定向发布了以下条目，邀请贵单位参与合作："
    lines = [f"{intent.organisation.name}：", "", opening, "",
             f"{listing.get_kind_display()} {listing.number}", listing.title, ""]
    if intent.message:
        lines += ["附言：", intent.message, ""]
    lines += ["请登录平台，在“合作意向”中回复（有意向、暂不合作或提交方案）。"]
    done = notify(recipients(intent.organisation_id), topic, title, "\n".join(lines), link=reverse("my-intents"))
    return done.emails


# --- Follow-up -------------------------------------------------------------------------------------

@dataclass
class FollowUp:
    total: int
    counts: dict[str, int]  # status → number of intents
    intents: list[CooperationIntent] = field(default_factory=list)

    @property
    def interested(self) -> int:
        """Organisations that answered positively: interested or with a proposal."""
        return self.counts.get(ST.INTERESTED, 0) + self.counts.get(ST.PROPOSAL, 0)

    @property
    def rows(self) -> list[dict]:
        """Counts with their Chinese labels, in status order, for templates."""
        return [{"status": value, "label": label, "count": self.counts.get(value, 0)} for value, label in ST.choices]

    @property
    def summary(self) -> str:
        """One public sentence, with no personal data."""
        if not self.total:
            return "尚未定向发布。"
        text = f"已定向发布至 {self.total} 家机构，{self.interested} 家有意向"
        if self.counts.get(ST.PROPOSAL):
            text += f"（其中 {self.counts[ST.PROPOSAL]} 家已提交方案）"
        if self.counts.get(ST.DECLINED):
            text += f"，{self.counts[ST.DECLINED]} 家暂不合作"
        if self.counts.get(ST.SENT):
            text += f"，{self.counts[ST.SENT]} 家尚未回复"
        return text + "。"


def follow_up(listing: Listing) -> FollowUp:
    """The intents of a listing with counts by status (every status present, zero when none)."""
    intents = list(listing.intents.select_related("organisation", "organisation__region", "sent_by",
                                                  "responded_by").order_by("sent_at", "id"))
    counts = {value: 0 for value in ST.values}
    for intent in intents:
        counts[intent.status] = counts.get(intent.status, 0) + 1
    return FollowUp(total=len(intents), counts=counts, intents=intents)


def inbox(user):
    """The intents sent to the user's organisation, newest first, or none when the user may not answer."""
    if not can_use_inbox(user):
        return CooperationIntent.objects.none()
    return (CooperationIntent.objects.filter(organisation_id=user.organisation_id)
            .select_related("listing", "organisation", "responded_by")
            .order_by("-sent_at", "-id"))


def answers_to_own_listings(user):
    """The answers other organisations gave to the targeted publishing of the user's organisation's listings
    (not those still unanswered), newest first; none for a user who may not act for an organisation."""
    if not deals.is_member(user, getattr(user, "organisation_id", None)):
        return CooperationIntent.objects.none()
    return (CooperationIntent.objects.filter(listing__owner_id=user.organisation_id).exclude(status=ST.SENT)
            .select_related("listing", "organisation", "inquiry").order_by("-responded_at", "-id"))


def agreed_intents(since: datetime.datetime | None = None):
    """For feeds to other platforms (docking): the intents an organisation answered positively (有意向, 提交方案) on a
    public listing, answered since `since` (all when None), oldest answer first. The feed names the listing and the
    organisation only; the message and the answer's text are not for it."""
    qs = CooperationIntent.objects.filter(
        status__in=(CooperationIntent.Status.INTERESTED, CooperationIntent.Status.PROPOSAL),
        listing__status__in=PUBLIC_STATUSES, responded_at__isnull=False)
    if since is not None:
        qs = qs.filter(responded_at__gte=since)
    return qs.select_related("listing", "organisation").order_by("responded_at", "id")
