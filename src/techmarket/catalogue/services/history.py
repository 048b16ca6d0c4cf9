"""A listing's history as people read it, from the audit log: statuses and grades by their Chinese names, fields
and areas by their taxonomy names, import notes in Chinese, and who acted. Never a code: the log keeps the codes
(`from_value`, `to_value`: draft, A, salt-lake.lithium), this module names them. The listing page and the
review page both show these rows."""

import re

from django.core.exceptions import FieldDoesNotExist

from techmarket.catalogue.models import Field, Listing, ListingAction
from techmarket.common import audit

# Who acted, for history entries written without a user.
ACTOR_LABELS = audit.ACTOR_LABELS

STATUS_LABELS = dict(Listing.Status.choices)
GRADE_LABELS = dict(Listing.Grade.choices)
UNKNOWN_FIELD = "（已停用的领域）"
UNKNOWN_GRADE = "（未知分级）"
NONE_BEFORE = {ListingAction.REGRADE: "未分级", ListingAction.RECLASSIFY: "未分类"}

# The importer's notes (catalogue.importers.loader), kept as written in the log.
_IMPORTED = re.compile(r"^imported from (?P<file>.+)$", re.DOTALL)
_REIMPORTED = re.compile(r"^re-imported from (?P<file>.+?); changed: (?P<fields>.*)$", re.DOTALL)


def grade_label(grade: str) -> str:
    """The grade's Chinese name (一级（重点）); "" for none."""
    if not grade:
        return ""
    return GRADE_LABELS.get(grade, UNKNOWN_GRADE)


def field_labels(codes) -> dict[str, str]:
    """Taxonomy codes → "field / area" names, for the codes that exist."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    return {field.code: str(field) for field in Field.objects.filter(code__in=codes).select_related("parent")}


def _model_field_label(name: str) -> str:
    try:
        return str(Listing._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def reason_text(reason: str) -> str:
    """A reason as shown: the importer's English notes in Chinese, with the changed columns by their names."""
    match = _REIMPORTED.match(reason or "")
    if match:
        names = [_model_field_label(name.strip()) for name in match["fields"].split(",") if name.strip()]
        return f"从 {match['file']} 重新导入，更新了：{'、'.join(names)}"
    match = _IMPORTED.match(reason or "")
    if match:
        return f"从 {match['file']} 导入"
    return reason


def listing_history(listing: Listing, newest_first: bool = False) -> list[dict]:
    """The listing's events, oldest first (or newest first), as rows for display: `at`, `type` (the action's
    name), `from_value` and `to_value` (names, never codes), `actor` and `reason`."""
    events = audit.history_for(listing)
    if newest_first:
        events = events.order_by("-at", "-id")
    events = list(events)
    fields = field_labels(value for event in events if event.action == ListingAction.RECLASSIFY
                          for value in (event.from_value, event.to_value))

    def label(event, value: str, before: bool = False) -> str:
        if not value:
            # A first grade or field reads "未分级 → 一级（重点）", not a bare arrow.
            return NONE_BEFORE.get(event.action, "") if before else ""
        if event.action in (ListingAction.TRANSITION, ListingAction.IMPORT):
            return STATUS_LABELS.get(value, value)
        if event.action == ListingAction.REGRADE:
            return grade_label(value)
        if event.action == ListingAction.RECLASSIFY:
            return fields.get(value, UNKNOWN_FIELD)
        return audit.value_label(event.content_type_id, value)

    return [{
        "at": event.at,
        "type": event.action_label,
        "from_value": label(event, event.from_value, before=True),
        "to_value": label(event, event.to_value),
        "actor": event.who,
        "reason": reason_text(event.reason),
    } for event in events]
