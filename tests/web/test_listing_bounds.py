"""Bounds on what a listing may say, through the web forms: sizes, control and bidi characters, budgets,
validity dates, and cooperation-mode ids that would overflow the database (issue 9)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from techmarket.catalogue.models import CooperationMode, Listing
from techmarket.catalogue.services.grading import IMPLAUSIBLE_BUDGET_NOTE
from techmarket.catalogue.services.lifecycle import transition
from techmarket.catalogue.services.listings import ListingInput, create_listing
from techmarket.common.bounds import BUDGET_MESSAGE, TEXT_MESSAGE, latest_validity

pytestmark = pytest.mark.django_db

S = Listing.Status
TODAY = timezone.localdate()
CREATE_URL = reverse("listing-create")
TEN_YEARS = latest_validity(TODAY)
RLO = "\u202e"


def form_data(**overrides) -> dict:
    data = {
        "kind": "demand", "title": "柴达木枸杞深加工关键技术研究",
        "description": "开发枸杞多糖提取与枸杞原浆加工工艺。",
        "modes": [str(CooperationMode.objects.get(code="joint-rd").pk)],
        "field": "", "trl": "", "budget_wan": "", "valid_until": "",
    }
    return data | overrides


def page(response) -> str:
    return response.content.decode()


def assert_refused(response, message: str, before: int) -> None:
    assert response.status_code == 200
    assert message in page(response), page(response)[:2000]
    assert "请根据提示修改后再保存" in page(response)
    assert Listing.objects.count() == before


@pytest.fixture
def draft(member):
    return create_listing(member, ListingInput(
        kind="offer", title="高原草地生态修复技术", description="退化草地修复技术转让。",
        modes=[CooperationMode.objects.get(code="transfer")],
    ))


# --- Submission form ----------------------------------------------------------------------------------


@pytest.mark.parametrize("overrides, message", [
    # Once a 500 on SQLite ("Python int too large to convert to SQLite INTEGER").
    ({"modes": ["99999999999999999999999"]}, "“99999999999999999999999”不是可选的合作方式。"),
    ({"modes": ["-1"]}, "“-1”不是可选的合作方式。"),
    ({"modes": ["１"]}, "不是可选的合作方式。"),  # a full-width digit
    ({"modes": ["9223372036854775807"]}, "不是可选的合作方式。"),  # the largest id: valid, but no such mode
    ({"description": "a" * 1_100_000}, "主要内容最多 20000 个字（现有 1100000 个）。"),  # 1.1 MB
    ({"description": "字" * 20001}, "主要内容最多 20000 个字（现有 20001 个）。"),
    ({"title": "名" * 301}, "项目名称最多 300 个字（现有 301 个）。"),
    ({"title": f"盐湖提锂{RLO}gpj.exe"}, TEXT_MESSAGE),
    ({"title": "盐湖\u2066提锂"}, TEXT_MESSAGE),
    ({"title": "盐湖\x07提锂"}, TEXT_MESSAGE),
    ({"title": "盐湖\n提锂"}, "此处只能填写一行文字。"),
    ({"description": f"正文{RLO}反向"}, TEXT_MESSAGE),
    ({"description": "正文\x1b[31m"}, TEXT_MESSAGE),
    ({"budget_wan": "999999999"}, BUDGET_MESSAGE),
    ({"budget_wan": "10000000.01"}, BUDGET_MESSAGE),
    ({"budget_wan": "99999999999999999999999"}, BUDGET_MESSAGE),
    ({"budget_wan": "1.234"}, BUDGET_MESSAGE),
    ({"valid_until": "9999-12-31"}, "有效期最长为 10 年。"),
    ({"valid_until": str(TEN_YEARS + datetime.timedelta(days=1))}, "有效期最长为 10 年。"),
    ({"valid_until": "1984-12-31"}, "有效期须晚于今天。"),
])
def test_out_of_bounds_submissions_are_form_errors(login, member, overrides, message):
    before = Listing.objects.count()
    response = login(member).post(CREATE_URL, form_data(**overrides))
    assert_refused(response, message, before)


def test_values_at_the_limits_are_accepted_and_read_back_exactly(login, member, client):
    title, description = "名" * 300, "字" * 20000
    response = login(member).post(CREATE_URL, form_data(
        title=title, description=description, budget_wan="10000000.00", valid_until=str(TEN_YEARS),
    ))
    assert response.status_code == 302
    listing = Listing.objects.get(title=title)
    assert listing.description == description
    assert listing.budget_wan == Decimal("10000000.00") and str(listing.budget_wan) == "10000000.00"
    assert listing.valid_until == TEN_YEARS
    for url in (listing.get_absolute_url(), reverse("listing-edit", args=[listing.reference]), reverse("my-listings")):
        assert client.get(url).status_code == 200
    assert "10000000 万元" in page(client.get(listing.get_absolute_url()))
    api = client.get(f"/api/listings/{listing.reference}")
    assert api.status_code == 200 and api.json()["budget_wan"] == 10000000.0


def test_a_budget_with_cents_reads_back_exactly(login, member):
    client = login(member)
    client.post(CREATE_URL, form_data(title="预算精度", budget_wan="9999999.99"))
    listing = Listing.objects.get(title="预算精度")
    assert listing.budget_wan == Decimal("9999999.99")
    assert "9999999.99 万元" in page(client.get(listing.get_absolute_url()))


# --- Edit form ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("overrides, message", [
    ({"valid_until": "9999-12-31"}, "有效期最长为 10 年。"),
    ({"description": "字" * 20001}, "主要内容最多 20000 个字"),
    ({"title": f"{RLO}名称"}, TEXT_MESSAGE),
    ({"budget_wan": "999999999"}, BUDGET_MESSAGE),
    ({"modes": ["99999999999999999999999"]}, "不是可选的合作方式。"),
])
def test_out_of_bounds_edits_are_form_errors_and_change_nothing(login, member, draft, overrides, message):
    response = login(member).post(reverse("listing-edit", args=[draft.reference]), form_data(**overrides))
    assert response.status_code == 200
    assert message in page(response)
    fresh = Listing.objects.get(pk=draft.pk)
    assert (fresh.title, fresh.description, fresh.valid_until, fresh.budget_wan) == (
        draft.title, draft.description, draft.valid_until, draft.budget_wan)
    assert fresh.updated_at == draft.updated_at


# --- Review: approval, rejection; renewal ---------------------------------------------------------------


@pytest.fixture
def submitted(member, draft):
    return transition(draft, S.SUBMITTED, user=member)


def test_approval_beyond_ten_years_is_refused(login, reviewer, submitted):
    url = reverse("review-listing", args=[submitted.reference])
    response = login(reviewer).post(url, {"action": "approve", "approve-valid_until": "9999-12-31"})
    assert response.status_code == 200
    assert "有效期最长为 10 年。" in page(response)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED and submitted.valid_until is None


def test_approval_at_ten_years_is_accepted(login, reviewer, submitted):
    url = reverse("review-listing", args=[submitted.reference])
    response = login(reviewer).post(url, {"action": "approve", "approve-valid_until": str(TEN_YEARS)})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.PUBLISHED and submitted.valid_until == TEN_YEARS


def test_a_rejection_reason_with_bidi_characters_is_refused(login, reviewer, submitted):
    url = reverse("review-listing", args=[submitted.reference])
    response = login(reviewer).post(url, {"action": "reject", "reject-reason": f"材料不全{RLO}"})
    assert response.status_code == 200
    assert TEXT_MESSAGE in page(response)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


@pytest.fixture
def expired(member, reviewer, submitted):
    listing = transition(submitted, S.PUBLISHED, user=reviewer, valid_until=TODAY + datetime.timedelta(days=1))
    return transition(listing, S.EXPIRED, system_label="expiry")


@pytest.mark.parametrize("valid_until, message", [
    ("9999-12-31", "有效期最长为 10 年。"),
    (str(TEN_YEARS + datetime.timedelta(days=1)), "有效期最长为 10 年。"),
    ("1984-01-01", "有效期须晚于今天。"),
])
def test_renewal_beyond_ten_years_is_refused(login, member, expired, valid_until, message):
    client = login(member)
    response = client.post(reverse("listing-transition", args=[expired.reference]),
                           {"to_status": S.PUBLISHED, "valid_until": valid_until}, follow=True)
    assert response.status_code == 200
    assert message in page(response)
    expired.refresh_from_db()
    assert expired.status == S.EXPIRED


def test_renewal_within_ten_years_is_accepted(login, member, expired):
    response = login(member).post(reverse("listing-transition", args=[expired.reference]),
                                  {"to_status": S.PUBLISHED, "valid_until": str(TEN_YEARS)})
    assert response.status_code == 302
    expired.refresh_from_db()
    assert expired.status == S.PUBLISHED and expired.valid_until == TEN_YEARS


def test_a_withdrawal_reason_with_control_characters_is_refused(login, member, draft):
    response = login(member).post(reverse("listing-transition", args=[draft.reference]),
                                  {"to_status": S.WITHDRAWN, "reason": "不再需要\x00\x1b"}, follow=True)
    assert response.status_code == 200
    assert TEXT_MESSAGE in page(response)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


# --- Grading ---------------------------------------------------------------------------------------------


def _grade_of(client, title: str, budget: str) -> Listing:
    response = client.post(CREATE_URL, form_data(title=title, budget_wan=budget))
    assert response.status_code == 302
    return Listing.objects.get(title=title)


def test_an_implausible_budget_never_raises_the_grade(login, member, reviewer, client):
    member_client = login(member)
    none = _grade_of(member_client, "无预算", "")
    plausible = _grade_of(member_client, "预算五千万元", "5000")
    implausible = _grade_of(member_client, "预算一千亿元", "10000000")

    def codes(listing):
        return {c["code"] for c in listing.grade_basis["criteria"]}

    assert "scale" in codes(plausible) and plausible.grade_basis["score"] == none.grade_basis["score"] + 1
    assert "scale" not in codes(implausible)
    assert implausible.grade == none.grade and implausible.grade_basis["score"] == none.grade_basis["score"]
    assert implausible.grade_basis["notes"] == [IMPLAUSIBLE_BUDGET_NOTE]

    client.force_login(reviewer)
    response = client.get(reverse("review-listing", args=[implausible.reference]))
    assert response.status_code == 200 and IMPLAUSIBLE_BUDGET_NOTE in page(response)
