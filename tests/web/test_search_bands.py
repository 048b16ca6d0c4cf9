"""Confidence bands on user pages: the search page shows each result's band as a word, the results reaching the
relevance floor first and the weak tail behind a <details> toggle, with the service's counts; the matches panel
shows band labels. No raw score is shown anywhere."""

import re

import pytest
from django.urls import reverse

from techmarket.catalogue.models import Listing
from techmarket.matching.services.match import match_listing
from techmarket.matching.services.panel import PANEL_LIMIT
from techmarket.matching.services.search import search
from techmarket.web.views.search import PAGE_SIZE
from tests.web.pages import panel_html

pytestmark = pytest.mark.django_db

LITHIUM = {f"innovation/hightech/{n}" for n in (17, 35, 39, 40, 55, 77)}
BADGES = {"strong": "强相关", "medium": "中等相关", "weak": "弱相关"}
HIT = re.compile(r'class="card mb-3 search-hit" data-reference="([^"]+)" data-band="([^"]+)">.*?'
                 r'<span class="badge search-band band-([a-z]+)"[^>]*>([^<]+)</span>', re.S)
TAIL = re.compile(r'<details class="search-weak-tail mb-3" id="search-weak-tail"( open)?>\s*'
                  r'<summary[^>]*>([^<]+)</summary>(.*?)</details>', re.S)
# A number with decimals, as floatformat prints a score.
DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")


def page(client, **params) -> str:
    response = client.get(reverse("search"), params)
    assert response.status_code == 200, params
    return response.content.decode()


def results_of(html: str) -> str:
    start = html.index('id="search-results"')
    return html[start: html.index("</section>", start)]


def hits(block: str) -> list[tuple[str, str]]:
    """(reference, band) of each result in a piece of the page; its badge must agree with its band."""
    found = []
    for reference, band, badge_band, label in HIT.findall(block):
        assert badge_band == band and label == BADGES[band], reference
        found.append((reference, band))
    return found


def split(html: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]], re.Match | None]:
    """The results shown before the weak tail, those inside it, and the tail's <details> element."""
    results = results_of(html)
    tail = TAIL.search(results)
    before = results[: tail.start()] if tail else results
    return hits(before), hits(tail.group(3)) if tail else [], tail


def without_listing_text(block: str) -> str:
    """The page without what the listings themselves say (titles, snippets), which may hold any number."""
    block = re.sub(r'<a class="text-decoration-none search-hit-title".*?</a>', "", block, flags=re.S)
    return re.sub(r'<p class="card-text mb-1 search-snippet">.*?</p>', "", block, flags=re.S)


def count(html: str, name: str) -> int:
    return int(re.search(rf'id="search-{name}" data-count="(\d+)"', html).group(1))


def test_relevant_results_come_first_with_their_bands_and_no_score(client):
    result = search("盐湖提锂", limit=PAGE_SIZE)
    html = page(client, q="盐湖提锂")
    relevant, weak, tail = split(html)
    # The page shows the service's page in its order, each result with the service's band.
    assert relevant + weak == [(h.reference, h.band) for h in result.hits]
    assert relevant and {band for _, band in relevant} <= {"strong", "medium"}
    assert {reference for reference, _ in relevant[:3]} <= LITHIUM
    assert "强相关" in results_of(html)
    # The weak rest of the page is behind a collapsed toggle that names how many it holds.
    assert weak and {band for _, band in weak} == {"weak"}
    assert tail.group(1) is None  # collapsed: the page has relevant results
    assert tail.group(2).strip() == f"更多弱相关结果（{len(weak)} 条）"
    # No score, in words or in numbers.
    assert "得分" not in html and "search-score" not in html
    shown = results_of(html)
    for hit in result.hits:
        for value in (hit.score, hit.relevance, hit.similarity, hit.keyword_score):
            for text in (f"{value:.4f}", f"{value:.3f}", f"{value:.2f}", str(value)):
                if value >= 0.01:
                    assert text not in shown, (hit.reference, text)
    assert not DECIMAL.search(re.sub(r"<[^>]+>", " ", without_listing_text(shown)))


