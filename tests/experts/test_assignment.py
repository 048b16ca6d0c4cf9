"""Reviewer assignment: only matching, available, verified experts are drawn; each kind of conflict is excluded
with its reason; the draw is reproducible from its seed; too few experts → a clear error and nothing recorded."""

import datetime

import pytest

from techmarket.catalogue.models import Listing
from techmarket.common.audit import history_for
from techmarket.common.errors import NotAllowed
from techmarket.experts.models import Assignment, AssignmentEntry
from techmarket.experts.services import assignment as service
from techmarket.experts.services.assignment import NotEnoughExperts, assign
from tests.market.conftest import record_contract

TODAY = datetime.date.today()


@pytest.fixture
def subject(db):
    return Listing.objects.filter(kind=Listing.Kind.DEMAND).order_by("pk").first()


@pytest.fixture
def applicant(qinghai_university):
    return qinghai_university


def _drawn(item):
    return [e.expert for e in item.drawn]


def _excluded(item):
    return {e.expert.name: e.reason for e in item.excluded}


def test_draws_only_matching_available_verified_experts(make_expert, subject, reviewer):
    lithium = make_expert("锂专家", fields=["salt-lake.lithium"])
    field_level = make_expert("盐湖专家", fields=["salt-lake"])
    make_expert("光伏专家", fields=["clean-energy.solar"])
    make_expert("待核验专家", verified=False)
    make_expert("退出专家", availability="retired")
    make_expert("忙碌专家", availability="busy", busy_until=TODAY + datetime.timedelta(days=30))
    back = make_expert("已恢复专家", availability="busy", busy_until=TODAY)

    item = assign(subject, ["salt-lake.lithium"], 2, seed=7, assigned_by=reviewer,
                  today=TODAY + datetime.timedelta(days=1))
    assert set(item.pool_ids) == {lithium.pk, field_level.pk, back.pk}
    assert len(_drawn(item)) == 2 and set(_drawn(item)) <= {lithium, field_level, back}
    assert not item.excluded.exists()


def test_an_area_expert_counts_for_its_field(make_expert, subject, reviewer):
    lithium = make_expert("锂专家", fields=["salt-lake.lithium"])
    make_expert("光伏专家", fields=["clean-energy.solar"])
    item = assign(subject, ["salt-lake"], 1, seed=1, assigned_by=reviewer, today=TODAY)
    assert item.pool_ids == [lithium.pk]


def test_same_organisation_excluded_with_reason(make_expert, subject, reviewer, applicant):
    make_expert("同单位专家", organisation=applicant)
    other = make_expert("外单位专家")
    item = assign(subject, ["salt-lake.lithium"], 1, organisation_ids=[applicant.pk], seed=3, assigned_by=reviewer,
                  today=TODAY)
    assert _drawn(item) == [other]
    assert _excluded(item) == {"同单位专家": "与申报单位同属青海大学"}
    entry = item.excluded.get()
    assert entry.reason_kinds == [service.SAME_ORGANISATION]


def test_declared_conflicts_excluded_by_organisation_and_by_name_in_text(make_expert, subject, reviewer, applicant):
    make_expert("声明单位专家", conflict_organisation_ids=[applicant.pk])
    make_expert("文字声明专家", conflict_notes="曾在青海大学盐湖所兼职至2024年")
    other = make_expert("无关专家", conflict_notes="曾在兰州大学兼职")
    item = assign(subject, ["salt-lake.lithium"], 1, organisation_ids=[applicant.pk], seed=3, assigned_by=reviewer,
                  today=TODAY)
    assert _drawn(item) == [other]
    declared = "申报声明的利益关系：青海大学"
    assert _excluded(item) == {"声明单位专家": declared, "文字声明专家": declared}


def test_joint_contract_within_the_years_excluded(make_expert, make_org, make_user, subject, reviewer, applicant,
                                                  settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    partner = make_org("西宁锂业研究院")
    old_partner = make_org("海西盐湖研究所", "haixi")
    seller = make_user("seller", organisation=applicant)
    record_contract(seller, applicant, partner, signed_on=TODAY - datetime.timedelta(days=365), text=None)
    record_contract(seller, applicant, old_partner, signed_on=TODAY - datetime.timedelta(days=4 * 365), text=None,
                    title="卤水提锂工艺技术开发")
    make_expert("合作方专家", organisation=partner)
    old = make_expert("早年合作方专家", organisation=old_partner)
    item = assign(subject, ["salt-lake.lithium"], 1, organisation_ids=[applicant.pk], seed=5, assigned_by=reviewer,
                  today=TODAY)
    assert _drawn(item) == [old]  # the 2022 contract is older than three years
    assert _excluded(item) == {"合作方专家": "近3年与申报单位有技术合同：西宁锂业研究院与青海大学"}
    assert item.excluded.get().reason_kinds == [service.CONTRACT]

    make_expert("另一位专家")
    longer = assign(subject, ["salt-lake.lithium"], 1, organisation_ids=[applicant.pk], exclude_years=5, seed=5,
                    assigned_by=reviewer, today=TODAY)
    assert set(_excluded(longer)) == {"合作方专家", "早年合作方专家"}


def test_reproducible_with_the_same_seed(make_expert, subject, reviewer):
    for i in range(8):
        make_expert(f"专家甲{i}")
    first = assign(subject, ["salt-lake.lithium"], 3, seed=2026, assigned_by=reviewer, today=TODAY)
    second = assign(subject, ["salt-lake.lithium"], 3, seed=2026, assigned_by=reviewer, today=TODAY)
    assert [e.expert_id for e in first.drawn] == [e.expert_id for e in second.drawn]
    assert service.reproduce(first) == [e.expert_id for e in first.drawn]
    other = {tuple(e.expert_id for e in assign(subject, ["salt-lake.lithium"], 3, seed=s, assigned_by=reviewer,
                                              today=TODAY).drawn) for s in range(5)}
    assert len(other) > 1  # another seed, another draw


def test_assignment_is_audited(make_expert, subject, reviewer, applicant):
    make_expert("同单位专家", organisation=applicant)
    kept = make_expert("外单位专家")
    item = assign(subject, ["salt-lake.lithium"], 1, organisation_ids=[applicant.pk], seed=9, assigned_by=reviewer,
                  today=TODAY)
    (line,) = history_for(item)
    assert line.action == "assign" and line.actor == reviewer
    assert line.data["seed"] == 9 and line.data["drawn"] == [kept.pk]
    assert item.subject_label and item.organisation_names == ["青海大学"]
    assert list(service.for_subject(subject)) == [item]


def test_not_enough_experts_is_a_clear_error_and_records_nothing(make_expert, subject, reviewer, applicant):
    make_expert("同单位专家", organisation=applicant)
    make_expert("外单位专家")
    with pytest.raises(NotEnoughExperts, match="符合条件的专家只有 1 位（另有 1 位因利益关系回避），不足所需的 3 位"):
        assign(subject, ["salt-lake.lithium"], 3, organisation_ids=[applicant.pk], assigned_by=reviewer, today=TODAY)
    assert not Assignment.objects.exists() and not AssignmentEntry.objects.exists()


def test_only_reviewers_draw(make_expert, subject, member):
    make_expert()
    with pytest.raises(NotAllowed):
        assign(subject, ["salt-lake.lithium"], 1, assigned_by=member, today=TODAY)
    assert not Assignment.objects.exists()
