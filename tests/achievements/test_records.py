"""Achievement records: bounds (shares sum to 100 %, TRL, IP number), one record per title, the confidential part
shown only to the owner, assigned experts and reviewers, the offer published from it through the catalogue."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from techmarket.achievements.errors import AchievementDuplicate, AchievementInputError, AchievementPermissionError
from techmarket.achievements.models import Achievement, Completer
from techmarket.achievements.services import records
from techmarket.catalogue.models import Listing
from techmarket.common.audit import history_for
from tests.achievements import world as w

pytestmark = pytest.mark.django_db


def test_completers_shares_must_add_up_to_hundred():
    world = w.build()
    with pytest.raises(AchievementInputError, match="合计须为 100%（现为 90%）"):
        w.achievement(world, completers=[("张教授", Decimal("50")), ("李博士", Decimal("40"))])
    assert records.parse_completers("张教授 60\n李博士 40%") == [("张教授", Decimal("60")), ("李博士", Decimal("40"))]
    with pytest.raises(AchievementInputError, match="技术成熟度"):
        w.achievement(world, trl=10)
    with pytest.raises(AchievementInputError, match="须填写编号"):
        w.achievement(world, ip_number="")
    assert not Achievement.objects.filter(owner=world.university).exists()


def test_database_refuses_out_of_bounds_values():
    world = w.build()
    achievement = w.achievement(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Achievement.objects.filter(pk=achievement.pk).update(trl=12)
    with pytest.raises(IntegrityError), transaction.atomic():
        Completer.objects.create(achievement=achievement, name="王五", share=Decimal("120"))


def test_one_record_per_title_and_audit_trail():
    world = w.build()
    achievement = w.achievement(world)
    with pytest.raises(AchievementDuplicate):
        w.achievement(world)
    assert Achievement.objects.filter(owner=world.university).count() == 1
    assert [e.action for e in history_for(achievement)] == ["create"]
    assert achievement.completers.count() == 2


def test_only_members_of_a_unit_record_its_achievements():
    w.build()
    with pytest.raises(AchievementPermissionError):
        records.create(w.user("nobody"), w.achievement_input())


def test_confidential_part_only_for_owner_and_department(client):
    world = w.build()
    achievement = w.achievement(world)
    url = achievement.get_absolute_url()
    public = client.get(url).content.decode()
    assert achievement.summary in public and "铝盐与锂盐摩尔比" not in public and "张教授" not in public
    client.force_login(world.buyer_member)
    assert "铝盐与锂盐摩尔比" not in client.get(url).content.decode()
    for viewer in (world.owner, world.department):
        client.force_login(viewer)
        page = client.get(url).content.decode()
        assert "铝盐与锂盐摩尔比" in page and "张教授" in page


def test_offer_published_once_and_linked():
    world = w.build()
    achievement = w.achievement(world)
    listing = records.publish_offer(world.owner, achievement)
    achievement.refresh_from_db()
    assert achievement.listing == listing and listing.kind == Listing.Kind.OFFER and listing.trl == 6
    assert listing.owner == world.university and listing.field.code == w.FIELD
    assert records.for_listing(listing) == achievement
    with pytest.raises(AchievementDuplicate):
        records.publish_offer(world.owner, achievement)
    assert Listing.objects.filter(title=achievement.title).count() == 1
    with pytest.raises(AchievementPermissionError):
        records.publish_offer(world.buyer_member, achievement)


def test_form_creates_achievement(client):
    world = w.build()
    client.force_login(world.owner)
    response = client.post("/achievements/new/", {
        "title": "盐湖卤水膜分离技术", "kind": "software", "ip_status": "none", "ip_number": "", "trl": "4",
        "field": w.FIELD, "summary": "膜分离。", "confidential": "", "completers": "张三 70\n李四 30"})
    achievement = Achievement.objects.get(title="盐湖卤水膜分离技术")
    assert response.status_code == 302 and response["Location"] == achievement.get_absolute_url()
    bad = client.post("/achievements/new/", {
        "title": "另一项", "kind": "software", "ip_status": "none", "trl": "4", "summary": "x",
        "completers": "张三 70\n李四 20"})
    assert bad.status_code == 200 and "合计须为 100%" in bad.content.decode()