@pytest.mark.parametrize("query", ["盐湖提锂", "高原病 药物", "手机游戏开发", "盐湖"])
def test_counts_shown_are_the_services(client, query):
    result = search(query, limit=PAGE_SIZE)
    html = page(client, q=query)
    assert count(html, "total") == result.total
    assert count(html, "relevant") == result.relevant
    assert count(html, "weak") == result.weak == result.total - result.relevant
    assert f"相关结果 {result.relevant} 条" in html and f"弱相关 {result.weak} 条" in html
    # The results shown before the tail are exactly the relevant ones of the page.
    relevant, weak, _ = split(html)
    assert len(relevant) == min(result.relevant, PAGE_SIZE)
    assert len(relevant) + len(weak) == len(result.hits)


def test_no_match_shows_the_verdict_and_its_results_in_the_open_weak_tail(client):
    result = search("手机游戏开发", limit=PAGE_SIZE)
    assert result.verdict == "no-good-match" and result.relevant == 0 and result.hits
    html = page(client, q="手机游戏开发")
    assert 'id="search-verdict"' in html and "目录中暂无与检索内容真正匹配的条目" in html
    relevant, weak, tail = split(html)
    assert relevant == []
    assert weak == [(h.reference, "weak") for h in result.hits]
    assert tail.group(1) == " open"  # nothing relevant: what there is is shown, not hidden
    assert tail.group(2).strip() == f"弱相关结果（{len(weak)} 条）"
    assert html.index('id="search-verdict"') < html.index('id="search-weak-tail"')
    assert "相关结果 0 条" in html and f"弱相关 {result.total} 条" in html


def test_a_query_without_a_real_answer_shows_its_results_as_the_service_judges_them(client):
    """高原病 药物: the catalogue has no drug for altitude sickness. The page follows the service's judgement:
    the verdict when it finds no match, and every result it calls weak inside the weak tail."""
    result = search("高原病 药物", limit=PAGE_SIZE)
    html = page(client, q="高原病 药物")
    assert ('id="search-verdict"' in html) == (result.verdict == "no-good-match")
    relevant, weak, tail = split(html)
    assert relevant == [(h.reference, h.band) for h in result.hits if h.band != "weak"]
    assert weak == [(h.reference, h.band) for h in result.hits if h.band == "weak"]
    assert weak and tail is not None
    assert (tail.group(1) == " open") == (not relevant)
    assert "得分" not in html


def test_later_pages_show_their_weak_hits_open(client):
    first = page(client, q="盐湖提锂")
    second = page(client, q="盐湖提锂", page="2")
    result = search("盐湖提锂", limit=PAGE_SIZE, offset=PAGE_SIZE)
    assert result.relevant < PAGE_SIZE  # so page 2 holds only the weak tail
    relevant, weak, tail = split(second)
    assert relevant == [] and weak == [(h.reference, "weak") for h in result.hits]
    assert tail.group(1) == " open" and tail.group(2).strip() == f"弱相关结果（{len(weak)} 条）"
    assert not {r for r, _ in weak} & {r for r, _ in split(first)[0] + split(first)[1]}
    assert count(second, "relevant") == count(first, "relevant") == result.relevant
    assert 'aria-label="分页"' in second and "page=1" in second and "page=3" in second


# --- the matches panel ---------------------------------------------------------------------------------


ITEM = re.compile(r'class="mb-2 match-item" data-reference="([^"]+)" data-band="([^"]+)">.*?'
                  r'<span class="badge match-band band-([a-z]+)"[^>]*>([^<]+)</span>', re.S)




@pytest.mark.parametrize("reference", ["innovation/hightech/17", "innovation/hightech/6"])
def test_panel_shows_band_labels_and_no_numbers(client, reference):
    listing = Listing.objects.get(reference=reference)
    expected = match_listing(listing, limit=PANEL_LIMIT)
    html = panel_html(client, reference)
    items = ITEM.findall(html)
    shown = [(ref, band) for ref, band, _, _ in items]
    assert shown == [(m.reference, m.band) for matches in expected.sections.values() for m in matches]
    for ref, band, badge_band, label in items:
        assert badge_band == band and label == BADGES[band], ref
    if expected.verdict == "no-good-match":
        assert {band for _, band in shown} == {"weak"} and "弱相关" in html
    else:
        assert {"strong", "medium"} & {band for _, band in shown}
    # Organisations are listed with their reasons and no number; nothing on the panel is a score.
    assert expected.organisations and html.count('class="mb-2 match-organisation"') == len(expected.organisations)
    assert "match-score" not in html and "得分" not in html
    assert not DECIMAL.search(re.sub(r"<[^>]+>", " ", re.sub(r"<a [^>]*>.*?</a>", "", html, flags=re.S)))
