"""协议定价公示: at least 15 days (service, form, API), objections on the record, and a linked contract held back
from registration while the notice runs or an objection is open."""

import datetime
from decimal import Decimal

import pytest

from techmarket.achievements.errors import AchievementInputError
from techmarket.achievements.models import PriceNotice
from techmarket.achievements.services import pricing
from techmarket.common import notices
from techmarket.common.models import Notice
from techmarket.market.services import registration as reg
from techmarket.market.services.errors import TransitionError
from techmarket.market.services.registries import provincial_registry
from tests.achievements import world as w
from tests.market.conftest import record_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_notice_shorter_than_15_days_is_refused(client):
    world = w.build()
    achievement = w.achievement(world)
    with pytest.raises(AchievementInputError, match="不少于 15 日"):
        pricing.publish(world.owner, achievement, Decimal("150"), world.buyer.name, 14)
    client.force_login(world.owner)
    response = client.post(f"/achievements/{achievement.pk}/price-notice/",
                           {"price": "150", "buyer": world.buyer.name, "days": "10"}, follow=True)
    assert "不少于 15 日" in response.content.decode()
    assert not PriceNotice.objects.exists() and not Notice.objects.filter(kind=pricing.KIND).exists()
    record = pricing.publish(world.owner, achievement, Decimal("150"), world.buyer.name, 15)
    assert record.notice.period_days == 15 and "拟交易价格：150.00 万元" in record.notice.body
    assert "异议处理程序" in record.notice.body


def _linked_contract(world):
    achievement = w.achievement(world)
    contract = record_contract(world.owner, world.university, world.buyer, title="吸附法提锂技术转让")
    pricing.link_contract(world.owner, achievement, contract)
    return achievement, contract


def test_objection_blocks_registration_until_resolved():
    world = w.build()
    achievement, contract = _linked_contract(world)
    record = pricing.publish(world.owner, achievement, Decimal("150"), world.buyer.name, 15)
    registry = provincial_registry()
    # While the notice runs.
    with pytest.raises(TransitionError, match="正在公示"):
        reg.submit(world.owner, contract, registry)
    objection = notices.file_objection(world.buyer_member, record.notice, "价格明显低于评估建议价格。")
    # The period ends with the objection still open: still blocked.
    Notice.objects.filter(pk=record.notice.pk).update(
        opens_on=w.TODAY - datetime.timedelta(days=20), closes_on=w.TODAY - datetime.timedelta(days=6))
    with pytest.raises(TransitionError, match="尚未处理的异议"):
        reg.submit(world.owner, contract, registry)
    assert not contract.registrations.exists()
    notices.resolve_objection(world.department, objection, upheld=False, resolution="价格经评估，异议不成立。")
    registration = reg.submit(world.owner, contract, registry)
    assert registration.contract == contract


def test_upheld_objection_keeps_the_contract_back():
    world = w.build()
    achievement, contract = _linked_contract(world)
    record = pricing.publish(world.owner, achievement, Decimal("150"), world.buyer.name, 15)
    objection = notices.file_objection(world.buyer_member, record.notice, "价格过低。")
    notices.resolve_objection(world.department, objection, upheld=True, resolution="异议成立。")
    with pytest.raises(TransitionError, match="异议成立"):
        reg.submit(world.owner, contract, provincial_registry())


def test_contract_without_notice_is_not_held_back_and_links_once():
    world = w.build()
    achievement, contract = _linked_contract(world)
    assert pricing.registration_blocker(contract) is None
    with pytest.raises(Exception, match="已关联"):
        pricing.link_contract(world.owner, achievement, contract)


def test_the_whole_path_on_the_pages(client):
    """Link the contract and publish the notice on the achievement's page; the market's registration form shows
    the reason; an objection filed and dismissed on the notice page; then the contract goes to registration."""
    world = w.build()
    achievement = w.achievement(world)
    contract = record_contract(world.owner, world.university, world.buyer, title="吸附法提锂技术转让")
    client.force_login(world.owner)
    page = client.get(achievement.get_absolute_url()).content.decode()
    assert "吸附法提锂技术转让" in page  # offered for linking
    client.post(f"/achievements/{achievement.pk}/contract/", {"contract": contract.pk})
    assert pricing.registration_blocker(contract) is None
    response = client.post(f"/achievements/{achievement.pk}/price-notice/",
                           {"price": "150", "buyer": world.buyer.name, "days": "15"})
    notice = PriceNotice.objects.get(achievement=achievement).notice
    assert response["Location"] == notices.notice_url(notice)
    assert 'id="registration-blocked"' in client.get(achievement.get_absolute_url()).content.decode()
    registry = provincial_registry()
    refused = client.post(f"/market/contracts/{contract.pk}/register/", {"registry": registry.pk})
    assert refused.status_code == 200 and "正在公示" in refused.content.decode()
    client.force_login(world.buyer_member)
    client.post(f"/notices/{notice.pk}/objections/", {"text": "价格低于评估建议价格。"})
    objection = notice.objections.get()
    Notice.objects.filter(pk=notice.pk).update(opens_on=w.TODAY - datetime.timedelta(days=20),
                                               closes_on=w.TODAY - datetime.timedelta(days=6))
    client.force_login(world.owner)
    still = client.post(f"/market/contracts/{contract.pk}/register/", {"registry": registry.pk})
    assert "尚未处理的异议" in still.content.decode() and not contract.registrations.exists()
    client.force_login(world.department)
    client.post(f"/notices/objections/{objection.pk}/resolve/", {"decision": "dismiss", "resolution": "不成立。"})
    client.force_login(world.owner)
    done = client.post(f"/market/contracts/{contract.pk}/register/", {"registry": registry.pk})
    assert done.status_code == 302 and contract.registrations.count() == 1
