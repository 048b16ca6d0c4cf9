"""The listing lifecycle and who may write listings, at the service level."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from techmarket.catalogue.models import CooperationMode, Field, Listing, ListingAction
from techmarket.catalogue.services import lifecycle
from techmarket.catalogue.services.lifecycle import TransitionError, transition
from techmarket.catalogue.services.listings import (
    ListingInput,
    ListingPermissionError,
    can_edit,
    create_listing,
    reclassify,
    regrade,
    update_listing,
)
from techmarket.common.audit import history_for
from techmarket.directory.models import Organisation

pytestmark = pytest.mark.django_db

S = Listing.Status
TODAY = timezone.localdate()
NEXT_YEAR = TODAY + datetime.timedelta(days=365)


def listing_input(**overrides) -> ListingInput:
    values = {
        "kind": Listing.Kind.DEMAND, "title": "高原牦牛乳制品保鲜技术研究",
        "description": "研究牦牛乳制品低温保鲜与冷链运输关键技术。",
        "modes": [CooperationMode.objects.get(code="joint-rd")],
    }
    return ListingInput(**(values | overrides))


@pytest.fixture
def draft(member):
    return create_listing(member, listing_input())


@pytest.fixture
def other_member(make_user):
    """A verified member of another organisation."""
    return make_user("other-member", organisation=Organisation.objects.create(name="海东测试科技有限公司"))


@pytest.fixture
def university_listing(qinghai_university):
    """A published seed listing owned by 青海大学."""
    return Listing.objects.filter(owner=qinghai_university, status=S.PUBLISHED).first()


def put(listing: Listing, status: str, **values) -> Listing:
    """Set a listing's status directly (test setup only; bypasses the lifecycle)."""
    Listing.objects.filter(pk=listing.pk).update(status=status, **values)
    listing.refresh_from_db()
    return listing


def transitions_of(listing: Listing) -> list:
    return list(history_for(listing).filter(action=ListingAction.TRANSITION).order_by("at", "id"))


# --- Allowed paths ------------------------------------------------------------------------------------


def test_the_whole_path_from_draft_to_closed_records_every_step(draft, member, reviewer):
    assert draft.status == S.DRAFT
    steps = [
        (S.SUBMITTED, member, ""),
        (S.PUBLISHED, reviewer, "符合发布要求"),
        (S.IN_TALKS, member, "与两家企业洽谈"),
        (S.CONTRACTED, member, "已签订技术开发合同"),
        (S.CLOSED, member, "项目完成"),
    ]
    for to_status, actor, reason in steps:
        before = draft.status
        draft = transition(draft, to_status, user=actor, reason=reason,
                           valid_until=NEXT_YEAR if to_status == S.PUBLISHED else None)
        assert draft.status == to_status
        event = transitions_of(draft)[-1]
        assert (event.from_value, event.to_value, event.actor, event.reason) == (before, to_status, actor, reason)
    draft.refresh_from_db()
    assert draft.status == S.CLOSED
    assert draft.published_at is not None
    assert draft.valid_until == NEXT_YEAR
    # The creation plus the five steps.
    assert [e.to_value for e in transitions_of(draft)] == [
        S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.IN_TALKS, S.CONTRACTED, S.CLOSED]


@pytest.mark.parametrize("start, path", [
    (S.PUBLISHED, [S.CONTRACTED, S.CLOSED]),
    (S.PUBLISHED, [S.CLOSED]),
    (S.PUBLISHED, [S.IN_TALKS, S.PUBLISHED, S.IN_TALKS, S.CLOSED]),
    (S.REJECTED, [S.SUBMITTED]),
    (S.REJECTED, [S.DRAFT, S.SUBMITTED]),
])
def test_other_allowed_paths(draft, member, start, path):
    listing = put(draft, start)
    for to_status in path:
        listing = transition(listing, to_status, user=member)
        assert listing.status == to_status
    assert len(transitions_of(listing)) == 1 + len(path)


def test_published_at_is_kept_when_published_again(draft, member, reviewer):
    listing = transition(transition(draft, S.SUBMITTED, user=member), S.PUBLISHED, user=reviewer)
    first = listing.published_at
    listing = transition(transition(listing, S.IN_TALKS, user=member), S.PUBLISHED, user=member)
    assert listing.published_at == first


@pytest.mark.parametrize("start", [S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.IN_TALKS, S.EXPIRED, S.REJECTED])
def test_withdraw_from_every_open_status_with_a_reason(draft, member, start):
    listing = transition(put(draft, start), S.WITHDRAWN, user=member, reason="需求已由其他途径解决")
    assert listing.status == S.WITHDRAWN
    assert transitions_of(listing)[-1].reason == "需求已由其他途径解决"


