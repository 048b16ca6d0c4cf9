"""`{% intents_panel listing %}`: the follow-up of targeted publishing on the listing page.

Reviewers and verified members of the listing's owner see every recipient with its answer and dates;
everyone else sees only the counts, and nothing at all when the listing was never sent."""

from django import template

from techmarket.matching.services import intents as service

register = template.Library()


@register.inclusion_tag("matching/intents_panel.html", takes_context=True)
def intents_panel(context, listing):
    user = context.get("user")
    if user is None and context.get("request") is not None:
        user = context["request"].user
    follow = service.follow_up(listing)
    reviewer = service.can_send(user)
    return {
        "listing": listing,
        "follow": follow,
        "details": service.can_see_follow_up(user, listing),
        "can_publish": reviewer and service.is_sendable(listing),
        "show": follow.total > 0 or reviewer,
    }
