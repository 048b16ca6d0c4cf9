"""Finding, counting, creating and editing listings: the one place web views, the API, exports and the
CLI get their listing querysets and their writes from."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from techmarket.catalogue.models import (
    PUBLIC_STATUSES,
    CooperationMode,
    Field,
    Listing,
    ListingAction,
    ListingOrganisation,
)
from techmarket.catalogue.numbers import parse_number
from techmarket.catalogue.services import attachments as listing_attachments
from techmarket.catalogue.services import contacts as listing_contacts
from techmarket.catalogue.services.classification import classify
from techmarket.catalogue.services.contacts import ContactError, ContactInput
from techmarket.catalogue.services.grading import apply_computed_grade
from techmarket.common import audit
from techmarket.common.bounds import (
    DESCRIPTION_MAX,
    REASON_MAX,
    TITLE_MAX,
    validate_budget,
    validate_single_line,
    validate_text,
    validate_validity,
)
from techmarket.common.errors import InvalidInput, NotAllowed
from techmarket.common.permissions import allowed
from techmarket.common.uploads import CheckedFile

SORTS = {
    "reference": ("source_section", "source_position", "id"),
    "newest": ("-published_at", "-id"),
    "grade": ("grade", "source_section", "source_position"),
    "title": ("title",),
}


@dataclass
class ListingFilters:
    """The catalogue's filters; every field optional. Codes, not display names."""

    kind: str = ""
    field: str = ""  # a field or area code; a field includes its areas
    mode: str = ""
    region: str = ""  # a region code; the province (qinghai) includes its prefectures
    organisation: int | None = None
    status: str = ""
    grade: str = ""
    q: str = ""  # plain substring search until the search issue brings a real index; or a listing's number
    sort: str = "reference"


def visible_listings(user=None) -> QuerySet[Listing]:
    """Public listings for everyone; reviewers see every listing; verified members also see their
    organisation's unpublished ones."""
    qs = Listing.objects.all()
    if user is not None and user.is_authenticated and user.is_reviewer:
        return qs
    condition = Q(status__in=PUBLIC_STATUSES)
    if user is not None and user.is_authenticated and user.can_submit_listings:
        condition |= Q(owner_id=user.organisation_id)
    return qs.filter(condition)


def filter_listings(filters: ListingFilters, user=None) -> QuerySet[Listing]:
    qs = visible_listings(user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.field:
        qs = qs.filter(Q(field__code=filters.field) | Q(field__parent__code=filters.field))
    if filters.mode:
        qs = qs.filter(modes__code=filters.mode)
    if filters.region:
        qs = qs.filter(
            Q(organisations__region__code=filters.region) | Q(organisations__region__parent__code=filters.region)
        )
    if filters.organisation:
        qs = qs.filter(organisations__id=filters.organisation)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q)
                       | Q(organisations_raw__icontains=filters.q) | number_q(filters.q))
    return (
        qs.distinct()
        .select_related("field", "field__parent", "owner")
        .prefetch_related("modes")
        .order_by(*SORTS.get(filters.sort, SORTS["reference"]))
    )


def number_q(text: str) -> Q:
    """The listing whose number (catalogue.numbers) `text` is, as a condition; one that matches nothing if
    `text` is not a number."""
    parsed = parse_number(text)
    if parsed is None:
        return Q(pk__in=[])
    year, pk = parsed
    return Q(pk=pk, created_at__year=year)


def find_by_number(text: str, user=None) -> Listing | None:
    """The listing `user` may see whose number `text` is (XQ-2025-0012, typed in any case, with or without
    dashes), or None."""
    if parse_number(text) is None:
        return None
    return visible_listings(user).filter(number_q(text)).first()


