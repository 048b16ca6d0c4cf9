"""The organisations API: listing, detail with visible listings, and no personal contact details."""

import json

import pytest
from django.test import Client

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services.listings import ListingFilters, filter_listings
from techmarket.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db


def person_details() -> set[str]:
    values = set()
    for phones, emails in Person.objects.values_list("phones", "emails"):
        values.update(phones)
        values.update(emails)
    return values


def all_organisation_bodies(client) -> list[str]:
    bodies = []
    for offset in range(0, Organisation.objects.count(), 100):
        response = client.get("/api/organisations", {"limit": 100, "offset": offset})
        assert response.status_code == 200
        bodies.append(response.content.decode())
    for pk in Organisation.objects.values_list("pk", flat=True):
        response = client.get(f"/api/organisations/{pk}")
        assert response.status_code == 200
        bodies.append(response.content.decode())
    return bodies


def test_no_person_contact_in_any_organisation_response(client):
    details = person_details()
    assert details
    bodies = all_organisation_bodies(client)
    assert not {value for value in details for body in bodies if value in body}


def test_not_even_for_verified_users(login, member):
    details = person_details()
    client = login(member)
    response = client.get(f"/api/organisations/{member.organisation_id}")
    assert "contacts" not in response.json() and "people" not in response.json()
    assert not any(value in response.content.decode() for value in details)


def test_list_and_pagination(client):
    total = Organisation.objects.count()
    data = client.get("/api/organisations").json()
    assert data["count"] == total and len(data["items"]) == min(20, total)
    seen = []
    for offset in range(0, total, 40):
        seen += [o["id"] for o in client.get("/api/organisations", {"limit": 40, "offset": offset}).json()["items"]]
    assert sorted(seen) == sorted(Organisation.objects.values_list("pk", flat=True))


def test_list_filters(client, qinghai_university):
    found = client.get("/api/organisations", {"q": "青海大学"}).json()
    assert qinghai_university.pk in [o["id"] for o in found["items"]]
    universities = client.get("/api/organisations", {"kind": "university", "limit": 100}).json()
    assert universities["count"] == Organisation.objects.filter(kind="university").count() > 0
    assert {o["kind"] for o in universities["items"]} == {"university"}
    assert client.get("/api/organisations", {"region": "nowhere"}).json()["count"] == 0


def test_detail_lists_visible_listings(client, qinghai_university):
    data = client.get(f"/api/organisations/{qinghai_university.pk}").json()
    assert data["name"] == "青海大学" and data["kind"] == "university"
    expected = list(filter_listings(ListingFilters(organisation=qinghai_university.pk))
                    .values_list("reference", flat=True))
    assert [item["reference"] for item in data["listings"]] == expected
    assert data["listing_count"] == len(expected) > 0
    listed = client.get("/api/organisations", {"q": "青海大学"}).json()["items"]
    assert next(o for o in listed if o["id"] == qinghai_university.pk)["listing_count"] == len(expected)


def test_own_draft_is_listed_for_members_only(login, member, qinghai_university):
    client = login(member)
    response = client.post("/api/listings", content_type="application/json", data=json.dumps({
        "kind": "offer", "title": "青稞β-葡聚糖提取工艺", "description": "成果转让。", "modes": ["transfer"],
    }))
    reference = response.json()["reference"]
    url = f"/api/organisations/{qinghai_university.pk}"
    assert reference in [item["reference"] for item in client.get(url).json()["listings"]]
    anonymous = Client().get(url).json()
    assert reference not in [item["reference"] for item in anonymous["listings"]]
    assert anonymous["listing_count"] == client.get(url).json()["listing_count"] - 1
    assert Listing.objects.get(reference=reference).status == Listing.Status.DRAFT


@pytest.mark.parametrize("path, status", [
    ("/api/organisations/abc", 422), ("/api/organisations/1.5", 422), ("/api/organisations/0", 422),
    ("/api/organisations/" + "9" * 30, 422), ("/api/organisations/999999", 404),
])
def test_bad_organisation_ids(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["detail"]


@pytest.mark.parametrize("params", [{"kind": "alien"}, {"limit": 500}, {"q": "\x00"}, {"region": "a b"}])
def test_bad_list_parameters_are_422(client, params):
    assert client.get("/api/organisations", params).status_code == 422
