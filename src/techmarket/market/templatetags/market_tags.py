"""`{% inquiry_button listing %}` on the listing page, and the filters of the market templates."""

from decimal import Decimal

from django import template

from techmarket.market.services import deals

register = template.Library()


@register.inclusion_tag("market/inquiry_button.html", takes_context=True)
def inquiry_button(context, listing):
    """The "我有意向/发起洽谈" button: for a published offer or demand, to anyone but its owner's members."""
    user = context.get("user")
    if user is None and context.get("request") is not None:
        user = context["request"].user
    show = listing.kind in deals.INQUIRABLE_KINDS and listing.status in deals.INQUIRABLE_STATUSES \
        and listing.owner_id is not None
    own = bool(user and user.is_authenticated and user.organisation_id == listing.owner_id)
    return {
        "listing": listing,
        "show": show and not own,
        "anonymous": not (user and user.is_authenticated),
        "existing": deals.open_inquiry_for(user, listing) if show else None,
        "reason": deals.why_not_inquire(user, listing) if show and user and user.is_authenticated else "",
    }


@register.filter
def yuan(value) -> str:
    """1234567.5 → 1,234,567.50"""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):,.2f}"


STATUS_CLASSES = {
    "submitted": "text-bg-info", "accepted": "text-bg-primary", "registered": "text-bg-success",
    "changed": "text-bg-success", "refused": "text-bg-danger", "reconsideration": "text-bg-warning",
    "cancelled": "text-bg-secondary", "withdrawn": "text-bg-secondary",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-light")
