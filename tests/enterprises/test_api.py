"""The enterprises JSON API: points with derivation, posting and reading financing needs (who sees what), the
aggregates, a check-up's report; bounds refused with 422/400."""

import json

from techmarket.enterprises.models import FinancingNeed
from techmarket.enterprises.services import checkups
from tests.enterprises.conftest import BOTTLENECKS, answers
from tests.enterprises.test_financing import bank, banker, other_bank, other_banker  # noqa: F401  (fixtures)

NEED = {"kind": "loan", "amount": "5000000", "use": "购置提锂吸附剂生产线设备", "term_months": 36,
        "security": "ip-pledge", "field": "salt-lake", "size": "small"}


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_enterprises_api(client, login, enterprise_member, banker, bank, other_banker, member):  # noqa: F811
    checkup = checkups.complete(enterprise_member, answers(), BOTTLENECKS)
    assert client.get("/api/enterprises/points").status_code == 401
    login(enterprise_member)
    body = client.get("/api/enterprises/points").json()
    assert float(body["total"]) > 0 and body["lines"][0]["explanation"] and body["confirmed"] is False
    assert client.get(f"/api/enterprises/checkups/{checkup.pk}").json()["enterprise"] == "格尔木盐湖锂业有限公司"

    for bad in ({"amount": "0"}, {"term_months": 361}, {"use": ""}, {"kind": "gift"}):
        assert post(client, "/api/enterprises/financing/needs", {**NEED, **bad}).status_code in (400, 422)
    response = post(client, "/api/enterprises/financing/needs", {**NEED, "share_with": [bank.pk]})
    assert response.status_code == 201, response.content
    need_id = response.json()["id"]
    assert post(client, "/api/enterprises/financing/needs", {**NEED, "share_with": [bank.pk]}).json()["id"] == need_id
    assert FinancingNeed.objects.count() == 1
    assert [n["id"] for n in client.get("/api/enterprises/financing/needs").json()] == [need_id]

    login(banker)
    assert client.get(f"/api/enterprises/financing/needs/{need_id}").json()["enterprise"] == "格尔木盐湖锂业有限公司"
    assert [n["id"] for n in client.get("/api/enterprises/financing/needs").json()] == [need_id]
    login(other_banker)
    assert client.get(f"/api/enterprises/financing/needs/{need_id}").status_code == 404
    assert client.get("/api/enterprises/financing/needs").json() == []
    login(member)
    assert client.get(f"/api/enterprises/checkups/{checkup.pk}").status_code == 404
    assert client.get("/api/enterprises/financing/statistics").json() == []  # fewer than five
