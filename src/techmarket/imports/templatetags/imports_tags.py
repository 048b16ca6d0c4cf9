"""The merged sources on a listing's page: `{% load imports_tags %}{% merged_sources listing %}` lists the rows of
later compilations or partner feeds a person merged into the listing (imports.services.batches.sources_of), inside
the page's 来源 card, under the listing's own source."""

from django import template

from techmarket.imports.services import batches

register = template.Library()


@register.inclusion_tag("imports/_merged_sources.html")
def merged_sources(listing):
    return {"sources": batches.sources_of(listing)[1:]}