def catalogue_counts(user=None) -> dict:
    """Counts by kind and by top-level field, for the home page and the API."""
    qs = visible_listings(user)
    by_kind = {row["kind"]: row["n"] for row in qs.values("kind").annotate(n=Count("id"))}
    by_field = {
        row["field__parent__code"]: row["n"]
        for row in qs.exclude(field__isnull=True).values("field__parent__code").annotate(n=Count("id"))
    }
    fields = Field.objects.filter(parent__isnull=True)
    return {
        "total": qs.count(),
        "by_kind": [{"code": k.value, "name": k.label, "count": by_kind.get(k.value, 0)} for k in Listing.Kind],
        "by_field": [{"code": f.code, "name": f.name, "count": by_field.get(f.code, 0)} for f in fields],
    }


@dataclass
class ListingInput:
    """What an organisation user writes in a listing."""

    kind: str
    title: str
    description: str
    modes: list[CooperationMode]
    field: Field | None = None
    trl: int | None = None
    budget_wan: Decimal | None = None
    valid_until: datetime.date | None = None
    # The contact person; None leaves the listing's contacts as they are (a new listing then gets the writing
    # user, when the account's name and phone or e-mail make a contact).
    contact: ContactInput | None = None
    # Partner units (合作单位) by name; None leaves them as they are, [] removes them.
    partners: list[str] | None = None
    # Files to attach (checked by common.uploads) and ids of the listing's attachments to remove.
    attachments: tuple[CheckedFile, ...] = ()
    remove_attachments: tuple[int, ...] = ()


class ListingPermissionError(NotAllowed):
    """The user may not write this listing; the message is for the user (Chinese)."""


