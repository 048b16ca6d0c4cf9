"""A listing's history as shown on its page: status codes by their Chinese names, who acted."""

from techmarket.catalogue.models import Listing, ListingEvent

# Who acted, for history entries written without a user.
ACTOR_LABELS = {"import": "数据导入", "expiry": "系统（有效期到期）"}


def listing_history(listing: Listing) -> list[dict]:
    """The listing's events, oldest first, as rows for display."""
    labels = dict(Listing.Status.choices)
    rows = []
    for event in listing.events.select_related("actor"):
        translate = event.type in (ListingEvent.Type.TRANSITION, ListingEvent.Type.IMPORT)
        rows.append({
            "at": event.at,
            "type": event.get_type_display(),
            "from_value": labels.get(event.from_value, event.from_value) if translate else event.from_value,
            "to_value": labels.get(event.to_value, event.to_value) if translate else event.to_value,
            "actor": str(event.actor) if event.actor_id else ACTOR_LABELS.get(event.actor_label, event.actor_label),
            "reason": event.reason,
        })
    return rows
