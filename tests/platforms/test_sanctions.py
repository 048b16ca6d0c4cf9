"""A sanction on an innovation platform (第二十七条, the ecosystem's one kind of sanction): decided by the
department from the platform's page, shown there, and blocking the rewards to the host organisation for events in
its period — the platform's own recognition reward included — with the reason in the derivation."""

import datetime

import pytest

from techmarket.ecosystem.models import Sanction, Target
from techmarket.ecosystem.services import complaints
from techmarket.platforms.services import records

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def platform(reviewer, host_member, national_platform, region):
    return records.approve(reviewer, national_platform(host_member, partner_regions=[region("jiangsu")],
                                                       construction_years=3))


def test_a_suspension_blocks_the_platform_reward(platform, reviewer, host_member, login):
    url = f"/policy/claim/platforms.platform/{platform.pk}/"
    assert "新认定国家级科技创新平台建设与运行经费" in login(host_member).get(url).content.decode()
    complaints.sanction(reviewer, Target.PLATFORM, platform, "suspension", D(2025, 5, 1), D(2025, 12, 31),
                        "运行评估弄虚作假")
    text = login(host_member).get(url).content.decode()
    assert "没有可申请的奖补" in text
    assert "创新平台盐湖资源国家工程研究中心的认定于2025-05-01至2025-12-31暂停（第二十七条），不予补助" in text


def test_a_warning_blocks_nothing(platform, reviewer, host_member, login):
    complaints.sanction(reviewer, Target.PLATFORM, platform, "warning", D(2025, 5, 1), None, "材料不全")
    text = login(host_member).get(f"/policy/claim/platforms.platform/{platform.pk}/").content.decode()
    assert "没有可申请的奖补" not in text


def test_the_platform_page_shows_sanctions_and_only_the_department_decides(platform, reviewer, host_member,
                                                                          client, login):
    page = client.get(platform.get_absolute_url()).content.decode()
    assert "处理决定" in page and "作出处理决定" not in page
    response = login(host_member).post(f"/ecosystem/platforms/{platform.pk}/sanction/", {
        "kind": "suspension", "starts_on": "2025-05-01", "ends_on": "2025-06-30", "reason": "x"})
    assert response.status_code == 403 and not Sanction.objects.exists()
    login(reviewer)
    assert "作出处理决定（警告、暂停、撤销）" in client.get(platform.get_absolute_url()).content.decode()
    response = client.post(f"/ecosystem/platforms/{platform.pk}/sanction/", {
        "kind": "suspension", "starts_on": "2025-05-01", "ends_on": "2025-06-30", "reason": "运行评估弄虚作假"},
        follow=True)
    assert "已作出处理决定" in response.content.decode()
    assert Sanction.objects.get().platform == platform
    assert "运行评估弄虚作假" in client.get(platform.get_absolute_url()).content.decode()


def test_a_complaint_may_name_an_approved_platform(platform, host_member, outsider, national_platform):
    complaint = complaints.complain(outsider, Target.PLATFORM, str(platform.pk), "false-information", "虚报成果")
    assert complaint.target_label == "创新平台 盐湖资源国家工程研究中心"
    pending = national_platform(host_member, name="待审核平台")
    with pytest.raises(complaints.NotFound):
        complaints.complain(outsider, Target.PLATFORM, str(pending.pk), "false-information", "x")


def test_a_revocation_closes_the_platform_with_its_history(platform, reviewer, client):
    from techmarket.common.models import AuditEntry
    from techmarket.platforms.models import Platform

    complaints.sanction(reviewer, Target.PLATFORM, platform, "revocation", D(2025, 5, 1), None, "弄虚作假骗取认定")
    platform.refresh_from_db()
    assert platform.state == Platform.State.CLOSED
    entry = AuditEntry.objects.filter(action="close").get()
    assert entry.reason == "第二十七条：弄虚作假骗取认定" and entry.to_value == Platform.State.CLOSED
    assert "已撤销或撤销认定" in client.get(platform.get_absolute_url()).content.decode()
    # A second revocation changes nothing more.
    complaints.sanction(reviewer, Target.PLATFORM, platform, "revocation", D(2025, 6, 1), None, "再次")
    assert AuditEntry.objects.filter(action="close").count() == 1


def test_a_revocation_from_a_later_day_leaves_the_platform_operating_until_then(platform, reviewer):
    from techmarket.platforms.models import Platform

    later = complaints.today() + datetime.timedelta(days=30)
    complaints.sanction(reviewer, Target.PLATFORM, platform, "revocation", later, None, "到期撤销")
    platform.refresh_from_db()
    assert platform.state == Platform.State.OPERATING
    # On its day the daily job closes it, once.
    applied = complaints.apply_due_revocations(later)
    assert [item.platform_id for item in applied] == [platform.pk]
    platform.refresh_from_db()
    assert platform.state == Platform.State.CLOSED
    assert complaints.apply_due_revocations(later) == []