class ListingInputError(InvalidInput, ValueError):
    """A value outside the bounds of common.bounds; `field` names it, the message is for the user (Chinese).
    Forms and API schemas refuse such values first; this keeps every other caller within them too."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def check_input(data: ListingInput) -> None:
    """Raise ListingInputError unless `data` is within bounds. A validity date may be at most ten years
    ahead (a stored one always is: it was, when it was saved)."""
    title, description = data.title.strip(), data.description.strip()
    checks = [
        ("title", lambda: validate_single_line(title)),
        ("description", lambda: validate_text(description)),
        ("budget_wan", lambda: validate_budget(data.budget_wan)),
        ("valid_until", lambda: validate_validity(data.valid_until)),
    ]
    if not title:
        raise ListingInputError("title", "请填写项目名称。")
    if len(title) > TITLE_MAX:
        raise ListingInputError("title", f"项目名称最多 {TITLE_MAX} 个字（现有 {len(title)} 个）。")
    if not description:
        raise ListingInputError("description", "请填写主要内容。")
    if len(description) > DESCRIPTION_MAX:
        raise ListingInputError("description", f"主要内容最多 {DESCRIPTION_MAX} 个字（现有 {len(description)} 个）。")
    for field, check in checks:
        try:
            check()
        except ValidationError as error:
            raise ListingInputError(field, error.messages[0]) from None
    try:
        if data.contact is not None:
            listing_contacts.clean_contact(data.contact)
        if data.partners is not None:
            listing_contacts.clean_partner_names("\n".join(data.partners))
    except ContactError as error:
        raise ListingInputError(error.field, str(error)) from None
    try:
        for checked in data.attachments:
            listing_attachments.check_type(checked)
    except listing_attachments.AttachmentError as error:
        raise ListingInputError("attachments", str(error)) from None


EDITABLE_STATUSES = (Listing.Status.DRAFT, Listing.Status.REJECTED, Listing.Status.PUBLISHED,
                     Listing.Status.IN_TALKS, Listing.Status.EXPIRED)


def check_can_create(user) -> None:
    """Raise ListingPermissionError, with the reason for the user, unless `user` may write new listings."""
    if user is None or not user.is_authenticated:
        raise ListingPermissionError("请先登录。")
    if not allowed(user, "catalogue.create_listing"):
        if not user.is_verified:
            raise ListingPermissionError(
                "您的账户尚未通过实名核验。工作人员核验您的身份和所在单位后，您才能代表单位发布需求或成果。"
            )
        raise ListingPermissionError("您的账户尚未关联单位。只有已核验并关联单位的用户可以发布需求或成果。")


def check_can_edit(user, listing: Listing) -> None:
    """Raise ListingPermissionError unless `user` may edit `listing` now."""
    if not allowed(user, "catalogue.write_listing", listing):
        raise ListingPermissionError("只有发布单位的已核验成员可以修改此条目。")
    if listing.status not in EDITABLE_STATUSES:
        raise ListingPermissionError(f"“{listing.get_status_display()}”状态的条目不能修改。")


def can_edit(user, listing: Listing) -> bool:
    try:
        check_can_edit(user, listing)
    except ListingPermissionError:
        return False
    return True


def _with_transitions(qs: QuerySet[Listing]) -> QuerySet[Listing]:
    """Annotate each listing with its last status transition's new status and reason, as
    `last_transition_to` and `last_transition_reason` (so a page can show why a listing was rejected, withdrawn
    or expired)."""
    last = (audit.history_of_model(Listing).filter(object_id=OuterRef("pk"), action=ListingAction.TRANSITION)
            .order_by("-at", "-id"))
    return qs.annotate(last_transition_to=Subquery(last.values("to_value")[:1]),
                       last_transition_reason=Subquery(last.values("reason")[:1]))


def organisation_listings(organisation) -> QuerySet[Listing]:
    """Every listing an organisation owns, whatever its status, most recently changed first."""
    if organisation is None:
        return Listing.objects.none()
    qs = Listing.objects.filter(owner=organisation).select_related("field", "field__parent")
    return _with_transitions(qs).order_by("-updated_at", "-id")


def in_review_scope(qs: QuerySet[Listing], user) -> QuerySet[Listing]:
    """`qs` as a reviewer's desk shows it: all of it to the province's reviewers, to a prefecture's reviewers only
    the listings of organisations in their prefectures."""
    if allowed(user, "catalogue.review"):
        return qs
    return qs.filter(owner__region__in=user.region_reviews.values("region"))


def review_queue_listings() -> QuerySet[Listing]:
    """Listings awaiting review, the longest-waiting first (by when they were last submitted)."""
    qs = (
        Listing.objects.filter(status=Listing.Status.SUBMITTED)
        .annotate(submitted_at=Subquery(
            audit.history_of_model(Listing).filter(object_id=OuterRef("pk"), action=ListingAction.TRANSITION,
                                                   to_value=Listing.Status.SUBMITTED)
            .order_by("-at").values("at")[:1]))
        .select_related("owner", "field", "field__parent")
    )
    return qs.order_by("submitted_at", "id")


@transaction.atomic
def create_listing(user, data: ListingInput) -> Listing:
    check_can_create(user)
    check_input(data)
    listing = Listing.objects.create(
        reference=f"pending/{user.pk}/{datetime.datetime.now().timestamp()}", status=Listing.Status.DRAFT,
        owner=user.organisation, created_by=user, organisations_raw=user.organisation.name,
        **_writable_values(data),
    )
    listing.reference = f"user/{listing.pk}"
    ListingOrganisation.objects.create(listing=listing, organisation=user.organisation)
    listing.modes.set(data.modes)
    _classify_if_unset(listing, data)
    contact = data.contact if data.contact is not None else listing_contacts.default_contact(user)
    _write_parties(user, listing, data, contact)
    listing.save()
    audit.log_action(listing, ListingAction.TRANSITION, user, to_value=listing.status, reason="创建")
    apply_computed_grade(listing)
    _write_attachments(user, listing, data)
    return listing


@transaction.atomic
def update_listing(user, listing: Listing, data: ListingInput) -> Listing:
    check_can_edit(user, listing)
    check_input(data)
    for name, value in _writable_values(data).items():
        setattr(listing, name, value)
    listing.modes.set(data.modes)
    _classify_if_unset(listing, data)
    _write_parties(user, listing, data, data.contact)
    listing.save()
    audit.log_action(listing, ListingAction.EDIT, user, reason="编辑内容")
    apply_computed_grade(listing)
    _write_attachments(user, listing, data)
    return listing


def _write_parties(user, listing: Listing, data: ListingInput, contact: ContactInput | None) -> None:
    """The contact person and the partner units (checked by check_input)."""
    if contact is not None:
        listing_contacts.set_contact(listing, contact, listing.owner or user.organisation)
    if data.partners is not None:
        listing_contacts.set_partners(listing, data.partners)


def _write_attachments(user, listing: Listing, data: ListingInput) -> None:
    """Last of a write: files reach storage only when everything else was accepted."""
    if not data.attachments and not data.remove_attachments:
        return
    try:
        listing_attachments.update_attachments(user, listing, list(data.attachments), list(data.remove_attachments))
    except listing_attachments.AttachmentError as error:
        raise ListingInputError("attachments", str(error)) from None


def _writable_values(data: ListingInput) -> dict:
    return {"kind": data.kind, "title": data.title.strip(), "description": data.description.strip(),
            "trl": data.trl, "budget_wan": data.budget_wan, "valid_until": data.valid_until,
            "modes_raw": "、".join(m.name for m in data.modes)}


def _classify_if_unset(listing: Listing, data: ListingInput) -> None:
    if data.field is not None:
        listing.field = data.field
        return
    if not listing.field_confirmed:
        result = classify(listing.title, listing.description)
        listing.field, listing.field_auto = result.area, result.area.code if result.area else ""


@transaction.atomic
def regrade(user, listing: Listing, grade: str, reason: str) -> Listing:
    """A reviewer sets the grade (动态调整); the change and its reason go into the history."""
    if not allowed(user, "catalogue.review"):
        raise ListingPermissionError("只有审核人员可以调整分级。")
    if grade not in Listing.Grade.values:
        raise ListingPermissionError("分级无效。")
    if not reason.strip():
        raise ListingPermissionError("请填写调整分级的原因。")
    if len(reason) > REASON_MAX:
        raise ListingPermissionError(f"调整原因最多 {REASON_MAX} 个字。")
    old = listing.grade
    listing.grade, listing.grade_overridden = grade, True
    listing.grade_basis = {**listing.grade_basis, "method": "reviewer", "reason": reason}
    listing.save()
    audit.log_action(listing, ListingAction.REGRADE, user, from_value=old, to_value=grade, reason=reason)
    return listing


@transaction.atomic
def reclassify(user, listing: Listing, field: Field, reason: str = "") -> Listing:
    """A reviewer corrects the field; later re-imports keep the reviewer's choice."""
    if not allowed(user, "catalogue.review"):
        raise ListingPermissionError("只有审核人员可以调整分类。")
    if field.parent_id is None:
        raise ListingPermissionError("请选择二级领域。")
    old = listing.field.code if listing.field_id else ""
    listing.field, listing.field_confirmed = field, True
    listing.save()
    audit.log_action(listing, ListingAction.RECLASSIFY, user, from_value=old, to_value=field.code, reason=reason)
    apply_computed_grade(listing)
    return listing


def changed_since(since: datetime.datetime | None = None) -> tuple[QuerySet[Listing], list[str]]:
    """For feeds to other platforms (docking): the public listings changed since `since` (all of them when None),
    oldest change first, and the references of the listings that were public once and are no longer, changed since
    `since` (none when None: a complete feed only lists what is public)."""
    public = Listing.objects.filter(status__in=PUBLIC_STATUSES)
    gone: list[str] = []
    if since is not None:
        public = public.filter(updated_at__gte=since)
        gone = list(Listing.objects.exclude(status__in=PUBLIC_STATUSES)
                    .filter(updated_at__gte=since, published_at__isnull=False)
                    .order_by("updated_at", "id").values_list("reference", flat=True))
    public = public.select_related("field", "field__parent").prefetch_related(
        "modes", "organisation_links__organisation__region").order_by("updated_at", "id")
    return public, gone
