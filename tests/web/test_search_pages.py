"""The search page (/search/) and the matches panel of listing pages."""

import re
import uuid
from html import unescape

import pytest
from django.urls import reverse

from techmarket.catalogue.models import Listing, ListingOrganisation
from techmarket.directory.models import Organisation, Person
from tests.web.pages import panel_html

pytestmark = pytest.mark.django_db

LITHIUM = {f"innovation/hightech/{n}" for n in (17, 35, 39, 40, 55, 77)}
MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
HIT = re.compile(r'class="card mb-3 search-hit" data-reference="([^"]+)"')
FACET = re.compile(r'<a class="facet-link[^"]*" href="([^"]+)" data-code="([^"]+)">[^<]*</a>\s*'
                   r'<span class="badge text-bg-secondary facet-count">(\d+)</span>')


def get(client, **params):
    response = client.get(reverse("search"), params)
    assert response.status_code == 200, params
    return response.content.decode()


def hits(html: str) -> list[str]:
    return HIT.findall(html)


def facet_links(html: str, name: str) -> dict[str, tuple[str, int]]:
    start = html.index(f'data-facet="{name}"')
    end = html.find("search-facet", start + 1)
    block = html[start: end if end > 0 else None]
    return {code: (unescape(href), int(count)) for href, code, count in FACET.findall(block)}


def total(html: str) -> int:
    return int(re.search(r'id="search-total" data-count="(\d+)"', html).group(1))


def test_search_page_shows_ranked_highlighted_results(client):
    html = get(client, q="盐湖提锂")
    found = hits(html)
    assert len(found) == 10 and set(found[:3]) <= LITHIUM
    assert "<mark>" in html and html.count("<mark>") == html.count("</mark>")
    assert "检索词" in html and ">提锂<" in html  # the analysed terms
    assert f'href="{reverse("listing-detail", args=[found[0]])}"' in html
    assert "共同关键词" in html  # the explanation
    assert "得分" not in html and "search-score" not in html  # no raw score: a band instead
    assert "强相关" in html
    assert "badge-kind-demand" in html
    assert 'id="search-verdict"' not in html
    # Facet names come from the database, not codes.
    assert "技术需求" in html and "盐湖" in html


def test_facet_link_filters_the_results(client):
    html = get(client, q="盐湖提锂")
    kinds = facet_links(html, "kind")
    assert "offer" in kinds and "demand" in kinds
    href, count = kinds["offer"]
    assert "kind=offer" in href and "q=" in href
    filtered = client.get(reverse("search") + href)
    assert filtered.status_code == 200
    filtered_html = filtered.content.decode()
    assert total(filtered_html) == count
    references = hits(filtered_html)
    assert references and set(Listing.objects.filter(reference__in=references).values_list("kind", flat=True)) == {
        "offer"}
    # The selected value links back to the unfiltered search, and the filter can be removed.
    assert facet_links(filtered_html, "kind")["offer"][0] == "?q=%E7%9B%90%E6%B9%96%E6%8F%90%E9%94%82"
    assert "当前筛选" in filtered_html and "类别：成果供给" in filtered_html


def test_field_and_region_facets_filter(client):
    html = get(client, q="盐湖")
    fields = facet_links(html, "field")
    href, count = fields["salt-lake"]
    filtered = client.get(reverse("search") + href).content.decode()
    assert total(filtered) == count
    listings = Listing.objects.filter(reference__in=hits(filtered)).select_related("field__parent")
    assert {listing.field.top.code for listing in listings} == {"salt-lake"}
    regions = facet_links(html, "region")
    assert "haixi" in regions
    filtered = client.get(reverse("search") + regions["haixi"][0]).content.decode()
    assert total(filtered) == regions["haixi"][1]


def test_pagination(client):
    first = get(client, q="盐湖")
    assert total(first) > 10
    second = get(client, q="盐湖", page="2")
    assert hits(second) and not set(hits(first)) & set(hits(second))
    assert 'aria-label="分页"' in first and "page=2" in first


def test_absent_topic_shows_the_no_match_verdict(client):
    html = get(client, q="手机游戏开发")
    assert 'id="search-verdict"' in html
    assert "目录中暂无与检索内容真正匹配的条目" in html
    assert "目录中没有与检索内容真正相关的条目" in html  # the service's reason
    assert reverse("listing-create") in html and "定向发布" in html


@pytest.mark.parametrize("params", [
    {},
    {"q": ""},
    {"q": "盐湖", "page": "abc"},
    {"q": "盐湖", "page": "-3"},
    {"q": "盐湖", "page": "0"},
    {"q": "盐湖", "page": "999999999999999999999"},
    {"q": "盐湖", "kind": "bogus", "field": "<script>", "mode": "x" * 500, "region": "nowhere", "status": "draft"},
    {"q": "盐湖\x00提锂", "kind": "\x00"},
    {"q": "<script>alert(1)</script>"},
    {"q": "x" * 5000},
    {"q": "%%%", "page": "2"},
])
def test_bad_parameters_never_fail(client, params):
    html = get(client, **params)
    assert "<script>alert(1)" not in html


def test_unknown_codes_are_ignored_and_pages_clamped(client):
    plain = get(client, q="盐湖")
    ignored = get(client, q="盐湖", kind="bogus", status="draft")
    assert "部分筛选条件无效，已忽略" in ignored
    assert hits(ignored) == hits(plain) and total(ignored) == total(plain)
    last_page = (total(plain) + 9) // 10
    beyond = get(client, q="盐湖", page="500")
    assert hits(beyond) == hits(get(client, q="盐湖", page=str(last_page)))
    assert hits(get(client, q="盐湖", page="abc")) == hits(plain)


