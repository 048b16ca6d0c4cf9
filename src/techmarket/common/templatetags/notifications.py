"""{% load notifications %}{% unread_notifications as count %}: the user's unread messages, for the navigation bar."""

from django import template

from techmarket.common.notifications import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return unread_count(user)
