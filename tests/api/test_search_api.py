"""The search and matching API: GET /api/search, /api/listings/{reference}/matches and /api/match."""

import uuid

import pytest

from techmarket.catalogue.models import Listing
from techmarket.directory.models import Person

pytestmark = pytest.mark.django_db

LITHIUM = {f"innovation/hightech/{n}" for n in (17, 35, 39, 40, 55, 77)}
HIT_KEYS = {"listing_id", "reference", "kind", "title", "score", "keyword_score", "similarity", "coverage",
            "matched_terms", "snippet", "explanation", "relevance", "band", "band_label"}
MATCH_KEYS = {"listing_id", "reference", "kind", "title", "score", "relevance", "band", "band_label", "reasons",
              "explanation"}


def personal_details() -> set[str]:
    values = set()
    for phones, emails in Person.objects.values_list("phones", "emails"):
        values.update(phones)
        values.update(emails)
    return values


# --- /api/search ------------------------------------------------------------------------------------------


def test_search(client):
    response = client.get("/api/search", {"q": "盐湖提锂"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"query", "mode", "terms", "total", "relevant", "weak", "verdict", "verdict_reason",
                         "facets", "results"}
    assert data["relevant"] + data["weak"] == data["total"]
    assert data["verdict"] == "match" and data["mode"] == "fused" and "提锂" in data["terms"]
    assert len(data["results"]) == 10 and data["total"] >= 10
    assert all(set(hit) == HIT_KEYS for hit in data["results"])
    assert {hit["reference"] for hit in data["results"][:3]} <= LITHIUM
    assert sum(data["facets"]["kind"].values()) == data["total"]
    assert "盐湖提锂" in response.content.decode()  # Chinese written as is


def test_search_filters_and_pages(client):
    offers = client.get("/api/search", {"q": "盐湖", "kind": "offer", "limit": 100}).json()
    assert offers["results"] and all(hit["kind"] == "offer" for hit in offers["results"])
    assert offers["facets"]["kind"] == {"offer": offers["total"]}
    first = client.get("/api/search", {"q": "盐湖", "limit": 4}).json()["results"]
    second = client.get("/api/search", {"q": "盐湖", "limit": 2, "offset": 2}).json()["results"]
    assert [h["reference"] for h in second] == [h["reference"] for h in first[2:4]]
    keyword = client.get("/api/search", {"q": "盐湖提锂", "mode": "keyword"}).json()
    assert keyword["mode"] == "keyword" and all(hit["similarity"] == 0 for hit in keyword["results"])
    field = client.get("/api/search", {"q": "技术", "field": "salt-lake", "limit": 100}).json()
    listings = Listing.objects.filter(reference__in=[h["reference"] for h in field["results"]])
    assert field["results"] and {listing.field.top.code for listing in listings} == {"salt-lake"}


def test_search_reports_an_absent_topic(client):
    data = client.get("/api/search", {"q": "量子计算芯片设计"}).json()
    assert data["verdict"] == "no-good-match" and data["verdict_reason"]


@pytest.mark.parametrize("params", [
    {},
    {"q": ""},
    {"q": "   "},
    {"q": "x" * 201},
    {"q": "盐湖\x00"},
    {"q": "盐湖", "kind": "bogus"},
    {"q": "盐湖", "status": "draft"},
    {"q": "盐湖", "mode": "psychic"},
    {"q": "盐湖", "limit": "0"},
    {"q": "盐湖", "limit": "101"},
    {"q": "盐湖", "limit": "abc"},
    {"q": "盐湖", "offset": "-1"},
    {"q": "盐湖", "offset": "99999999999999999999999"},
    {"q": "盐湖", "field": "<script>"},
])
def test_search_bad_parameters_are_422(client, params):
    response = client.get("/api/search", params)
    assert response.status_code == 422, (params, response.content)
    assert isinstance(response.json()["detail"], list)


def test_unknown_but_wellformed_codes_find_nothing(client):
    data = client.get("/api/search", {"q": "盐湖", "region": "atlantis", "mode_code": "telepathy"}).json()
    assert data["total"] == 0 and data["results"] == []


# --- /api/listings/{reference}/matches --------------------------------------------------------------------


def test_listing_matches_are_not_swallowed_by_the_listing_route(client):
    response = client.get("/api/listings/innovation/hightech/17/matches", {"limit": 3})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"subject", "verdict", "verdict_reason", "results", "ranked", "organisations"}
    assert data["subject"]["reference"] == "innovation/hightech/17"
    assert set(data["results"]) == {"offers", "related"}
    assert all(len(matches) <= 3 for matches in data["results"].values())
    related = data["results"]["related"]
    assert related and all(set(m) == MATCH_KEYS for m in related)
    assert {m["reference"] for m in related} <= LITHIUM and all(m["explanation"] for m in related)
    assert all({"organisation_id", "name", "explanation"} <= set(o) for o in data["organisations"])
    # The listing route itself still answers.
    listing = client.get("/api/listings/innovation/hightech/17")
    assert listing.status_code == 200 and listing.json()["reference"] == "innovation/hightech/17"
    assert "description" in listing.json() and "subject" not in listing.json()


