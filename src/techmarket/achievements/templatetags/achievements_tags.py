"""The achievement panel on a listing's page: `{% load achievements_tags %}{% achievement_panel listing %}` shows
the achievement an offer was published from and its latest completed evaluation (public figures only)."""

from django import template

from techmarket.achievements.services import evaluation, records

register = template.Library()


@register.inclusion_tag("achievements/_listing_panel.html")
def achievement_panel(listing):
    achievement = records.for_listing(listing)
    done = evaluation.latest_completed(achievement) if achievement else None
    return {"achievement": achievement, "evaluation": done,
            "criteria_rows": evaluation.criteria_rows(done) if done else []}
