"""Prefecture markets (市州技术市场): the province's overview and one page per prefecture (docs/prefectures.md)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from techmarket.prefectures.services import markets

PAGE_SIZE = 20


def overview(request):
    return render(request, "prefectures/overview.html", {
        "province": markets.province(), "regions": markets.prefectures(),
        "specialised": markets.specialised_markets()})


def portal(request, code: str):
    market = markets.market(code, request.user)
    page = Paginator(market.listings, PAGE_SIZE).get_page(request.GET.get("page"))
    fields = market.figures.tables["field"][1]
    return render(request, "prefectures/portal.html", {
        "market": market, "region": market.region, "page": page, "fields": fields,
        "featured": markets.featured(market.region),
        "deals": list(reversed(market.figures.rows))[:PAGE_SIZE]})


def specialised(request, code: str):
    market = markets.specialised(code)
    page = Paginator(market.listings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "prefectures/specialised.html", {
        "market": market, "page": page, "prefectures": market.figures.tables["prefecture"][1],
        "deals": list(reversed(market.figures.rows))[:PAGE_SIZE]})
