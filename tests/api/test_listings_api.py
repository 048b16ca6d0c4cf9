"""The listings API: reading, the contacts privacy rule, filters, pagination, writes and transitions."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils.crypto import get_random_string

from techmarket.catalogue.models import Field, Listing, ListingAction
from techmarket.common.audit import history_for
from techmarket.directory.models import Organisation, Person
from tests.seed_counts import LISTINGS, OFFERS

pytestmark = pytest.mark.django_db

DRAFT = {
    "kind": "demand",
    "title": "盐湖卤水提锂吸附剂中试放大",
    "description": "需要联合研发高选择性铝系吸附剂，开展卤水提锂中试放大试验。",
    "modes": ["joint-rd", "pilot"],
    "trl": 4,
    "budget_wan": "120.50",
    "valid_until": "2030-12-31",
}


def person_details() -> set[str]:
    values = set()
    for phones, emails in Person.objects.values_list("phones", "emails"):
        values.update(phones)
        values.update(emails)
    return values


def post_json(client, url, data, method="post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def listing_with_contacts() -> Listing:
    return Listing.objects.filter(contact_links__person__phones__isnull=False).exclude(
        contact_links__isnull=True).distinct().first()


@pytest.fixture
def draft(login, member):
    response = post_json(login(member), "/api/listings", DRAFT)
    assert response.status_code == 201, response.content
    return Listing.objects.get(reference=response.json()["reference"])


# --- Reading and privacy -------------------------------------------------------------------------------


def test_anonymous_reads_of_every_listing_contain_no_person_contact(client):
    details = person_details()
    assert len(details) > 100  # the seed has phones and e-mails to leak
    references = list(Listing.objects.values_list("reference", flat=True))
    assert len(references) == LISTINGS
    bodies = []
    for reference in references:
        response = client.get(f"/api/listings/{reference}")
        assert response.status_code == 200, reference
        data = response.json()
        assert data["reference"] == reference
        assert data["contacts"] is None and data["contacts_raw"] is None
        bodies.append(response.content.decode())
    for offset in (0, 100):
        response = client.get("/api/listings", {"limit": 100, "offset": offset})
        assert response.status_code == 200
        bodies.append(response.content.decode())
    leaked = {value for value in details for body in bodies if value in body}
    assert not leaked


def test_listing_detail_fields(client):
    listing = Listing.objects.filter(field__parent__isnull=False, modes__isnull=False).first()
    data = client.get(f"/api/listings/{listing.reference}").json()
    assert data["title"] == listing.title
    assert data["kind_label"] == listing.get_kind_display()
    assert data["field"]["code"] == listing.field.code
    assert data["field"]["parent"]["code"] == listing.field.parent.code
    assert {m["code"] for m in data["modes"]} == set(listing.modes.values_list("code", flat=True))
    assert [o["id"] for o in data["organisations"]] == list(
        listing.organisation_links.values_list("organisation_id", flat=True))
    assert data["provenance"]["section"] == listing.source_section
    assert data["url"].endswith(f"/listings/{listing.reference}/")


def test_verified_member_gets_contacts(login, member):
    listing = listing_with_contacts()
    data = login(member).get(f"/api/listings/{listing.reference}").json()
    expected = [{"name": link.person.name, "phones": link.person.phones, "emails": link.person.emails}
                for link in listing.contact_links.select_related("person")]
    assert data["contacts"] == expected and expected
    assert data["contacts_raw"] is None  # the raw cell is for reviewers only


def test_unverified_user_gets_no_contacts(login, unverified):
    listing = listing_with_contacts()
    response = login(unverified).get(f"/api/listings/{listing.reference}")
    assert response.json()["contacts"] is None
    assert not any(value in response.content.decode() for value in person_details())
    listed = login(unverified).get("/api/listings", {"limit": 100}).json()
    assert all(item["contacts"] is None and item["contacts_raw"] is None for item in listed["items"])


def test_reviewer_gets_raw_contact_cell(login, reviewer):
    listing = listing_with_contacts()
    data = login(reviewer).get(f"/api/listings/{listing.reference}").json()
    assert data["contacts_raw"] == listing.contacts_raw
    assert data["contacts"]


def test_unknown_reference_is_a_json_404(client):
    for reference in ("innovation/nothing/999", "nope", "a%00b"):
        response = client.get(f"/api/listings/{reference}")
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到该条目，或您无权查看。"}


def test_drafts_are_visible_only_to_their_organisation_and_reviewers(draft, login, outsider, reviewer):
    url = f"/api/listings/{draft.reference}"
    assert Client().get(url).status_code == 404  # `login` logs in the `client` fixture: a fresh client
    assert Client().get("/api/listings", {"status": "draft"}).json()["count"] == 0
    assert login(outsider).get(url).status_code == 404
    assert login(reviewer).get(url).json()["status"] == "draft"


# --- Filters and pagination ----------------------------------------------------------------------------


def test_kind_filter(client):
    data = client.get("/api/listings", {"kind": "offer", "limit": 100}).json()
    assert data["count"] == OFFERS
    assert len(data["items"]) == OFFERS
    assert {item["kind"] for item in data["items"]} == {"offer"}


def test_field_filter_covers_the_areas_of_a_field(client):
    data = client.get("/api/listings", {"field": "salt-lake", "limit": 100}).json()
    expected = Listing.objects.filter(field__parent__code="salt-lake").count()
    assert data["count"] == expected > 0
    assert {item["field"]["parent"]["code"] for item in data["items"]} == {"salt-lake"}
    areas = Field.objects.filter(parent__code="salt-lake").values_list("code", flat=True)
    per_area = sum(client.get("/api/listings", {"field": code}).json()["count"] for code in areas)
    assert per_area == expected


def test_other_filters_and_sort(client, qinghai_university):
    data = client.get("/api/listings", {"organisation": qinghai_university.pk, "limit": 100}).json()
    assert data["count"] > 0
    assert all(any(o["id"] == qinghai_university.pk for o in item["organisations"]) for item in data["items"])
    assert client.get("/api/listings", {"q": "锂"}).json()["count"] > 0
    graded = client.get("/api/listings", {"grade": "A", "limit": 100}).json()
    assert {item["grade"] for item in graded["items"]} <= {"A"}
    titles = [i["title"] for i in client.get("/api/listings", {"sort": "title", "limit": 100}).json()["items"]]
    assert titles == sorted(titles)
    assert client.get("/api/listings", {"field": "no-such-field"}).json()["count"] == 0


def test_pagination(client):
    first = client.get("/api/listings").json()
    assert first["count"] == LISTINGS and first["limit"] == 20 and first["offset"] == 0
    assert len(first["items"]) == 20
    last = client.get("/api/listings", {"limit": 10, "offset": LISTINGS - 7}).json()
    assert last["count"] == LISTINGS and len(last["items"]) == 7
    seen = []
    for offset in range(0, LISTINGS, 50):
        seen += [item["reference"] for item in client.get("/api/listings", {"limit": 50, "offset": offset})
                 .json()["items"]]
    assert len(seen) == len(set(seen)) == LISTINGS


@pytest.mark.parametrize("params", [
    {"kind": "bogus"}, {"status": "secret"}, {"grade": "Z"}, {"sort": "-id"}, {"organisation": "abc"},
    {"organisation": "9" * 30}, {"organisation": 0}, {"limit": 0}, {"limit": 101}, {"offset": -1},
    {"offset": "9" * 30}, {"q": "x" * 101}, {"q": "a\x00b"}, {"field": "salt lake;drop"},
])
def test_bad_query_parameters_are_422(client, params):
    response = client.get("/api/listings", params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_stats(client):
    data = client.get("/api/stats").json()
    assert data["total"] == LISTINGS
    assert {row["code"]: row["count"] for row in data["by_kind"]}["offer"] == OFFERS
    assert sum(row["count"] for row in data["by_kind"]) == LISTINGS


# --- Writes --------------------------------------------------------------------------------------------


def test_anonymous_writes_are_401(client):
    listing = Listing.objects.first()
    responses = [
        post_json(client, "/api/listings", DRAFT),
        post_json(client, f"/api/listings/{listing.reference}", {"title": "x"}, method="patch"),
        post_json(client, f"/api/listings/{listing.reference}", DRAFT, method="put"),
        post_json(client, f"/api/listings/{listing.reference}/transitions", {"to_status": "withdrawn"}),
    ]
    for response in responses:
        assert response.status_code == 401
        assert response.json() == {"detail": "请先登录。"}
    assert Listing.objects.count() == LISTINGS


@pytest.mark.parametrize("who", ["unverified", "outsider"])
def test_users_who_cannot_submit_get_403(request, login, who):
    client = login(request.getfixturevalue(who))
    response = post_json(client, "/api/listings", DRAFT)
    assert response.status_code == 403
    assert "发布需求或成果" in response.json()["detail"]  # the service's reason, in Chinese
    assert Listing.objects.count() == LISTINGS


def test_unverified_member_cannot_edit_own_organisation_listing(login, unverified, qinghai_university):
    listing = Listing.objects.filter(owner=qinghai_university).first()
    response = post_json(login(unverified), f"/api/listings/{listing.reference}", {"title": "改"}, method="patch")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有发布单位的已核验成员可以修改此条目。"


def test_member_creates_a_draft(draft, member, qinghai_university):
    assert draft.status == Listing.Status.DRAFT
    assert draft.owner == qinghai_university and draft.created_by == member
    assert draft.reference == f"user/{draft.pk}"
    assert draft.trl == 4 and str(draft.budget_wan) == "120.50"
    assert set(draft.modes.values_list("code", flat=True)) == {"joint-rd", "pilot"}
    assert draft.field is not None  # classified automatically


def test_create_returns_the_listing(login, member):
    data = post_json(login(member), "/api/listings", {**DRAFT, "field": "salt-lake.lithium"}).json()
    assert data["status"] == "draft" and data["field"]["code"] == "salt-lake.lithium"
    assert data["budget_wan"] == 120.5
    assert data["organisations"][0]["name"] == "青海大学"
    assert data["contacts"] == []


def test_member_edits_own_draft(login, member, draft):
    client = login(member)
    url = f"/api/listings/{draft.reference}"
    response = post_json(client, url, {"title": "  新的名称  ", "trl": 6}, method="patch")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["title"] == "新的名称" and data["trl"] == 6
    assert data["description"] == DRAFT["description"]  # untouched by a partial edit
    assert {m["code"] for m in data["modes"]} == {"joint-rd", "pilot"}
    response = post_json(client, url, {**DRAFT, "kind": "offer", "modes": ["transfer"], "trl": None}, method="put")
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.kind == "offer" and draft.trl is None and draft.title == DRAFT["title"]
    assert history_for(draft).filter(action=ListingAction.EDIT).count() == 2


def test_member_edits_own_organisation_seed_listing(login, member, qinghai_university):
    listing = Listing.objects.filter(owner=qinghai_university).first()
    response = post_json(login(member), f"/api/listings/{listing.reference}", {"budget_wan": 50}, method="patch")
    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.budget_wan == 50


def test_member_cannot_edit_another_organisations_listing(login, member, qinghai_university):
    listing = Listing.objects.exclude(owner=qinghai_university).exclude(owner__isnull=True).first()
    title = listing.title
    for method, body in (("patch", {"title": "篡改"}), ("put", DRAFT)):
        response = post_json(login(member), f"/api/listings/{listing.reference}", body, method=method)
        assert response.status_code == 403
        assert response.json() == {"detail": "只有发布单位的已核验成员可以修改此条目。"}
    listing.refresh_from_db()
    assert listing.title == title


def test_member_cannot_see_or_edit_another_organisations_draft(login, make_user, member, qinghai_university):
    other = make_user("other", organisation=Organisation.objects.exclude(pk=qinghai_university.pk).first())
    reference = post_json(login(other), "/api/listings", DRAFT).json()["reference"]
    response = post_json(login(member), f"/api/listings/{reference}", {"title": "篡改"}, method="patch")
    assert response.status_code == 404


def test_reviewer_edits_any_listing(login, reviewer, qinghai_university):
    listing = Listing.objects.exclude(owner=qinghai_university).first()
    response = post_json(login(reviewer), f"/api/listings/{listing.reference}", {"title": "审核修改"},
                         method="patch")
    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.title == "审核修改"


@pytest.mark.parametrize("change", [
    {"kind": "bogus"}, {"trl": 12}, {"trl": 0}, {"trl": "high"}, {"title": ""}, {"title": "   "},
    {"title": "x" * 301}, {"title": None}, {"description": "a\x00b"}, {"budget_wan": "NaN"},
    {"budget_wan": -1}, {"budget_wan": "1.234"}, {"budget_wan": "1" * 20}, {"valid_until": "2030-13-01"},
    {"modes": ["no-such-mode"]}, {"modes": "joint-rd"}, {"field": "salt-lake"}, {"field": "nope"},
    # Bounds (issue 9): sizes, control and bidi characters, budgets, validity dates.
    {"description": "a" * 1_100_000}, {"description": "字" * 20001}, {"title": "盐湖\u202egpj.exe"},
    {"title": "盐湖\n提锂"}, {"title": "\x07响铃"}, {"description": "正文\u2067隔离"}, {"description": "\x1b[2J"},
    {"budget_wan": 999999999}, {"budget_wan": "10000000.01"}, {"budget_wan": "99999999999999999999999"},
    {"valid_until": "9999-12-31"}, {"valid_until": "1984-12-31"}, {"valid_until": "2099-01-01"},
])
def test_bad_listing_bodies_are_422(login, member, draft, change):
    client = login(member)
    assert post_json(client, "/api/listings", {**DRAFT, **change}).status_code == 422
    response = post_json(client, f"/api/listings/{draft.reference}", change, method="patch")
    assert response.status_code == 422
    assert response.json()["detail"]
    assert Listing.objects.count() == LISTINGS + 1  # the seed and the draft


def test_missing_fields_and_malformed_json(login, member):
    client = login(member)
    assert post_json(client, "/api/listings", {"kind": "demand"}).status_code == 422
    response = client.post("/api/listings", data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_csrf_is_required_for_session_writes(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = post_json(client, "/api/listings", DRAFT)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    response = client.post("/api/listings", data=json.dumps(DRAFT), content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201


# --- Transitions ---------------------------------------------------------------------------------------


def test_member_submits_own_draft_and_reviewer_publishes(login, member, reviewer, draft):
    url = f"/api/listings/{draft.reference}/transitions"
    response = post_json(login(member), url, {"to_status": "submitted"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    event = history_for(draft).filter(action=ListingAction.TRANSITION).last()
    assert (event.from_value, event.to_value, event.actor) == ("draft", "submitted", member)

    response = post_json(login(member), url, {"to_status": "published"})
    assert response.status_code == 403  # the lifecycle allows the step, but not to a member
    assert response.json() == {"detail": "只有省科技厅审核人员可以审核发布或退回。"}

    response = post_json(login(reviewer), url, {"to_status": "published"})
    assert response.status_code == 200
    assert response.json()["status"] == "published" and response.json()["published_at"]


def test_illegal_transition_is_400_and_changes_nothing(login, member, draft):
    events = history_for(draft).count()
    response = post_json(login(member), f"/api/listings/{draft.reference}/transitions", {"to_status": "published"})
    assert response.status_code == 400
    assert response.json() == {"detail": "“草稿”状态的条目不能变更为“已发布”。"}
    draft.refresh_from_db()
    assert draft.status == Listing.Status.DRAFT
    assert history_for(draft).count() == events


def test_withdrawal_needs_a_reason(login, member, draft):
    url = f"/api/listings/{draft.reference}/transitions"
    response = post_json(login(member), url, {"to_status": "withdrawn", "reason": "  "})
    assert response.status_code == 400
    assert response.json() == {"detail": "请填写原因。"}
    response = post_json(login(member), url, {"to_status": "withdrawn", "reason": "项目已由其他单位承担"})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_transition_of_another_organisations_listing_is_403(login, member, qinghai_university):
    """issue 9: a non-owner's transition answered 400 where this document says 403."""
    listing = Listing.objects.exclude(owner=qinghai_university).first()
    response = post_json(login(member), f"/api/listings/{listing.reference}/transitions",
                         {"to_status": "withdrawn", "reason": "试试"})
    assert response.status_code == 403
    assert response.json() == {"detail": "只有发布单位的已核验成员或审核人员可以执行此操作。"}
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED


