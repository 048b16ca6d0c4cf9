"""Provincial reviewers approve, reject, regrade and reclassify listings through the web interface."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from techmarket.catalogue.models import CooperationMode, Field, Listing, ListingAction
from techmarket.catalogue.services.lifecycle import transition
from techmarket.catalogue.services.listings import ListingInput, create_listing
from techmarket.common.audit import history_for
from techmarket.common.models import AuditEntry

pytestmark = pytest.mark.django_db

S = Listing.Status
TODAY = timezone.localdate()
QUEUE_URL = reverse("review-queue")


def page(response) -> str:
    return response.content.decode()


def review_url(listing: Listing) -> str:
    return reverse("review-listing", args=[listing.reference])


@pytest.fixture
def submit(member):
    def make(title: str, **values) -> Listing:
        listing = create_listing(member, ListingInput(
            kind="demand", title=title, description="盐湖卤水综合利用技术攻关。",
            modes=[CooperationMode.objects.get(code="joint-tackling")], **values,
        ))
        return transition(listing, S.SUBMITTED, user=member)

    return make


@pytest.fixture
def submitted(submit):
    return submit("察尔汗盐湖卤水提锂工艺优化")


@pytest.fixture
def seed_listing(qinghai_university):
    return Listing.objects.filter(owner=qinghai_university, status=S.PUBLISHED).first()


# --- Who may review ------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client, submitted):
    for url in (QUEUE_URL, review_url(submitted)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.post(review_url(submitted), {"action": "approve"})
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


@pytest.mark.parametrize("who", ["member", "outsider", "unverified"])
def test_non_reviewers_get_403_on_get_and_post(request, login, submitted, seed_listing, who):
    client = login(request.getfixturevalue(who))
    for response in (client.get(QUEUE_URL), client.get(review_url(submitted))):
        assert response.status_code == 403
        assert "只有省科技厅审核人员可以访问审核页面" in page(response)
    grade = seed_listing.grade
    posts = [
        (submitted, {"action": "approve"}),
        (submitted, {"action": "reject", "reject-reason": "自己退回"}),
        (seed_listing, {"action": "regrade", "regrade-grade": "C" if grade != "C" else "A",
                        "regrade-reason": "理由"}),
        (seed_listing, {"action": "reclassify", "reclassify-field": "salt-lake.lithium"}),
    ]
    for listing, data in posts:
        assert client.post(review_url(listing), data).status_code == 403
    submitted.refresh_from_db()
    seed_listing.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert seed_listing.grade == grade and not seed_listing.grade_overridden and not seed_listing.field_confirmed
    assert not AuditEntry.objects.filter(
        action__in=[ListingAction.REGRADE, ListingAction.RECLASSIFY]).exists()


# --- The queue -----------------------------------------------------------------------------------------


def test_the_queue_lists_submitted_listings_oldest_first(login, reviewer, submit):
    first = submit("最早提交的需求")
    second = submit("第二个提交的需求")
    # Submitted later although created first: its position follows its submission.
    draft = create_listing(first.created_by, ListingInput(
        kind="offer", title="最后提交的成果", description="内容", modes=[CooperationMode.objects.get(code="transfer")],
    ))
    third = transition(draft, S.SUBMITTED, user=first.created_by)
    history_for(first).filter(to_value=S.SUBMITTED).update(
        at=timezone.now() - datetime.timedelta(days=3))
    history_for(second).filter(to_value=S.SUBMITTED).update(
        at=timezone.now() - datetime.timedelta(days=2))

    response = login(reviewer).get(QUEUE_URL)
    assert response.status_code == 200
    content = page(response)
    positions = [content.index(listing.title) for listing in (first, second, third)]
    assert positions == sorted(positions)
    # Seed listings are published, so not in the queue.
    assert Listing.objects.filter(status=S.PUBLISHED).first().title not in content
    assert "待审核" in content


def test_the_empty_queue(login, reviewer):
    assert "目前没有待审核的条目" in page(login(reviewer).get(QUEUE_URL))


def test_all_listings_filtered_by_grade_and_field(login, reviewer):
    client = login(reviewer)
    response = client.get(QUEUE_URL, {"tab": "all", "grade": "A"})
    assert response.status_code == 200
    grade_a = Listing.objects.filter(grade="A")
    assert f"共 {grade_a.count()} 条" in page(response)
    for listing in Listing.objects.exclude(grade="A")[:10]:
        assert f"编号 {listing.number}<" not in page(response)

    response = client.get(QUEUE_URL, {"tab": "all", "field": "salt-lake"})
    salt_lake = Listing.objects.filter(field__parent__code="salt-lake")
    assert salt_lake.exists()
    assert f"共 {salt_lake.count()} 条" in page(response)


def test_all_listings_are_paginated(login, reviewer):
    client = login(reviewer)
    content = page(client.get(QUEUE_URL, {"tab": "all"}))
    assert f"共 {Listing.objects.count()} 条" in content and "下一页" in content
    assert client.get(QUEUE_URL, {"tab": "all", "page": "4"}).status_code == 200


def test_all_listings_include_other_statuses_for_reviewers(login, reviewer, submitted):
    content = page(login(reviewer).get(QUEUE_URL, {"tab": "all", "status": S.SUBMITTED}))
    assert submitted.title in content and "共 1 条" in content


# --- Approve and reject --------------------------------------------------------------------------------


def test_the_review_page_shows_the_listing_and_its_forms(login, reviewer, submitted):
    response = login(reviewer).get(review_url(submitted))
    assert response.status_code == 200
    content = page(response)
    for text in (submitted.title, "审核通过", "退回原因", "调整分级", "调整分类", "变更记录", "草稿 → 待审核"):
        assert text in content


def test_approve_with_the_default_validity(login, reviewer, submitted):
    response = login(reviewer).post(review_url(submitted), {"action": "approve", "approve-valid_until": ""})
    assert response.status_code == 302 and response.url == QUEUE_URL
    submitted.refresh_from_db()
    assert submitted.status == S.PUBLISHED and submitted.published_at is not None
    assert submitted.valid_until == TODAY + datetime.timedelta(days=365)
    event = history_for(submitted).filter(action=ListingAction.TRANSITION).last()
    assert (event.from_value, event.to_value, event.actor) == (S.SUBMITTED, S.PUBLISHED, reviewer)


def test_approve_with_a_chosen_date(login, reviewer, submitted):
    chosen = TODAY + datetime.timedelta(days=90)
    login(reviewer).post(review_url(submitted), {"action": "approve", "approve-valid_until": str(chosen)})
    submitted.refresh_from_db()
    assert submitted.status == S.PUBLISHED and submitted.valid_until == chosen


def test_approve_keeps_the_listings_own_future_date(login, reviewer, submit):
    own = TODAY + datetime.timedelta(days=30)
    listing = submit("自带有效期的需求", valid_until=own)
    login(reviewer).post(review_url(listing), {"action": "approve"})
    listing.refresh_from_db()
    assert listing.status == S.PUBLISHED and listing.valid_until == own


def test_approve_with_a_past_date_is_refused(login, reviewer, submitted):
    response = login(reviewer).post(review_url(submitted), {
        "action": "approve", "approve-valid_until": str(TODAY - datetime.timedelta(days=1))})
    assert response.status_code == 200
    assert "有效期须晚于今天。" in page(response)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED and submitted.valid_until is None


def test_reject_needs_a_reason(login, reviewer, submitted):
    count = history_for(submitted).count()
    response = login(reviewer).post(review_url(submitted), {"action": "reject", "reject-reason": ""})
    assert response.status_code == 200
    assert "请填写退回原因" in page(response)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED and history_for(submitted).count() == count


def test_reject_with_a_reason(login, reviewer, submitted):
    response = login(reviewer).post(review_url(submitted),
                                    {"action": "reject", "reject-reason": "请补充预期技术指标。"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.REJECTED
    event = history_for(submitted).filter(action=ListingAction.TRANSITION).last()
    assert (event.to_value, event.reason, event.actor) == (S.REJECTED, "请补充预期技术指标。", reviewer)


def test_approving_a_listing_not_awaiting_review_shows_the_refusal(login, reviewer, seed_listing):
    client = login(reviewer)
    content = page(client.get(review_url(seed_listing)))
    assert "此条目不在待审核状态" in content and "审核通过</button>" not in content
    count = history_for(seed_listing).count()
    response = client.post(review_url(seed_listing), {"action": "approve"})
    assert response.status_code == 200
    assert "“已发布”状态的条目不能变更为“已发布”。" in page(response)
    response = client.post(review_url(seed_listing), {"action": "reject", "reject-reason": "测试"})
    assert "“已发布”状态的条目不能变更为“未通过”。" in page(response)
    seed_listing.refresh_from_db()
    assert seed_listing.status == S.PUBLISHED and history_for(seed_listing).count() == count


def test_an_unknown_action_is_refused(login, reviewer, submitted):
    response = login(reviewer).post(review_url(submitted), {"action": "delete"}, follow=True)
    assert "未知的审核操作" in page(response)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_unknown_listing_is_404(login, reviewer):
    assert login(reviewer).get(reverse("review-listing", args=["no/such/listing"])).status_code == 404


# --- Regrade and reclassify ----------------------------------------------------------------------------


def test_regrade_keeps_history_and_marks_the_grade_overridden(login, reviewer, seed_listing):
    old = seed_listing.grade
    new = "C" if old != "C" else "A"
    client = login(reviewer)
    response = client.post(review_url(seed_listing),
                           {"action": "regrade", "regrade-grade": new, "regrade-reason": "专家论证后调整"})
    assert response.status_code == 302 and response.url == review_url(seed_listing)
    seed_listing.refresh_from_db()
    assert seed_listing.grade == new and seed_listing.grade_overridden
    event = history_for(seed_listing).get(action=ListingAction.REGRADE)
    assert (event.from_value, event.to_value, event.reason, event.actor) == (old, new, "专家论证后调整", reviewer)
    content = page(client.get(review_url(seed_listing)))
    assert "已人工调整" in content and "专家论证后调整" in content


@pytest.mark.parametrize("data, error", [
    ({"regrade-grade": "A", "regrade-reason": ""}, "请填写调整分级的原因。"),
    ({"regrade-grade": "E", "regrade-reason": "理由"}, "分级无效。"),
])
def test_regrade_needs_a_valid_grade_and_a_reason(login, reviewer, seed_listing, data, error):
    grade = seed_listing.grade
    response = login(reviewer).post(review_url(seed_listing), {"action": "regrade", **data})
    assert response.status_code == 200 and error in page(response)
    seed_listing.refresh_from_db()
    assert seed_listing.grade == grade and not seed_listing.grade_overridden


def test_reclassify_sets_field_confirmed(login, reviewer, seed_listing):
    old = seed_listing.field.code
    response = login(reviewer).post(review_url(seed_listing), {
        "action": "reclassify", "reclassify-field": "clean-energy.storage", "reclassify-reason": "储能项目"})
    assert response.status_code == 302
    seed_listing.refresh_from_db()
    assert seed_listing.field == Field.objects.get(code="clean-energy.storage") and seed_listing.field_confirmed
    event = history_for(seed_listing).get(action=ListingAction.RECLASSIFY)
    assert (event.from_value, event.to_value, event.reason) == (old, "clean-energy.storage", "储能项目")


@pytest.mark.parametrize("value, error", [("", "请选择二级领域。"), ("clean-energy", "请选择二级领域。")])
def test_reclassify_needs_an_area(login, reviewer, seed_listing, value, error):
    field = seed_listing.field
    response = login(reviewer).post(review_url(seed_listing), {"action": "reclassify", "reclassify-field": value})
    assert response.status_code == 200 and error in page(response)
    seed_listing.refresh_from_db()
    assert seed_listing.field == field and not seed_listing.field_confirmed


def test_a_reviewer_edits_a_listing_and_returns_to_the_review_page(login, reviewer, submitted):
    response = login(reviewer).post(reverse("listing-edit", args=[submitted.reference]), {
        "kind": "demand", "title": "察尔汗盐湖卤水提锂工艺优化（审核修订）", "description": "修订后的内容。",
        "modes": [str(CooperationMode.objects.get(code="joint-tackling").pk)],
    })
    # A submitted listing cannot be edited, not even by a reviewer; a rejected one can.
    assert response.status_code == 403
    transition(submitted, S.REJECTED, user=reviewer, reason="请修改")
    response = login(reviewer).post(reverse("listing-edit", args=[submitted.reference]), {
        "kind": "demand", "title": "察尔汗盐湖卤水提锂工艺优化（审核修订）", "description": "修订后的内容。",
        "modes": [str(CooperationMode.objects.get(code="joint-tackling").pk)],
    })
    assert response.status_code == 302 and response.url == review_url(submitted)
    submitted.refresh_from_db()
    assert submitted.title == "察尔汗盐湖卤水提锂工艺优化（审核修订）"
