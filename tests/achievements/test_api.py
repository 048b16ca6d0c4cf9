"""The achievements' JSON API: public part for everyone, the confidential part for the owner only, a price notice
shorter than 15 days refused by the schema (and one of 15 days published), per-year report totals."""

import pytest

from techmarket.achievements.models import PriceNotice
from tests.achievements import world as w

pytestmark = pytest.mark.django_db


def test_public_and_confidential_parts(client):
    world = w.build()
    achievement = w.achievement(world)
    listed = client.get("/api/achievements").json()
    assert any(item["title"] == achievement.title for item in listed["items"])
    public = client.get(f"/api/achievements/{achievement.pk}").json()
    assert public["summary"] == achievement.summary and public["confidential"] is None
    assert public["completers"] is None and public["evaluation"] is None
    client.force_login(world.owner)
    own = client.get(f"/api/achievements/{achievement.pk}").json()
    assert "摩尔比" in own["confidential"] and [c["name"] for c in own["completers"]] == ["张教授", "李博士"]
    assert client.get("/api/achievements/999999").status_code == 404


def test_price_notice_days_bounds(client):
    world = w.build()
    achievement = w.achievement(world)
    client.force_login(world.owner)
    url = f"/api/achievements/{achievement.pk}/price-notices"
    short = client.post(url, {"price": "150", "buyer": world.buyer.name, "days": 14}, content_type="application/json")
    assert short.status_code in (400, 422) and not PriceNotice.objects.exists()
    made = client.post(url, {"price": "150", "buyer": world.buyer.name, "days": 15}, content_type="application/json")
    assert made.status_code == 201 and made.json()["outcome"] == "open"
    again = client.post(url, {"price": "150", "buyer": world.buyer.name, "days": 15}, content_type="application/json")
    assert again.status_code == 409 and PriceNotice.objects.count() == 1
    client.force_login(world.buyer_member)
    other = client.post(url, {"price": "1", "buyer": "某公司", "days": 20}, content_type="application/json")
    assert other.status_code == 403


def test_report_totals(client):
    w.build()
    body = client.get("/api/achievements/report-totals/2025").json()
    assert body["year"] == 2025 and body["units"] == 0 and body["contracts"] == 0