def test_withdrawing_needs_a_reason_and_a_withdrawn_listing_can_become_a_draft_again(draft, member):
    with pytest.raises(TransitionError, match="请填写原因"):
        transition(draft, S.WITHDRAWN, user=member, reason="  ")
    listing = transition(draft, S.WITHDRAWN, user=member, reason="暂缓")
    listing = transition(listing, S.DRAFT, user=member)
    assert listing.status == S.DRAFT


def test_rejection_needs_a_reason_and_is_for_reviewers_only(draft, member, reviewer):
    listing = transition(draft, S.SUBMITTED, user=member)
    count = history_for(listing).count()
    with pytest.raises(TransitionError, match="请填写原因"):
        transition(listing, S.REJECTED, user=reviewer)
    with pytest.raises(TransitionError, match="审核人员"):
        transition(listing, S.REJECTED, user=member, reason="自行退回")
    with pytest.raises(TransitionError, match="审核人员"):
        transition(listing, S.PUBLISHED, user=member)
    listing.refresh_from_db()
    assert listing.status == S.SUBMITTED and history_for(listing).count() == count

    listing = lifecycle.reject(listing, reviewer, "请补充技术指标")
    assert listing.status == S.REJECTED
    event = transitions_of(listing)[-1]
    assert (event.actor, event.reason, event.from_value) == (reviewer, "请补充技术指标", S.SUBMITTED)


# --- Expiry and renewal -------------------------------------------------------------------------------


def test_expire_due_expires_published_listings_whose_date_has_passed(draft, member, university_listing):
    yesterday = TODAY - datetime.timedelta(days=1)
    due = put(draft, S.PUBLISHED, valid_until=yesterday)
    in_talks = put(create_listing(member, listing_input(title="洽谈中的需求")), S.IN_TALKS, valid_until=yesterday)
    still_valid = put(create_listing(member, listing_input(title="仍在有效期的需求")), S.PUBLISHED,
                      valid_until=TODAY)
    draft_past = put(create_listing(member, listing_input(title="过期草稿")), S.DRAFT, valid_until=yesterday)

    expired = lifecycle.expire_due()

    assert {listing.pk for listing in expired} == {due.pk, in_talks.pk}
    for listing in (due, in_talks, still_valid, draft_past, university_listing):
        listing.refresh_from_db()
    assert due.status == in_talks.status == S.EXPIRED
    assert still_valid.status == S.PUBLISHED and draft_past.status == S.DRAFT
    assert university_listing.status == S.PUBLISHED  # seed listings have no validity date
    event = transitions_of(due)[-1]
    assert event.actor is None and event.actor_label == "expiry" and str(yesterday) in event.reason


def test_renewal_needs_a_new_date_later_than_today(draft, member):
    listing = put(draft, S.PUBLISHED, valid_until=TODAY - datetime.timedelta(days=3))
    [listing] = lifecycle.expire_due()
    count = history_for(listing).count()
    for bad in (None, TODAY, TODAY - datetime.timedelta(days=1)):
        with pytest.raises(TransitionError, match="续期须填写晚于今天的新有效期"):
            transition(listing, S.PUBLISHED, user=member, valid_until=bad)
    listing.refresh_from_db()
    assert listing.status == S.EXPIRED and history_for(listing).count() == count

    listing = transition(listing, S.PUBLISHED, user=member, reason="续期", valid_until=NEXT_YEAR)
    assert listing.status == S.PUBLISHED and listing.valid_until == NEXT_YEAR
    assert transitions_of(listing)[-1].from_value == S.EXPIRED


def test_only_the_system_sets_expired(draft, member, reviewer):
    listing = put(draft, S.PUBLISHED)
    for user in (member, reviewer):
        with pytest.raises(TransitionError, match="系统"):
            transition(listing, S.EXPIRED, user=user)
    assert transition(listing, S.EXPIRED, system_label="expiry").status == S.EXPIRED


def test_a_transition_never_sets_a_past_validity_date(draft, member):
    with pytest.raises(TransitionError, match="有效期须晚于今天"):
        transition(draft, S.SUBMITTED, user=member, valid_until=TODAY - datetime.timedelta(days=1))
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.valid_until is None


# --- Approval ----------------------------------------------------------------------------------------


def test_approval_defaults_the_validity_to_a_year(draft, member, reviewer):
    listing = lifecycle.approve(transition(draft, S.SUBMITTED, user=member), reviewer)
    assert listing.status == S.PUBLISHED
    assert listing.valid_until == TODAY + lifecycle.DEFAULT_VALIDITY
    assert transitions_of(listing)[-1].actor == reviewer