@pytest.mark.parametrize("body", [{"to_status": "gone"}, {}, {"to_status": "submitted", "valid_until": "soon"}])
def test_bad_transition_bodies_are_422(login, member, draft, body):
    response = post_json(login(member), f"/api/listings/{draft.reference}/transitions", body)
    assert response.status_code == 422


def test_transition_of_unknown_listing_is_404(login, member):
    response = post_json(login(member), "/api/listings/no/such/1/transitions", {"to_status": "submitted"})
    assert response.status_code == 404


# --- Documentation -------------------------------------------------------------------------------------


def test_openapi_schema_lists_the_paths(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"] == {**schema["info"], "title": "青海科技开放合作平台 API", "version": "1"}
    assert {"/api/listings", "/api/listings/{reference}", "/api/listings/{reference}/transitions",
            "/api/organisations", "/api/organisations/{organisation_id}", "/api/stats"} <= set(schema["paths"])
    assert {"get", "put", "patch"} <= set(schema["paths"]["/api/listings/{reference}"])
    listing_schema = schema["components"]["schemas"]["ListingOut"]["properties"]
    assert "contacts" in listing_schema and "reference" in listing_schema


def test_docs_page_uses_bundled_swagger_ui(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(asset)


# --- Bounds (issue 9) ------------------------------------------------------------------------------------


def test_out_of_bounds_values_are_422_with_a_chinese_message_naming_the_limit(login, member, draft):
    client = login(member)
    cases = {
        "valid_until": ({"valid_until": "9999-12-31"}, "有效期最长为 10 年"),
        "title": ({"title": "盐湖\u202e提锂"}, "控制字符"),
        "description": ({"description": "字" * 20001}, "20000"),
        "budget_wan": ({"budget_wan": "999999999"}, "预算须在 0 到 10,000,000 万元之间"),
    }
    for field, (change, words) in cases.items():
        for response in (post_json(client, "/api/listings", {**DRAFT, **change}),
                         post_json(client, f"/api/listings/{draft.reference}", change, method="patch")):
            assert response.status_code == 422, (field, response.content)
            assert words in response.content.decode(), (field, response.content.decode())
    draft.refresh_from_db()
    assert draft.title == DRAFT["title"] and str(draft.budget_wan) == DRAFT["budget_wan"]


def test_a_patch_may_keep_an_unchanged_validity_date(login, member, draft):
    response = post_json(login(member), f"/api/listings/{draft.reference}",
                         {"valid_until": DRAFT["valid_until"], "title": "新名称"}, method="patch")
    assert response.status_code == 200
    assert response.json()["valid_until"] == DRAFT["valid_until"]


def test_limit_values_are_accepted_and_read_back_exactly(login, member):
    from decimal import Decimal

    from techmarket.common.bounds import latest_validity

    client = login(member)
    last_day = latest_validity().isoformat()
    body = {**DRAFT, "title": "名" * 300, "description": "字" * 20000, "budget_wan": "10000000.00",
            "valid_until": last_day}
    response = post_json(client, "/api/listings", body)
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    listing = Listing.objects.get(reference=reference)
    assert listing.budget_wan == Decimal("10000000.00") and listing.valid_until.isoformat() == last_day
    assert listing.title == body["title"] and listing.description == body["description"]
    read = client.get(f"/api/listings/{reference}").json()
    assert read["budget_wan"] == 10000000.0 and read["valid_until"] == last_day
    assert client.get(listing.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("body, words", [
    ({"to_status": "withdrawn", "reason": "不再需要\u202e"}, "控制字符"),
    ({"to_status": "submitted", "valid_until": "9999-12-31"}, "有效期最长为 10 年"),
])
def test_out_of_bounds_transitions_are_422_and_change_nothing(login, member, draft, body, words):
    response = post_json(login(member), f"/api/listings/{draft.reference}/transitions", body)
    assert response.status_code == 422
    assert words in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Listing.Status.DRAFT and str(draft.valid_until) == DRAFT["valid_until"]
