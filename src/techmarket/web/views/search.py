"""The search results page: keyword and semantic search over the public catalogue (matching.services.search),
with the analysed terms, an honest verdict, highlighted snippets, facets and pagination.

Each result shows its confidence band (强相关 / 中等相关 / 弱相关), never a raw score. The service ranks the
results that reach the relevance floor first; the page shows those of the current page, then the rest of the
page (the weak tail) inside a <details> element, collapsed when the page has relevant results and open when
it has none, so a no-match answer still shows what there is under its verdict.

A query that is a listing's number (编号 XQ-2025-0012, catalogue.numbers) opens that listing, if the user may
see it. Invalid parameters never produce an error page: unknown codes are ignored, the page number is clamped.
The search index holds public listings only, so results are the same for every user and carry no
personal contact details.
"""

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from techmarket.catalogue.models import PUBLIC_STATUSES, CooperationMode, Field, Listing
from techmarket.catalogue.services.listings import find_by_number
from techmarket.directory.models import Region
from techmarket.matching.services.engine import EngineFilters
from techmarket.matching.services.search import search

PAGE_SIZE = 10
MAX_QUERY = 200
ANSWER_SECONDS = 60  # the answer part of a page is rendered again at least this often (_answer)
MAX_PAGE = 1000  # deeper pages are clamped (the result list is never that long)
FILTERS = ("kind", "field", "mode", "region", "status")
FACET_TITLES = {"kind": "类别", "field": "领域", "mode": "合作方式", "region": "地区", "status": "状态"}


@dataclass
class FacetValue:
    code: str
    name: str
    count: int
    url: str
    selected: bool


def _names() -> dict[str, dict[str, str]]:
    """Display names of every filter's codes, from the database and the model's choices (reference data, kept
    a minute in the cache: read on every search page otherwise)."""
    return cache.get_or_set("web:search:facet-names", _read_names, 60)


def _read_names() -> dict[str, dict[str, str]]:
    return {
        "kind": dict(Listing.Kind.choices),
        "field": dict(Field.objects.values_list("code", "name")),
        "mode": dict(CooperationMode.objects.values_list("code", "name")),
        "region": dict(Region.objects.values_list("code", "name")),
        "status": {s.value: s.label for s in PUBLIC_STATUSES},
    }


def _clean(value: str | None, limit: int = MAX_QUERY) -> str:
    return (value or "").replace("\x00", "").strip()[:limit]


def _page_number(value: str | None) -> int:
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def _url(params: dict[str, str], **changes) -> str:
    """The page's query string with `changes` (empty values left out), encoded as QueryDict.urlencode does."""
    return "?" + urlencode([(name, value) for name, value in {**params, **changes}.items() if value])


@require_GET
def search_page(request):
    names = _names()
    q = _clean(request.GET.get("q"))
    # Unknown codes are dropped, as if they had not been given.
    selected = {name: _clean(request.GET.get(name), 60) for name in FILTERS}
    ignored = [name for name, code in selected.items() if code and code not in names[name]]
    for name in ignored:
        selected[name] = ""
    params = {"q": q, **selected}

    context = {"q": q, "selected": selected, "ignored": ignored, "result": None, "facets": [],
               "active_filters": [], "page_obj": None, "query": ""}
    context["active_filters"] = [
        {"title": FACET_TITLES[name], "name": names[name][code], "remove_url": _url(params, **{name: ""})}
        for name, code in selected.items() if code
    ]
    if not q:
        return render(request, "web/search.html", context)
    # A listing's number (编号, as its page shows it) leads to that listing.
    numbered = find_by_number(q, request.user)
    if numbered is not None:
        return redirect(numbered)

    filters = EngineFilters(**selected)
    number = _page_number(request.GET.get("page"))
    result = search(q, filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    page_obj = Paginator(range(result.total), PAGE_SIZE).get_page(number)
    if page_obj.number != number:  # beyond the last page: show the last one
        result = search(q, filters, limit=PAGE_SIZE, offset=(page_obj.number - 1) * PAGE_SIZE)

    context["answer"] = _answer(result, page_obj, params, selected, names, context["active_filters"])
    return render(request, "web/search.html", context)


def _answer(result, page_obj, params, selected, names, active_filters) -> str:
    """The answer part of the page (facets, results, pagination), rendered once per cached answer: search()
    returns the same answer object for a repeated query on the same index snapshot, and this part depends on
    nothing else (the index holds public listings only, the same for every user). Renewed each minute, so
    that renamed fields or regions show."""
    stamp = int(time.monotonic() // ANSWER_SECONDS)
    kept = result.rendered.get("web.search")
    if kept is not None and kept[0] == stamp:
        return kept[1]
    html = _render_answer(result, page_obj, params, selected, names, active_filters)
    result.rendered["web.search"] = (stamp, html)
    return html


def _render_answer(result, page_obj, params, selected, names, active_filters) -> str:
    facets = []
    for name in FILTERS:
        counts = result.facets.get(name, {})
        values = [
            FacetValue(code, names[name].get(code, code), count,
                       _url(params, **{name: "" if selected[name] == code else code}), selected[name] == code)
            for code, count in counts.items()
        ]
        values.sort(key=lambda v: (-v.count, v.name))
        if values:
            facets.append({"name": name, "title": FACET_TITLES[name], "values": values})

    kind_labels = names["kind"]
    numbers = {listing.pk: listing.number for listing in
               Listing.objects.filter(pk__in=[hit.listing_id for hit in result.hits]).only("kind", "created_at")}
    hits = [{"hit": hit, "kind_label": kind_labels.get(hit.kind, hit.kind), "number": numbers.get(hit.listing_id, "")}
            for hit in result.hits]
    relevant_hits = [item for item in hits if item["hit"].band != "weak"]
    weak_hits = [item for item in hits if item["hit"].band == "weak"]
    first_rank = (page_obj.number - 1) * PAGE_SIZE + 1
    return render_to_string("web/_search_answer.html", {
        "result": result,
        "hits": hits,
        "relevant_hits": relevant_hits,
        "weak_hits": weak_hits,
        # The page's results in the order ranked: those reaching the relevance floor, then the weak tail.
        "groups": [group for group in (
            {"weak": False, "hits": relevant_hits, "start": first_rank},
            {"weak": True, "hits": weak_hits, "start": first_rank + len(relevant_hits)},
        ) if group["hits"]],
        "facets": facets,
        "page_obj": page_obj,
        "page_range": page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
        "query": _url(params)[1:],
        "first_rank": first_rank,
        "active_filters": active_filters,
    })