def test_approval_keeps_a_future_date_and_replaces_one_that_passed_in_the_queue(draft, member, reviewer):
    in_two_months = TODAY + datetime.timedelta(days=60)
    listing = lifecycle.approve(put(draft, S.SUBMITTED, valid_until=in_two_months), reviewer)
    assert listing.valid_until == in_two_months

    other = create_listing(member, listing_input(title="另一条需求"))
    other = lifecycle.approve(put(other, S.SUBMITTED, valid_until=TODAY - datetime.timedelta(days=1)), reviewer)
    assert other.valid_until == TODAY + lifecycle.DEFAULT_VALIDITY

    third = create_listing(member, listing_input(title="第三条需求"))
    third = lifecycle.approve(put(third, S.SUBMITTED), reviewer, valid_until=in_two_months)
    assert third.valid_until == in_two_months


def test_approval_is_for_reviewers_only(draft, member):
    listing = transition(draft, S.SUBMITTED, user=member)
    with pytest.raises(TransitionError, match="审核人员"):
        lifecycle.approve(listing, member)
    listing.refresh_from_db()
    assert listing.status == S.SUBMITTED


# --- Forbidden transitions ----------------------------------------------------------------------------


@pytest.mark.parametrize("start, to_status", [
    (S.DRAFT, S.PUBLISHED), (S.DRAFT, S.IN_TALKS), (S.DRAFT, S.CONTRACTED), (S.DRAFT, S.CLOSED),
    (S.DRAFT, S.REJECTED), (S.DRAFT, S.DRAFT), (S.SUBMITTED, S.IN_TALKS), (S.SUBMITTED, S.DRAFT),
    (S.PUBLISHED, S.SUBMITTED), (S.PUBLISHED, S.REJECTED), (S.CONTRACTED, S.PUBLISHED),
    (S.CONTRACTED, S.WITHDRAWN), (S.CLOSED, S.PUBLISHED), (S.CLOSED, S.WITHDRAWN), (S.CLOSED, S.DRAFT),
    (S.WITHDRAWN, S.PUBLISHED), (S.WITHDRAWN, S.SUBMITTED), (S.EXPIRED, S.IN_TALKS), (S.REJECTED, S.PUBLISHED),
    (S.DRAFT, "bogus"),
])
def test_forbidden_transitions_raise_and_change_nothing(draft, member, reviewer, start, to_status):
    listing = put(draft, start)
    count = history_for(listing).count()
    for user in (member, reviewer):
        with pytest.raises(TransitionError, match="不能变更为"):
            transition(listing, to_status, user=user, reason="测试", valid_until=NEXT_YEAR)
        assert not lifecycle.can_transition(user, listing, to_status)
    listing.refresh_from_db()
    assert listing.status == start
    assert history_for(listing).count() == count
    assert listing.valid_until is None


@pytest.mark.parametrize("who", ["anonymous", "none", "outsider", "unverified", "other_member"])
def test_only_the_owning_organisation_or_a_reviewer_moves_a_listing(request, university_listing, who):
    users = {"anonymous": AnonymousUser(), "none": None}
    user = users[who] if who in users else request.getfixturevalue(who)
    count = history_for(university_listing).count()
    for to_status in (S.IN_TALKS, S.CONTRACTED, S.CLOSED):
        with pytest.raises(TransitionError, match="只有发布单位的已核验成员或审核人员"):
            transition(university_listing, to_status, user=user)
    with pytest.raises(TransitionError):
        transition(university_listing, S.WITHDRAWN, user=user, reason="不是我的")
    university_listing.refresh_from_db()
    assert university_listing.status == S.PUBLISHED
    assert history_for(university_listing).count() == count
    assert lifecycle.available_transitions(user, university_listing) == []


def test_a_member_moves_the_organisations_seed_listing(university_listing, member, reviewer):
    assert lifecycle.available_transitions(member, university_listing) == [
        S.IN_TALKS, S.CONTRACTED, S.CLOSED, S.WITHDRAWN]
    listing = transition(university_listing, S.IN_TALKS, user=member, reason="已有企业联系")
    assert listing.status == S.IN_TALKS
    assert transition(listing, S.CONTRACTED, user=reviewer).status == S.CONTRACTED


def test_available_transitions_of_a_draft_and_a_submitted_listing(draft, member, reviewer):
    assert lifecycle.available_transitions(member, draft) == [S.SUBMITTED, S.WITHDRAWN]
    submitted = transition(draft, S.SUBMITTED, user=member)
    assert lifecycle.available_transitions(member, submitted) == [S.WITHDRAWN]
    assert lifecycle.available_transitions(reviewer, submitted) == [S.PUBLISHED, S.WITHDRAWN, S.REJECTED]


