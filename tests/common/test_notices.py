"""Public notices (公示) with objections: the period in calendar days, who may object and when, resolution on the
record by reviewers or staff, the outcome that blocks what a notice must block, and the public pages, which never
show an objection's text or its filer."""

import datetime

import pytest
from django.urls import reverse

from techmarket.catalogue.models import Listing
from techmarket.common import notices
from techmarket.common.models import Notice, Notification, Objection
from techmarket.common.notices import BLOCKED, OPEN, PASSED, NoticeError, NoticePermissionError

pytestmark = pytest.mark.django_db

OS = Objection.Status
START = datetime.date(2026, 3, 1)


@pytest.fixture
def listing():
    return Listing.objects.filter(status=Listing.Status.PUBLISHED).order_by("pk").first()


@pytest.fixture
def notice(listing):
    """A 5-day notice from 1 to 5 March 2026."""
    return notices.publish_notice(listing, "成果协议定价公示：高原特色作物新品种",
                                  "拟以协议定价方式转让，价格 120 万元。", 5, opens_on=START, kind="tests.price")


@pytest.fixture
def current(listing):
    """A notice open today, for the pages."""
    return notices.publish_notice(listing, "正在公示的成果", "公示内容：协议价格 80 万元。", 10)


@pytest.fixture
def staff(make_user):
    return make_user("staff-user", is_staff=True)


def day(n: int) -> datetime.date:
    """The n-th day of March 2026."""
    return datetime.date(2026, 3, n)


# --- Publishing ----------------------------------------------------------------------------------------------

def test_the_period_counts_calendar_days_both_ends_included(notice, listing):
    assert (notice.opens_on, notice.closes_on, notice.period_days) == (START, day(5), 5)
    assert notice.target == listing and notice.kind == "tests.price"
    assert not notices.is_open(notice, day(1) - datetime.timedelta(days=1))
    assert notices.is_open(notice, day(1)) and notices.is_open(notice, day(5))
    assert not notices.is_open(notice, day(6)) and notices.has_closed(notice, day(6))
    assert list(notices.notices_for(listing)) == [notice]
    assert list(notices.notices_for(listing, kind="other")) == []


def test_opens_today_by_default(listing):
    from django.utils import timezone

    one_day = notices.publish_notice(listing, "一日公示", "内容", 1)
    assert one_day.opens_on == one_day.closes_on == timezone.localdate()


@pytest.mark.parametrize("days", [0, -1, 366, True, "5", 2.5])
def test_the_period_is_one_to_365_days(listing, days):
    with pytest.raises(NoticeError, match="公示期须为"):
        notices.publish_notice(listing, "标题", "内容", days)
    assert not Notice.objects.exists()


@pytest.mark.parametrize("title, body, message", [
    ("", "内容", "请填写公示标题"),
    ("标题", "  ", "请填写公示内容"),
    ("标\x07题", "内容", "控制字符"),
    ("两行\n标题", "内容", "一行"),
    ("标题", "内容\u202e反向", "控制字符"),
    ("长" * 301, "内容", "不能超过 300"),
])
def test_titles_and_bodies_are_bounded_and_clean(listing, title, body, message):
    with pytest.raises(NoticeError, match=message):
        notices.publish_notice(listing, title, body, 5)


def test_an_unsaved_object_cannot_have_a_notice():
    with pytest.raises(NoticeError):
        notices.publish_notice(Listing(title="未保存"), "标题", "内容", 5)


# --- Objections ----------------------------------------------------------------------------------------------

def test_logged_in_users_object_while_the_notice_is_open(notice, outsider, reviewer, staff):
    objection = notices.file_objection(outsider, notice, "  定价明显低于评估价值。  ", on=day(5))
    assert (objection.status, objection.text, objection.filed_by) == (OS.OPEN, "定价明显低于评估价值。", outsider)
    # Reviewers and staff hear of it.
    assert set(Notification.objects.filter(topic="common.objection").values_list("recipient__username", flat=True)
               ) == {reviewer.username, staff.username}


