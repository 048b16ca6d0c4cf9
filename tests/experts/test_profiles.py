"""Profiles: bounds, self-registration and verification, each audited."""

import datetime

import pytest

from techmarket.common.audit import history_for
from techmarket.common.errors import InvalidInput, NotAllowed
from techmarket.common.models import Notification
from techmarket.directory.models import Region
from techmarket.experts.models import Expert
from techmarket.experts.services import profiles
from techmarket.experts.services.profiles import ProfileInput

TODAY = datetime.date(2026, 5, 1)


def _input(**values):
    base = {"name": "王磊", "region_id": Region.objects.get(code="xining").pk, "field_codes": ["salt-lake.lithium"],
            "title": "研究员", "specialities": "盐湖卤水提锂吸附剂"}
    base.update(values)
    return ProfileInput(**base)


@pytest.mark.parametrize(("values", "message"), [
    ({"name": ""}, "请填写姓名"),
    ({"name": "王" * 61}, "姓名不能超过 60 个字"),
    ({"title": "研究员\n教授"}, "职称：此处只能填写一行"),
    ({"specialities": "锂" * 2001}, "研究专长不能超过 2000 个字"),
    ({"specialities": "提锂\u202e"}, "控制字符"),
    ({"field_codes": []}, "请至少选择一个专业领域"),
    ({"field_codes": ["no-such-field"]}, "专业领域不存在"),
    ({"region_id": None}, "请选择所在地"),
    ({"availability": "busy"}, "暂不可参加至"),
    ({"availability": "busy", "busy_until": datetime.date(2026, 4, 30)}, "不能早于今天"),
    ({"availability": "busy", "busy_until": datetime.date(2101, 1, 1)}, "2100"),
    ({"phone": "call me"}, "电话只能包含数字"),
    ({"email": "not-an-address"}, "有效的电子邮箱"),
    ({"organisation_id": 10**9}, "工作单位不存在"),
])
def test_profile_bounds_refused_with_chinese_message(make_user, values, message):
    user = make_user("expert-user")
    with pytest.raises(InvalidInput, match=message):
        profiles.join(user, _input(**values), today=TODAY)
    assert not Expert.objects.filter(user=user).exists()


def test_busy_until_today_is_accepted(make_user):
    expert = profiles.join(make_user("expert-user"), _input(availability="busy", busy_until=TODAY), today=TODAY)
    assert expert.busy_until == TODAY
    assert not expert.is_available_on(TODAY) and expert.is_available_on(TODAY + datetime.timedelta(days=1))


def test_join_registers_pending_then_a_reviewer_verifies(make_user, reviewer):
    user = make_user("expert-user")
    expert = profiles.join(user, _input(), today=TODAY)
    assert expert.status == Expert.Status.PENDING and expert.user == user
    assert list(profiles.pending()) == [expert]
    assert not profiles.filter_experts(profiles.Filters()).filter(pk=expert.pk).exists()

    profiles.verify(reviewer, expert)
    expert.refresh_from_db()
    assert expert.status == Expert.Status.VERIFIED and expert.verified_by == reviewer
    assert profiles.filter_experts(profiles.Filters()).filter(pk=expert.pk).exists()
    assert [e.action for e in history_for(expert)] == ["register", "verify"]
    assert Notification.objects.filter(recipient=user, topic="experts.verification").exists()


def test_only_reviewers_verify(make_user, member):
    expert = profiles.join(make_user("expert-user"), _input(), today=TODAY)
    with pytest.raises(NotAllowed):
        profiles.verify(member, expert)
    expert.refresh_from_db()
    assert expert.status == Expert.Status.PENDING


def test_reject_needs_a_reason_and_a_correction_asks_again(make_user, reviewer):
    user = make_user("expert-user")
    expert = profiles.join(user, _input(), today=TODAY)
    with pytest.raises(InvalidInput, match="请填写未通过的原因"):
        profiles.reject(reviewer, expert, "  ")
    profiles.reject(reviewer, expert, "单位信息无法核实")
    expert.refresh_from_db()
    assert expert.status == Expert.Status.REJECTED and expert.status_reason == "单位信息无法核实"
    again = profiles.join(user, _input(title="教授"), today=TODAY)
    assert again.pk == expert.pk and again.status == Expert.Status.PENDING


def test_changing_name_of_a_verified_profile_returns_it_to_verification(make_user, reviewer):
    user = make_user("expert-user")
    expert = profiles.verify(reviewer, profiles.join(user, _input(), today=TODAY))
    kept = profiles.join(user, _input(specialities="镁基材料"), today=TODAY)
    assert kept.status == Expert.Status.VERIFIED
    renamed = profiles.join(user, _input(name="王石"), today=TODAY)
    assert renamed.pk == expert.pk and renamed.status == Expert.Status.PENDING


def test_anonymous_may_not_join():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        profiles.join(AnonymousUser(), ProfileInput(name="x", region_id=None, field_codes=[]))
