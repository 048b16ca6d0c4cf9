"""Template tags of matching: `{% matches_panel listing %}` shows on a listing page what fits the listing
(offers for a demand, demands for an offer, related listings, organisations with a track record), each with
its score and the reasons, or the honest verdict that nothing in the catalogue really fits."""

import logging

from django import template

from techmarket.catalogue.models import Listing
from techmarket.directory.models import Organisation
from techmarket.matching.services.match import match_listing

register = template.Library()
logger = logging.getLogger(__name__)

PANEL_LIMIT = 5
# Section titles by the listing's kind; the order is the order shown.
SECTION_TITLES = {
    Listing.Kind.DEMAND: {"offers": "匹配成果", "related": "相关需求"},
    Listing.Kind.OFFER: {"demands": "匹配需求", "related": "相关成果"},
}
DEFAULT_TITLES = {"offers": "匹配成果", "demands": "匹配需求", "related": "相关条目"}


@register.inclusion_tag("matching/matches_panel.html")
def matches_panel(listing: Listing) -> dict:
    """One match_listing call per page view; a failure of matching leaves the rest of the page intact."""
    try:
        result = match_listing(listing, limit=PANEL_LIMIT)
    except Exception:  # the panel is secondary: log it and show the page without matches
        logger.exception("matching failed for listing %s", listing.pk)
        return {"listing": listing, "failed": True}
    titles = SECTION_TITLES.get(listing.kind, {})
    kind_labels = dict(Listing.Kind.choices)
    sections = []
    for name, matches in result.sections.items():
        sections.append({
            "name": name,
            "title": titles.get(name, DEFAULT_TITLES.get(name, name)),
            "matches": [{"match": m, "kind_label": kind_labels.get(m.kind, m.kind)} for m in matches],
        })
    org_labels = dict(Organisation.Kind.choices)
    order = list(titles)
    sections.sort(key=lambda s: order.index(s["name"]) if s["name"] in order else len(order))
    return {
        "listing": listing,
        "failed": False,
        "result": result,
        "sections": sections,
        "organisations": [{"fit": fit, "kind_label": org_labels.get(fit.kind, fit.kind)}
                          for fit in result.organisations],
        "no_match": result.verdict == "no-good-match",
    }