def test_anonymous_users_cannot_object(notice):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NoticePermissionError, match="登录"):
        notices.file_objection(AnonymousUser(), notice, "异议", on=day(2))
    with pytest.raises(NoticePermissionError):
        notices.file_objection(None, notice, "异议", on=day(2))


@pytest.mark.parametrize("on, message", [(datetime.date(2026, 2, 28), "开始后"), (day(6), "已于 2026-03-05 截止")])
def test_no_objection_before_or_after_the_period(notice, outsider, on, message):
    with pytest.raises(NoticeError, match=message):
        notices.file_objection(outsider, notice, "异议", on=on)
    assert not Objection.objects.exists()


@pytest.mark.parametrize("text, message", [
    ("", "请填写异议内容"),
    ("x" * 2001, "不能超过 2000"),
    ("异议\x00内容", "控制字符"),
    ("异议\u2066内容", "控制字符"),
])
def test_objection_text_is_bounded_and_clean(notice, outsider, text, message):
    with pytest.raises(NoticeError, match=message):
        notices.file_objection(outsider, notice, text, on=day(2))
    assert not Objection.objects.exists()


def test_line_breaks_are_allowed_and_2000_characters_too(notice, outsider):
    assert notices.file_objection(outsider, notice, "第一行\n第二行", on=day(2)).text == "第一行\n第二行"
    assert len(notices.file_objection(outsider, notice, "字" * 2000, on=day(2)).text) == 2000


def test_one_user_files_at_most_a_few_objections_per_notice(notice, outsider, member):
    for i in range(notices.MAX_OBJECTIONS_PER_USER):
        notices.file_objection(outsider, notice, f"异议 {i}", on=day(2))
    with pytest.raises(NoticeError, match="最多"):
        notices.file_objection(outsider, notice, "再一条", on=day(2))
    notices.file_objection(member, notice, "另一人的异议", on=day(2))


# --- Resolution ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["outsider", "member", "unverified"])
def test_only_reviewers_and_staff_resolve(request, notice, outsider, who):
    objection = notices.file_objection(outsider, notice, "异议", on=day(2))
    with pytest.raises(NoticePermissionError, match="审核人员"):
        notices.resolve_objection(request.getfixturevalue(who), objection, True, "理由")
    objection.refresh_from_db()
    assert objection.status == OS.OPEN and objection.resolved_at is None


def test_a_reviewer_upholds_on_the_record_and_the_filer_hears(notice, outsider, reviewer):
    objection = notices.file_objection(outsider, notice, "异议", on=day(2))
    notices.resolve_objection(reviewer, objection, True, "经核实，定价偏低。")
    objection.refresh_from_db()
    assert (objection.status, objection.resolution, objection.resolved_by) == (
        OS.UPHELD, "经核实，定价偏低。", reviewer)
    assert objection.resolved_at is not None
    message = Notification.objects.get(recipient=outsider, topic="common.objection-resolved")
    assert "异议成立" in message.body and message.link == reverse("common:notice", args=[notice.pk])


def test_staff_dismiss_once_with_a_resolution(notice, outsider, staff):
    objection = notices.file_objection(outsider, notice, "异议", on=day(2))
    with pytest.raises(NoticeError, match="处理意见"):
        notices.resolve_objection(staff, objection, False, " ")
    notices.resolve_objection(staff, objection, False, "价格有评估报告支持。")
    with pytest.raises(NoticeError, match="已处理"):
        notices.resolve_objection(staff, objection, True, "改变主意")
    objection.refresh_from_db()
    assert objection.status == OS.DISMISSED


def test_callers_may_name_who_resolves(notice, outsider, member, reviewer):
    objection = notices.file_objection(outsider, notice, "异议", on=day(2))
    owners_only = lambda user: user == member  # noqa: E731
    with pytest.raises(NoticePermissionError):
        notices.resolve_objection(reviewer, objection, True, "理由", allowed=owners_only)
    notices.resolve_objection(member, objection, False, "理由", allowed=owners_only)


# --- Outcome -------------------------------------------------------------------------------------------------

