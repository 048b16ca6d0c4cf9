"""Organisation members write listings and move them through the lifecycle, through the web interface."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techmarket.catalogue.models import CooperationMode, Field, Listing, ListingAction
from techmarket.catalogue.services.lifecycle import transition
from techmarket.catalogue.services.listings import ListingInput, create_listing
from techmarket.common.audit import history_for
from techmarket.directory.models import Organisation

pytestmark = pytest.mark.django_db

S = Listing.Status
TODAY = timezone.localdate()
NEXT_YEAR = TODAY + datetime.timedelta(days=365)
CREATE_URL = reverse("listing-create")
MY_URL = reverse("my-listings")


def form_data(**overrides) -> dict:
    data = {
        "kind": "demand", "title": "柴达木枸杞深加工关键技术研究",
        "description": "开发枸杞多糖提取与枸杞原浆加工工艺，建设示范生产线。",
        "modes": [str(CooperationMode.objects.get(code="joint-rd").pk),
                  str(CooperationMode.objects.get(code="pilot").pk)],
        "field": "", "trl": "4", "budget_wan": "300", "valid_until": "",
    }
    return data | overrides


def page(response) -> str:
    return response.content.decode()


def transition_url(listing: Listing) -> str:
    return reverse("listing-transition", args=[listing.reference])


@pytest.fixture
def draft(member):
    return create_listing(member, ListingInput(
        kind="offer", title="高原草地生态修复技术", description="退化草地修复技术转让。",
        modes=[CooperationMode.objects.get(code="transfer")],
    ))


@pytest.fixture
def other_member(make_user):
    return make_user("other-member", organisation=Organisation.objects.create(name="海东测试科技有限公司"))


@pytest.fixture
def university_listing(qinghai_university):
    return Listing.objects.filter(owner=qinghai_university, status=S.PUBLISHED).first()


# --- The whole flow ------------------------------------------------------------------------------------


def test_member_creates_submits_and_a_reviewer_approves_then_it_is_public(client, member, reviewer,
                                                                            qinghai_university):
    client.force_login(member)
    response = client.post(CREATE_URL, form_data())
    assert response.status_code == 302 and response.url == MY_URL
    listing = Listing.objects.get(title="柴达木枸杞深加工关键技术研究")
    assert listing.status == S.DRAFT and listing.owner == qinghai_university and listing.created_by == member
    assert listing.trl == 4 and listing.budget_wan == 300
    assert set(listing.modes.values_list("code", flat=True)) == {"joint-rd", "pilot"}
    detail_url = listing.get_absolute_url()

    my_page = page(client.get(MY_URL))
    assert listing.title in my_page and "草稿" in my_page and "提交审核" in my_page

    anonymous = Client()
    assert anonymous.get(detail_url).status_code == 404

    response = client.post(transition_url(listing), {"to_status": S.SUBMITTED}, follow=True)
    assert "已变更为“待审核”" in page(response)
    listing.refresh_from_db()
    assert listing.status == S.SUBMITTED
    assert anonymous.get(detail_url).status_code == 404

    client.force_login(reviewer)
    assert listing.title in page(client.get(reverse("review-queue")))
    response = client.post(reverse("review-listing", args=[listing.reference]), {"action": "approve"})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == S.PUBLISHED
    assert listing.valid_until == TODAY + datetime.timedelta(days=365)

    assert anonymous.get(detail_url).status_code == 200
    assert listing.title in page(anonymous.get(reverse("catalogue"), {"q": listing.title}))
    actors = list(history_for(listing).filter(action=ListingAction.TRANSITION).values_list("to_value", "actor"))
    assert actors == [(S.DRAFT, member.pk), (S.SUBMITTED, member.pk), (S.PUBLISHED, reviewer.pk)]


def test_save_and_submit_in_one_step(login, member):
    client = login(member)
    response = client.post(CREATE_URL, form_data(submit_for_review="1"), follow=True)
    listing = Listing.objects.get(title="柴达木枸杞深加工关键技术研究")
    assert listing.status == S.SUBMITTED
    assert "已提交审核" in page(response)


def test_reviewer_rejects_with_a_reason_and_the_owner_sees_it(client, member, reviewer, draft):
    transition(draft, S.SUBMITTED, user=member)
    client.force_login(reviewer)
    client.post(reverse("review-listing", args=[draft.reference]),
                {"action": "reject", "reject-reason": "请补充技术指标和预期成果。"})
    draft.refresh_from_db()
    assert draft.status == S.REJECTED

    client.force_login(member)
    my_page = page(client.get(MY_URL))
    assert "未通过" in my_page and "请补充技术指标和预期成果。" in my_page

    # The owner edits the listing and submits it again.
    response = client.post(reverse("listing-edit", args=[draft.reference]),
                           form_data(title="高原草地生态修复技术（补充指标）", submit_for_review="1"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED and draft.title == "高原草地生态修复技术（补充指标）"


# --- The form ------------------------------------------------------------------------------------------


def test_the_form_is_in_chinese(login, member):
    response = login(member).get(CREATE_URL)
    assert response.status_code == 200
    content = page(response)
    for text in ("项目名称", "主要内容", "合作方式", "技术成熟度", "预算（万元）", "有效期至", "技术需求", "联合研发",
                 "盐湖提锂与锂盐", "保存草稿"):
        assert text in content


@pytest.mark.parametrize("overrides, error", [
    ({"title": ""}, "请填写项目名称。"),
    ({"title": "   "}, "请填写项目名称。"),
    ({"description": ""}, "请填写主要内容。"),
    ({"trl": "12"}, "技术成熟度须在 1 到 9 之间。"),
    ({"trl": "0"}, "技术成熟度须在 1 到 9 之间。"),
    ({"budget_wan": "-5"}, "预算不能为负数。"),
    ({"valid_until": str(TODAY - datetime.timedelta(days=1))}, "有效期须晚于今天。"),
    ({"valid_until": str(TODAY)}, "有效期须晚于今天。"),
    ({"modes": []}, "请至少选择一种合作方式。"),
    ({"kind": "patent"}, "选择一个有效的选项"),
    ({"field": "salt-lake"}, "选择一个有效的选项"),
])
def test_invalid_input_re_renders_with_chinese_errors_and_creates_nothing(login, member, overrides, error):
    before = Listing.objects.count()
    response = login(member).post(CREATE_URL, form_data(**overrides))
    assert response.status_code == 200
    assert error in page(response)
    assert "请根据提示修改后再保存" in page(response)
    assert Listing.objects.count() == before


def test_optional_values_may_be_left_empty_and_a_chosen_area_is_kept(login, member):
    client = login(member)
    response = client.post(CREATE_URL, form_data(trl="", budget_wan="", field="salt-lake.lithium",
                                                 valid_until=str(NEXT_YEAR)))
    assert response.status_code == 302
    listing = Listing.objects.get(title="柴达木枸杞深加工关键技术研究")
    assert listing.trl is None and listing.budget_wan is None
    assert listing.field == Field.objects.get(code="salt-lake.lithium")
    assert listing.valid_until == NEXT_YEAR


# --- Who may write -------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client):
    before = Listing.objects.count()
    for url in (CREATE_URL, MY_URL):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.post(CREATE_URL, form_data()).status_code == 302
    assert Listing.objects.count() == before


@pytest.mark.parametrize("who, explanation", [("unverified", "尚未通过实名核验"), ("outsider", "尚未关联单位")])
def test_users_who_cannot_submit_get_a_chinese_403(request, login, who, explanation):
    client = login(request.getfixturevalue(who))
    before = Listing.objects.count()
    for response in (client.get(CREATE_URL), client.post(CREATE_URL, form_data())):
        assert response.status_code == 403
        assert explanation in page(response)
    assert Listing.objects.count() == before


def test_my_listings_shows_every_status_of_the_organisation_only(login, member, draft, qinghai_university):
    other = create_listing_for_other_org()
    content = page(login(member).get(MY_URL))
    assert draft.title in content
    for listing in Listing.objects.filter(owner=qinghai_university):
        assert listing.number in content
    assert other.title not in content
    assert "修改" in content and "标记为洽谈中" in content


def create_listing_for_other_org() -> Listing:
    org = Organisation.objects.create(name="西宁测试材料有限公司")
    from techmarket.accounts.models import User

    user = User.objects.create_user("other-writer", password="x-Qinghai-2026", is_verified=True, organisation=org)
    return create_listing(user, ListingInput(kind="demand", title="其他单位的草稿需求", description="内容",
                                             modes=[CooperationMode.objects.get(code="project")]))


def test_my_listings_explains_an_account_without_organisation(login, outsider):
    response = login(outsider).get(MY_URL)
    assert response.status_code == 200
    assert "尚未关联单位" in page(response)


def test_an_unverified_member_sees_the_listings_but_no_actions(login, unverified, qinghai_university):
    content = page(login(unverified).get(MY_URL))
    assert "尚未通过实名核验" in content
    assert Listing.objects.filter(owner=qinghai_university).first().reference in content
    assert "标记为洽谈中" not in content and reverse("listing-create") not in content


def test_member_edits_the_organisations_listing(login, member, university_listing):
    client = login(member)
    url = reverse("listing-edit", args=[university_listing.reference])
    response = client.get(url)
    assert response.status_code == 200 and university_listing.title in page(response)
    response = client.post(url, form_data(title="更新后的项目名称"))
    assert response.status_code == 302
    university_listing.refresh_from_db()
    assert university_listing.title == "更新后的项目名称"
    assert history_for(university_listing).filter(action=ListingAction.EDIT, actor=member).exists()


def test_invalid_edit_changes_nothing(login, member, draft):
    response = login(member).post(reverse("listing-edit", args=[draft.reference]), form_data(title="", trl="12"))
    assert response.status_code == 200
    assert "请填写项目名称。" in page(response) and "技术成熟度须在 1 到 9 之间。" in page(response)
    draft.refresh_from_db()
    assert draft.title == "高原草地生态修复技术" and draft.trl is None


def test_an_unchanged_past_date_does_not_block_editing_an_expired_listing(login, member, draft):
    past = TODAY - datetime.timedelta(days=10)
    Listing.objects.filter(pk=draft.pk).update(status=S.EXPIRED, valid_until=past)
    url = reverse("listing-edit", args=[draft.reference])
    response = login(member).post(url, form_data(valid_until=str(past)))
    assert response.status_code == 302
    response = login(member).post(url, form_data(valid_until=str(past - datetime.timedelta(days=1))))
    assert "有效期须晚于今天。" in page(response)


@pytest.mark.parametrize("who", ["other_member", "unverified", "outsider"])
def test_others_cannot_edit_someone_elses_published_listing(request, login, university_listing, who):
    client = login(request.getfixturevalue(who))
    url = reverse("listing-edit", args=[university_listing.reference])
    for response in (client.get(url), client.post(url, form_data(title="被改掉的标题"))):
        assert response.status_code == 403
        assert "只有发布单位的已核验成员可以修改此条目" in page(response)
    university_listing.refresh_from_db()
    assert university_listing.title != "被改掉的标题"


def test_another_organisation_cannot_even_see_a_draft(login, other_member, draft):
    client = login(other_member)
    assert client.get(reverse("listing-edit", args=[draft.reference])).status_code == 404
    assert client.post(transition_url(draft), {"to_status": S.SUBMITTED}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_a_submitted_listing_cannot_be_edited(login, member, draft):
    transition(draft, S.SUBMITTED, user=member)
    response = login(member).get(reverse("listing-edit", args=[draft.reference]))
    assert response.status_code == 403
    assert "“待审核”状态的条目不能修改" in page(response)


# --- Transitions ---------------------------------------------------------------------------------------


def test_transition_is_post_only(login, member, draft):
    assert login(member).get(transition_url(draft)).status_code == 405


def test_owner_moves_a_published_listing_through_talks_to_closed(login, member, university_listing):
    client = login(member)
    for to_status in (S.IN_TALKS, S.CONTRACTED, S.CLOSED):
        response = client.post(transition_url(university_listing), {"to_status": to_status})
        assert response.status_code == 302
        university_listing.refresh_from_db()
        assert university_listing.status == to_status


@pytest.mark.parametrize("who", ["other_member", "unverified", "outsider", "unverified_without_organisation"])
def test_others_cannot_move_someone_elses_listing(request, login, make_user, university_listing, who):
    if who == "unverified_without_organisation":
        user = make_user("no-org-unverified", verified=False)
    else:
        user = request.getfixturevalue(who)
    count = history_for(university_listing).count()
    response = login(user).post(transition_url(university_listing), {"to_status": S.IN_TALKS}, follow=True)
    assert response.status_code == 200
    assert "只有发布单位的已核验成员或审核人员可以执行此操作。" in page(response)
    university_listing.refresh_from_db()
    assert university_listing.status == S.PUBLISHED and history_for(university_listing).count() == count


def test_anonymous_cannot_move_a_listing(client, university_listing):
    response = client.post(transition_url(university_listing), {"to_status": S.CLOSED})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    university_listing.refresh_from_db()
    assert university_listing.status == S.PUBLISHED


@pytest.mark.parametrize("data, message", [
    ({"to_status": S.PUBLISHED}, "只有省科技厅审核人员可以审核发布或退回。"),
    ({"to_status": S.CLOSED}, "“草稿”状态的条目不能变更为“已完成”。"),
    ({"to_status": S.WITHDRAWN}, "请填写原因。"),
    ({"to_status": "nonsense"}, "无效的状态。"),
    ({"to_status": S.SUBMITTED, "valid_until": "明天"}, "请填写有效的日期。"),
])
def test_refused_transitions_show_the_chinese_reason(login, member, draft, data, message):
    if data["to_status"] == S.PUBLISHED:
        transition(draft, S.SUBMITTED, user=member)
    draft.refresh_from_db()
    status, count = draft.status, history_for(draft).count()
    response = login(member).post(transition_url(draft), data, follow=True)
    assert response.status_code == 200
    assert message in page(response)
    draft.refresh_from_db()
    assert draft.status == status and history_for(draft).count() == count


def test_withdraw_with_a_reason(login, member, draft):
    response = login(member).post(transition_url(draft), {"to_status": S.WITHDRAWN, "reason": "需求已解决"},
                                  follow=True)
    draft.refresh_from_db()
    assert draft.status == S.WITHDRAWN
    assert "需求已解决" in page(response)  # the reason shows on my listings


def test_renew_an_expired_listing(login, member, draft):
    Listing.objects.filter(pk=draft.pk).update(status=S.EXPIRED, valid_until=TODAY - datetime.timedelta(days=1))
    client = login(member)
    assert "续期并重新发布" in page(client.get(MY_URL))
    response = client.post(transition_url(draft), {"to_status": S.PUBLISHED, "valid_until": ""}, follow=True)
    assert "续期须填写晚于今天的新有效期。" in page(response)
    draft.refresh_from_db()
    assert draft.status == S.EXPIRED
    client.post(transition_url(draft), {"to_status": S.PUBLISHED, "valid_until": str(NEXT_YEAR)})
    draft.refresh_from_db()
    assert draft.status == S.PUBLISHED and draft.valid_until == NEXT_YEAR


def test_transition_returns_to_a_safe_next_page_only(login, member, university_listing):
    client = login(member)
    detail = university_listing.get_absolute_url()
    response = client.post(transition_url(university_listing), {"to_status": S.IN_TALKS, "next": detail})
    assert response.url == detail
    response = client.post(transition_url(university_listing),
                           {"to_status": S.PUBLISHED, "next": "https://evil.example.com/"})
    assert response.url == MY_URL