def test_listing_matches_of_unknown_or_invisible_listings_are_404(client, member):
    assert client.get("/api/listings/no/such/listing/matches").status_code == 404
    assert client.get("/api/listings/no/such/listing/matches").json() == {"detail": "未找到该条目，或您无权查看。"}
    draft = Listing.objects.create(reference=f"test/{uuid.uuid4().hex[:8]}", kind=Listing.Kind.DEMAND,
                                   status=Listing.Status.DRAFT, owner=member.organisation,
                                   title="盐湖卤水提锂吸附剂", description="需要联合研发铝系锂吸附剂。")
    url = f"/api/listings/{draft.reference}/matches"
    assert client.get(url).status_code == 404
    client.force_login(member)  # its organisation's member sees it, and its matches
    response = client.get(url)
    assert response.status_code == 200 and response.json()["subject"]["reference"] == draft.reference


@pytest.mark.parametrize("query", ["limit=0", "limit=51", "limit=abc"])
def test_listing_matches_bad_limit_is_422(client, query):
    assert client.get(f"/api/listings/innovation/hightech/17/matches?{query}").status_code == 422


# --- /api/match ---------------------------------------------------------------------------------------------


def test_match_text(client):
    data = client.get("/api/match", {"text": "盐湖卤水提锂吸附剂", "limit": 5}).json()
    assert data["verdict"] == "match" and data["subject"]["reference"] == ""
    found = {m["reference"] for matches in data["results"].values() for m in matches}
    assert found & LITHIUM
    absent = client.get("/api/match", {"text": "量子计算芯片设计"}).json()
    assert absent["verdict"] == "no-good-match" and absent["verdict_reason"]


@pytest.mark.parametrize("params", [{}, {"text": ""}, {"text": "x" * 2001}, {"text": "锂", "limit": "0"}])
def test_match_text_bad_parameters_are_422(client, params):
    assert client.get("/api/match", params).status_code == 422


def test_responses_contain_no_personal_details(client):
    details = personal_details()
    assert len(details) > 100
    bodies = [client.get("/api/search", {"q": q, "limit": 100}).content.decode() for q in ("技术", "盐湖", "研究")]
    bodies += [client.get(f"/api/listings/{ref}/matches").content.decode()
               for ref in ("innovation/hightech/17", "innovation/hightech/6", "talent/1")]
    bodies.append(client.get("/api/match", {"text": "青海大学 联系电话"}).content.decode())
    for body in bodies:
        assert not [value for value in details if value in body]


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/search", "/api/match", "/api/listings/{reference}/matches"} <= set(paths)
