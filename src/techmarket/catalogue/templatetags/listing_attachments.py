"""`{% listing_attachments listing %}`: the listing's attachments in its contact block, as links for those who may
download them (catalogue.download_attachment), otherwise only how many there are."""

from django import template

from techmarket.catalogue.services.attachments import can_download

register = template.Library()


@register.inclusion_tag("catalogue/listing_attachments.html", takes_context=True)
def listing_attachments(context, listing):
    user = context.get("user")
    if user is None and context.get("request") is not None:
        user = context["request"].user
    allowed = can_download(user, listing)
    attachments = list(listing.attachments.all()) if allowed else []
    return {
        "listing": listing,
        "allowed": allowed,
        "attachments": attachments,
        "count": len(attachments) if allowed else listing.attachments.count(),
        "anonymous": not (user is not None and user.is_authenticated),
        "request": context.get("request"),
    }