def test_search_forms_submit_to_the_search_page(client):
    html = client.get(reverse("home")).content.decode()
    assert html.count(f'action="{reverse("search")}"') == 2  # the navbar and the home page's search box
    catalogue = client.get(reverse("catalogue")).content.decode()
    assert f'<form class="d-flex me-3" action="{reverse("search")}" method="get" role="search">' in catalogue


def test_search_page_shows_no_personal_details(client):
    details = set()
    for phones, emails in Person.objects.values_list("phones", "emails"):
        details.update(phones)
        details.update(emails)
    assert len(details) > 100
    for query in ["盐湖提锂", "技术", "联系人 电话", "邮箱", "青海大学", "研究"]:
        for page in ("1", "2"):
            html = get(client, q=query, page=page)
            leaked = [value for value in details if value in html]
            assert not leaked, (query, leaked[:3])
            assert not MOBILE.search(html) and not EMAIL.search(html), query


def test_markup_in_listings_is_escaped_on_the_search_page(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        listing = Listing.objects.create(
            reference=f"test/{uuid.uuid4().hex[:8]}", kind=Listing.Kind.OFFER, status=Listing.Status.PUBLISHED,
            title="<script>alert('title')</script>Plexorine 膜材料",
            description="Plexorine 反渗透膜材料。<script>alert('description')</script><img src=x onerror=alert(1)>",
        )
        ListingOrganisation.objects.create(listing=listing, organisation=Organisation.objects.get(name="青海大学"))
    html = get(client, q="Plexorine")
    assert hits(html)[0] == listing.reference
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;title&#x27;)" in html  # the title, escaped by the template
    assert "&lt;script&gt;alert(&#x27;description&#x27;)" in html  # the snippet, escaped by the service
    assert "<mark>Plexorine</mark>" in html


def test_a_repeated_search_reuses_its_rendered_answer_until_the_catalogue_changes(
        client, member, django_capture_on_commit_callbacks):
    first = client.get(reverse("search"), {"q": "Quorvane 膜"})
    assert "web/_search_answer.html" in [t.name for t in first.templates]
    again = client.get(reverse("search"), {"q": "Quorvane 膜"})
    assert "web/_search_answer.html" not in [t.name for t in again.templates]  # kept with the cached answer
    assert hits(again.content.decode()) == hits(first.content.decode())
    # The page around the answer is the requesting user's own.
    client.force_login(member)
    mine = client.get(reverse("search"), {"q": "Quorvane 膜"}).content.decode()
    signed_in = f'title="{member}"'  # the navbar's name of the signed-in user
    assert signed_in in mine and signed_in not in first.content.decode()
    assert hits(mine) == hits(first.content.decode())
    # A change to the catalogue makes a new answer, rendered anew.
    with django_capture_on_commit_callbacks(execute=True):
        listing = Listing.objects.create(
            reference=f"test/{uuid.uuid4().hex[:8]}", kind=Listing.Kind.OFFER, status=Listing.Status.PUBLISHED,
            title="Quorvane 膜分离装置", description="Quorvane 反渗透膜分离装置，用于盐湖卤水浓缩。")
        ListingOrganisation.objects.create(listing=listing, organisation=Organisation.objects.get(name="青海大学"))
    changed = client.get(reverse("search"), {"q": "Quorvane 膜"})
    assert "web/_search_answer.html" in [t.name for t in changed.templates]
    assert hits(changed.content.decode())[0] == listing.reference


# --- the matches panel of listing pages ------------------------------------------------------------------




def test_demand_page_shows_matching_offers_related_demands_and_organisations(client):
    html = panel_html(client, "innovation/hightech/17")
    assert "匹配成果" in html and "相关需求" in html and "相关单位" in html
    related = re.findall(r'data-section="related".*?</section>', html, re.S)[0]
    references = re.findall(r'class="mb-2 match-item" data-reference="([^"]+)"', related)
    assert set(references[:3]) <= LITHIUM and 0 < len(references) <= 5
    assert f'href="{reverse("listing-detail", args=[references[0]])}"' in related
    assert "共同关键词" in related and "同属领域" in related
    institute = Organisation.objects.get(name="中国科学院青海盐湖研究所")
    assert f'href="{reverse("organisation-detail", args=[institute.pk])}"' in html
    assert "目录中暂无真正匹配的条目" not in html


def test_offer_and_other_pages_name_their_sections(client):
    offer = Listing.objects.filter(kind=Listing.Kind.OFFER).first()
    html = panel_html(client, offer.reference)
    assert "匹配需求" in html and "相关成果" in html and "匹配成果" not in html
    talent = Listing.objects.filter(kind=Listing.Kind.TALENT).first()
    html = panel_html(client, talent.reference)
    assert "相关条目" in html and "匹配需求" not in html and "匹配成果" not in html


def test_listing_without_a_real_match_shows_the_verdict(client):
    html = panel_html(client, "innovation/hightech/6")
    assert "目录中暂无真正匹配的条目" in html
    assert "目录中暂无真正相关的条目" in html  # the service's reason


def test_panel_on_a_draft_for_its_owner(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = Listing.objects.create(
            reference=f"test/{uuid.uuid4().hex[:8]}", kind=Listing.Kind.DEMAND, status=Listing.Status.DRAFT,
            owner=member.organisation, title="盐湖卤水提锂吸附剂中试放大",
            description="需要联合研发高选择性铝系吸附剂，开展卤水提锂中试放大试验。",
        )
    client.force_login(member)
    html = panel_html(client, draft.reference)
    assert "匹配成果" in html
    related = re.findall(r'data-section="related".*?</section>', html, re.S)[0]
    assert set(re.findall(r'data-reference="([^"]+)"', related)) & LITHIUM
    # The draft is not public: nobody else finds it.
    assert draft.reference not in hits(get(client, q="盐湖卤水提锂吸附剂中试放大"))
