"""The market API: contracts and registrations for those involved, public statistics without personal data."""

import pytest

from techmarket.market.services import registration as reg


@pytest.fixture
def registered(make_contract, seller, seller_org, buyer_org, registry, xining_registrar):
    return reg.register(xining_registrar, reg.accept(xining_registrar, reg.submit(
        seller, make_contract(seller, seller_org, buyer_org), registry("xining"))))


def test_anonymous_gets_401_for_contracts_and_registrations(client, registered):
    for path in ("/api/market/contracts", f"/api/market/contracts/{registered.contract_id}",
                 "/api/market/registrations", f"/api/market/registrations/{registered.pk}"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "请先登录。"}


def test_statistics_are_public_aggregates(client, registered):
    response = client.get("/api/market/statistics")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and data["amount"] == "800000.00"
    assert {t["key"] for t in data["tables"]} == {"type", "field", "prefecture", "seller_location",
                                                   "buyer_location", "month"}
    body = response.content.decode()
    for private in ("西宁高原新材料科技有限公司", "格尔木盐湖化工有限公司", registered.number,
                    "盐湖提锂吸附剂技术转让", '"contract_ids"', '"organisation'):
        assert private not in body


def test_statistics_filters(client, registered):
    assert client.get("/api/market/statistics", {"contract_type": "licensing"}).json()["count"] == 0
    assert client.get("/api/market/statistics", {"registry": "xining"}).json()["count"] == 1
    assert client.get("/api/market/statistics", {"registry": "<script>"}).status_code == 422


def test_parties_read_their_contract(login, seller, buyer, registered):
    for user in (seller, buyer):
        client = login(user)
        data = client.get("/api/market/contracts").json()
        assert [c["id"] for c in data["items"]] == [registered.contract_id]
        contract = client.get(f"/api/market/contracts/{registered.contract_id}").json()
        assert contract["type_name"] == "技术转让合同" and contract["technology_amount"] == "800000.00"
        assert [p["role_name"] for p in contract["parties"]] == ["让与方", "受让方"]
        registration = client.get(f"/api/market/registrations/{registered.pk}").json()
        assert registration["number"] == registered.number
        assert [e["action"] for e in registration["events"]] == ["submit", "accept", "register"]
        client.logout()


def test_others_see_nothing(login, outsider, member, registered):
    for user in (outsider, member):
        client = login(user)
        assert client.get("/api/market/contracts").json()["count"] == 0
        assert client.get(f"/api/market/contracts/{registered.contract_id}").status_code == 404
        assert client.get(f"/api/market/registrations/{registered.pk}").status_code == 404
        client.logout()


def test_registry_staff_see_their_registry_only(login, registered, xining_registrar, make_registrar):
    client = login(xining_registrar)
    assert client.get("/api/market/registrations", {"status": "registered"}).json()["count"] == 1
    assert client.get(f"/api/market/contracts/{registered.contract_id}").status_code == 200
    client.logout()
    client = login(make_registrar("haixi-registrar", "haixi"))
    assert client.get("/api/market/registrations").json()["count"] == 0
    assert client.get(f"/api/market/contracts/{registered.contract_id}").status_code == 404