# --- Writing listings ---------------------------------------------------------------------------------


def test_a_member_creates_a_draft_owned_by_the_organisation(member, qinghai_university):
    listing = create_listing(member, listing_input(trl=4, valid_until=NEXT_YEAR))
    assert listing.status == S.DRAFT
    assert listing.owner == qinghai_university and listing.created_by == member
    assert listing.reference == f"user/{listing.pk}"
    assert list(listing.organisations.all()) == [qinghai_university]
    assert listing.modes_raw == "联合研发"
    assert listing.grade in Listing.Grade.values
    event = transitions_of(listing)[0]
    assert (event.to_value, event.actor) == (S.DRAFT, member)


@pytest.mark.parametrize("who, message", [
    ("anonymous", "请先登录"), ("unverified", "核验"), ("outsider", "关联单位"),
])
def test_who_may_not_create(request, who, message):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    before = Listing.objects.count()
    with pytest.raises(ListingPermissionError, match=message):
        create_listing(user, listing_input())
    assert Listing.objects.count() == before


@pytest.mark.parametrize("who", ["anonymous", "unverified", "outsider", "other_member"])
def test_who_may_not_edit(request, university_listing, who):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    title = university_listing.title
    assert not can_edit(user, university_listing)
    with pytest.raises(ListingPermissionError, match="只有发布单位的已核验成员"):
        update_listing(user, university_listing, listing_input(title="改掉的标题"))
    university_listing.refresh_from_db()
    assert university_listing.title == title


def test_a_member_edits_the_organisations_listing_and_the_edit_is_recorded(university_listing, member):
    listing = update_listing(member, university_listing, listing_input(title="更新后的标题"))
    assert listing.title == "更新后的标题"
    assert history_for(listing).filter(action=ListingAction.EDIT, actor=member).exists()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.CONTRACTED, S.CLOSED, S.WITHDRAWN])
def test_listings_in_some_statuses_cannot_be_edited(draft, member, status):
    listing = put(draft, status)
    with pytest.raises(ListingPermissionError, match="状态的条目不能修改"):
        update_listing(member, listing, listing_input(title="改掉的标题"))


# --- Grading and classification -----------------------------------------------------------------------


def test_regrade_keeps_the_history_and_marks_the_grade_overridden(university_listing, reviewer):
    old = university_listing.grade
    new = "C" if old != "C" else "A"
    listing = regrade(reviewer, university_listing, new, "专家评审意见")
    listing.refresh_from_db()
    assert listing.grade == new and listing.grade_overridden
    assert listing.grade_basis["method"] == "reviewer"
    event = history_for(listing).get(action=ListingAction.REGRADE)
    assert (event.from_value, event.to_value, event.actor, event.reason) == (old, new, reviewer, "专家评审意见")
    listing = regrade(reviewer, listing, old, "复核后恢复")
    assert list(history_for(listing).filter(action=ListingAction.REGRADE).values_list("to_value", flat=True)) == [
        new, old]


def test_regrade_needs_a_reviewer_a_valid_grade_and_a_reason(university_listing, member, reviewer):
    grade = university_listing.grade
    for user, value, reason, message in [
        (member, "A", "理由", "只有审核人员"), (AnonymousUser(), "A", "理由", "只有审核人员"),
        (reviewer, "D", "理由", "分级无效"), (reviewer, "A", " ", "请填写"),
    ]:
        with pytest.raises(ListingPermissionError, match=message):
            regrade(user, university_listing, value, reason)
    university_listing.refresh_from_db()
    assert university_listing.grade == grade and not university_listing.grade_overridden
    assert not history_for(university_listing).filter(action=ListingAction.REGRADE).exists()


def test_reclassify_confirms_the_field(university_listing, member, reviewer):
    area = Field.objects.get(code="salt-lake.lithium")
    with pytest.raises(ListingPermissionError, match="只有审核人员"):
        reclassify(member, university_listing, area, "")
    with pytest.raises(ListingPermissionError, match="二级领域"):
        reclassify(reviewer, university_listing, area.parent, "")
    old = university_listing.field.code
    listing = reclassify(reviewer, university_listing, area, "属于盐湖提锂")
    listing.refresh_from_db()
    assert listing.field == area and listing.field_confirmed
    event = history_for(listing).get(action=ListingAction.RECLASSIFY)
    assert (event.from_value, event.to_value, event.actor) == (old, area.code, reviewer)
