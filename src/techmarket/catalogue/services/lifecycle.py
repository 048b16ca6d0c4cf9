"""The lifecycle of a listing: which status may follow which, who may move it, and its history.

draft → submitted → published → in talks → contracted → closed; withdrawn; rejected (with a reason);
expired when its validity date passes, and published again by renewal with a new date.
Every transition is recorded in the audit log (common.audit) with who, when and why.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from techmarket.catalogue.models import Listing, ListingAction
from techmarket.common import audit
from techmarket.common.bounds import REASON_MAX, validate_text, validate_validity
from techmarket.common.errors import NotAllowed, Refused
from techmarket.common.permissions import allowed

S = Listing.Status

# to-status → the statuses it may follow.
ALLOWED = {
    S.SUBMITTED: {S.DRAFT, S.REJECTED},
    S.PUBLISHED: {S.SUBMITTED, S.IN_TALKS, S.EXPIRED},
    S.REJECTED: {S.SUBMITTED},
    S.IN_TALKS: {S.PUBLISHED},
    S.CONTRACTED: {S.IN_TALKS, S.PUBLISHED},
    S.CLOSED: {S.CONTRACTED, S.PUBLISHED, S.IN_TALKS},
    S.WITHDRAWN: {S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.IN_TALKS, S.EXPIRED, S.REJECTED},
    S.EXPIRED: {S.PUBLISHED, S.IN_TALKS},
    S.DRAFT: {S.WITHDRAWN, S.REJECTED},
}
# Transitions only reviewers may make; the others the owning organisation's members may make too.
REVIEWER_ONLY = {(S.SUBMITTED, S.PUBLISHED), (S.SUBMITTED, S.REJECTED)}
REASON_REQUIRED = {S.REJECTED, S.WITHDRAWN}


class TransitionError(Refused):
    """A transition the rules forbid; the message is for the user (Chinese)."""


class TransitionForbidden(NotAllowed, TransitionError):
    """A transition the rules allow, but not to this user (not a reviewer, not the owner): the API's 403."""


def is_owner(user, listing: Listing) -> bool:
    return allowed(user, "catalogue.own_listing", listing)


def can_transition(user, listing: Listing, to_status: str) -> bool:
    try:
        check_transition(user, listing, to_status)
    except TransitionError:
        return False
    return True


def check_transition(user, listing: Listing, to_status: str, reason: str = "",
                     valid_until: datetime.date | None = None, system: bool = False) -> None:
    _check_path_and_actor(user, listing, to_status, system)
    if to_status in REASON_REQUIRED and not reason.strip():
        raise TransitionError("请填写原因。")
    if len(reason) > REASON_MAX:
        raise TransitionError(f"原因最多 {REASON_MAX} 个字。")
    try:
        validate_text(reason)
        validate_validity(valid_until)
    except ValidationError as error:
        raise TransitionError(error.messages[0]) from None
    if listing.status == S.EXPIRED and to_status == S.PUBLISHED:
        if valid_until is None or valid_until <= timezone.localdate():
            raise TransitionError("续期须填写晚于今天的新有效期。")
    if valid_until is not None and valid_until <= timezone.localdate():
        raise TransitionError("有效期须晚于今天。")


def _check_path_and_actor(user, listing: Listing, to_status: str, system: bool = False) -> None:
    """Whether the rules allow this step at all and this user may take it (reason and date aside)."""
    if to_status not in ALLOWED or listing.status not in ALLOWED[to_status]:
        label = S(to_status).label if to_status in S.values else to_status
        raise TransitionError(f"“{listing.get_status_display()}”状态的条目不能变更为“{label}”。")
    if to_status == S.EXPIRED and not system:
        raise TransitionError("“已过期”由系统按有效期自动设置。")
    if not system:
        if (listing.status, to_status) in REVIEWER_ONLY:
            if not allowed(user, "catalogue.decide_listing", listing):
                raise TransitionForbidden("只有省科技厅审核人员可以审核发布或退回。")
        elif not allowed(user, "catalogue.write_listing", listing):
            raise TransitionForbidden("只有发布单位的已核验成员或审核人员可以执行此操作。")


def available_transitions(user, listing: Listing) -> list[str]:
    """The statuses `user` may move `listing` to now, in lifecycle order; some still need a reason
    (REASON_REQUIRED) or, for a renewal, a new validity date."""
    result = []
    for to_status in S.values:
        try:
            _check_path_and_actor(user, listing, to_status)
        except TransitionError:
            continue
        result.append(to_status)
    return result


def needs_new_validity(listing: Listing, to_status: str) -> bool:
    """Renewal: an expired listing published again needs a new validity date."""
    return listing.status == S.EXPIRED and to_status == S.PUBLISHED


@transaction.atomic
def transition(listing: Listing, to_status: str, user=None, reason: str = "",
               valid_until: datetime.date | None = None, system_label: str = "") -> Listing:
    """Move a listing to `to_status`, or raise TransitionError and change nothing."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    check_transition(user, listing, to_status, reason, valid_until, system=bool(system_label))
    from_status = listing.status
    listing.status = to_status
    if valid_until is not None:
        listing.valid_until = valid_until
    if to_status == S.PUBLISHED and listing.published_at is None:
        listing.published_at = timezone.now()
    listing.save()
    audit.log_action(listing, ListingAction.TRANSITION, user if user and user.is_authenticated else None,
                     from_value=from_status, to_value=to_status, actor_label=system_label, reason=reason)
    return listing


DEFAULT_VALIDITY = datetime.timedelta(days=365)


def approve(listing: Listing, user, valid_until: datetime.date | None = None) -> Listing:
    """A reviewer publishes a submitted listing. Without a date from the reviewer, a listing with no
    validity date, or one that has passed while it waited for review, is valid for DEFAULT_VALIDITY."""
    if valid_until is None and (listing.valid_until is None or listing.valid_until <= timezone.localdate()):
        valid_until = timezone.localdate() + DEFAULT_VALIDITY
    return transition(listing, S.PUBLISHED, user=user, reason="审核通过", valid_until=valid_until)


def reject(listing: Listing, user, reason: str) -> Listing:
    """A reviewer sends a submitted listing back to its organisation with the reason."""
    return transition(listing, S.REJECTED, user=user, reason=reason)


def expire_due(today: datetime.date | None = None) -> list[Listing]:
    """Expire every published or in-talks listing whose validity date has passed."""
    today = today or timezone.localdate()
    due = Listing.objects.filter(status__in=ALLOWED[S.EXPIRED], valid_until__lt=today)
    return [
        transition(listing, S.EXPIRED, reason=f"有效期至 {listing.valid_until} 已过", system_label="expiry")
        for listing in due
    ]
