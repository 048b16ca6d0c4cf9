"""The home page's "what is new" block: {% load publishing_tags %}{% whats_new %} — the newest public articles and
the coming events, from publishing's services (the web app's view stays as it is)."""

from django import template

from techmarket.publishing.services import articles, events

register = template.Library()


@register.inclusion_tag("publishing/_whats_new.html")
def whats_new(limit: int = 5):
    return {"articles": articles.latest(limit), "events": events.upcoming(limit)}