def test_outcome_without_objections(notice):
    assert notices.outcome(notice, day(5)) == OPEN
    assert notices.outcome(notice, day(6)) == PASSED


def test_an_upheld_objection_blocks_at_once(notice, outsider, reviewer):
    notices.resolve_objection(reviewer, notices.file_objection(outsider, notice, "异议", on=day(2)), True, "成立")
    assert notices.outcome(notice, day(3)) == BLOCKED
    assert notices.outcome(notice, day(30)) == BLOCKED


def test_an_open_objection_blocks_after_closing_until_dismissed(notice, outsider, reviewer):
    objection = notices.file_objection(outsider, notice, "异议", on=day(2))
    assert notices.outcome(notice, day(5)) == OPEN
    assert notices.outcome(notice, day(6)) == BLOCKED
    notices.resolve_objection(reviewer, objection, False, "不成立")
    assert notices.outcome(notice, day(6)) == PASSED


# --- Pages ---------------------------------------------------------------------------------------------------

def test_the_list_and_the_page_are_public(client, current, notice):
    listing_page = client.get(reverse("common:notices")).content.decode()
    assert "正在公示的成果" in listing_page and "成果协议定价公示" in listing_page and "公示中" in listing_page
    page = client.get(reverse("common:notice", args=[current.pk])).content.decode()
    assert "公示内容：协议价格 80 万元。" in page and f"{current.period_days} 个自然日" in page
    assert "登录后提出异议" in page and 'name="text"' not in page
    assert client.get(reverse("common:notice", args=[999999])).status_code == 404


def test_objection_texts_and_filers_are_never_shown_publicly(client, login, current, make_user, reviewer):
    filer = make_user("filer", display_name="张异议人")
    objection = notices.file_objection(filer, current, "秘密的异议理由")
    anonymous = client.get(reverse("common:notice", args=[current.pk])).content.decode()
    assert "共 1 条异议" in anonymous and "秘密的异议理由" not in anonymous and "张异议人" not in anonymous
    other = login(make_user("other"))
    page = other.get(reverse("common:notice", args=[current.pk])).content.decode()
    assert "秘密的异议理由" not in page and "张异议人" not in page
    own = login(filer).get(reverse("common:notice", args=[current.pk])).content.decode()
    assert "秘密的异议理由" in own and "我提出的异议" in own
    review = login(reviewer).get(reverse("common:notice", args=[current.pk])).content.decode()
    assert "秘密的异议理由" in review and "张异议人" in review
    assert reverse("common:resolve", args=[objection.pk]) in review


def test_filing_an_objection_through_the_page(client, login, current, outsider):
    url = reverse("common:object", args=[current.pk])
    assert client.post(url, {"text": "匿名异议"}).status_code == 302  # to the log-in page
    assert not Objection.objects.exists()
    c = login(outsider)
    response = c.post(url, {"text": "价格偏低"})
    assert response.status_code == 302 and response["Location"] == reverse("common:notice", args=[current.pk])
    assert Objection.objects.get().text == "价格偏低"
    bad = c.post(url, {"text": "控制\x07字符"})
    assert bad.status_code == 400 and "控制字符" in bad.content.decode()


def test_objections_after_closing_are_refused_on_the_page(login, notice, outsider):
    response = login(outsider).post(reverse("common:object", args=[notice.pk]), {"text": "迟到的异议"})
    assert response.status_code == 400 and "已于 2026-03-05 截止" in response.content.decode()
    assert not Objection.objects.exists()


def test_resolving_through_the_page(login, current, outsider, reviewer):
    objection = notices.file_objection(outsider, current, "异议")
    url = reverse("common:resolve", args=[objection.pk])
    refused = login(outsider).post(url, {"decision": "uphold", "resolution": "自己处理"})
    assert refused.status_code == 403 and "审核人员" in refused.content.decode()
    response = login(reviewer).post(url, {"decision": "uphold", "resolution": "经核实成立"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.resolution) == (OS.UPHELD, "经核实成立")
    page = login(reviewer).get(reverse("common:notice", args=[current.pk])).content.decode()
    assert "存在成立或待处理的异议" in page
