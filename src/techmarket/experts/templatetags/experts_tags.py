"""`{% related_experts listing %}`: experts of the pool offered as partners on a demand's page (相关专家), ranked by
the experts' search index for the listing's text (services.search.experts_for_text). Names, titles, organisations
and the shared words only: no contacts. Nothing is shown for other kinds of listing or when no expert fits."""

from django import template

from techmarket.experts.services.search import experts_for_text

register = template.Library()

LIMIT = 5


@register.inclusion_tag("experts/related_experts.html")
def related_experts(listing):
    if getattr(listing, "kind", "") != "demand":
        return {"items": []}
    text = "\n".join([listing.title, listing.description or ""])
    return {"items": [{"expert": expert, "words": hit.words[:4]} for expert, hit in experts_for_text(text, LIMIT)]}
