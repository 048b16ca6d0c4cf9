"""The matches panel of a listing page: what fits the listing (offers for a demand, demands for an offer,
related listings, organisations with a track record), each with its confidence band (强/中/弱) and the
reasons, or the honest verdict that nothing in the catalogue really fits.

match_listing is the page's costliest call, so the panel is computed here, by the view, and cached: the key
holds the index's generation and sequence number, which change with every write to the index (a listing
edited, published, withdrawn or embedded), so a cached panel never outlives the index it was computed from;
a short timeout covers what the index does not hold (organisation names, regions, institution profiles).
"""

import logging

from django.core.cache import cache

from techmarket.catalogue.models import Listing
from techmarket.directory.models import Organisation
from techmarket.matching.models import IndexState
from techmarket.matching.services.documents import STATE_PK
from techmarket.matching.services.match import match_listing

logger = logging.getLogger(__name__)

PANEL_LIMIT = 5
CACHE_SECONDS = 300
# Section titles by the listing's kind; the order is the order shown.
SECTION_TITLES = {
    Listing.Kind.DEMAND: {"offers": "匹配成果", "related": "相关需求"},
    Listing.Kind.OFFER: {"demands": "匹配需求", "related": "相关成果"},
}
DEFAULT_TITLES = {"offers": "匹配成果", "demands": "匹配需求", "related": "相关条目"}


def panel_cache_key(listing: Listing) -> str:
    state = (IndexState.objects.filter(pk=STATE_PK).values_list("generation", "seq").first() or ("", 0))
    return f"matching:panel:{listing.pk}:{state[0]}:{state[1]}"


def listing_panel(listing: Listing) -> dict:
    """The panel's data for a listing page. A failure of matching is reported in the panel (`failed`) and
    not cached, so the rest of the page stays intact and the next view tries again."""
    key = panel_cache_key(listing)
    panel = cache.get(key)
    if panel is not None:
        return panel
    try:
        panel = _compute(listing)
    except Exception:  # the panel is secondary: log it and show the page without matches
        logger.exception("matching failed for listing %s", listing.pk)
        return {"failed": True}
    cache.set(key, panel, CACHE_SECONDS)
    return panel


def _compute(listing: Listing) -> dict:
    result = match_listing(listing, limit=PANEL_LIMIT)
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
        "failed": False,
        "result": result,
        "sections": sections,
        "organisations": [{"fit": fit, "kind_label": org_labels.get(fit.kind, fit.kind)}
                          for fit in result.organisations],
        "no_match": result.verdict == "no-good-match",
    }
