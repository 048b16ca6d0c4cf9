"""A listing's history as shown on its page, read from the audit log: status codes by their Chinese names, who
acted."""

from techmarket.catalogue.models import Listing, ListingAction
from techmarket.common import audit

# Who acted, for history entries written without a user.
ACTOR_LABELS = audit.ACTOR_LABELS


def listing_history(listing: Listing) -> list[dict]:
    """The listing's events, oldest first, as rows for display."""
    labels = dict(Listing.Status.choices)
    rows = []
    for event in audit.history_for(listing):
        translate = event.action in (ListingAction.TRANSITION, ListingAction.IMPORT)
        rows.append({
            "at": event.at,
            "type": event.action_label,
            "from_value": labels.get(event.from_value, event.from_value) if translate else event.from_value,
            "to_value": labels.get(event.to_value, event.to_value) if translate else event.to_value,
            "actor": event.who,
            "reason": event.reason,
        })
    return rows
