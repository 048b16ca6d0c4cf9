"""Pages, API, search and CLI of the expert pool: contacts hidden from anonymous and unverified users, a Chinese
speciality finds its expert, reviewers see an assignment's exclusions, a demand's page offers related experts."""

import csv
import io
import json
import re

import pytest
from django.core.management import call_command

from techmarket.catalogue.models import Listing
from techmarket.directory.models import Region
from techmarket.experts.services import search
from techmarket.experts.services.assignment import assign
from tests.web.words import english_words, internal_codes

PHONE, EMAIL = "0971-6312345", "wang.lei@example.cn"


@pytest.fixture
def lithium_expert(make_expert, qinghai_university):
    return make_expert("王磊", title="研究员", organisation=qinghai_university, phone=PHONE, email=EMAIL,
                       specialities="盐湖卤水提锂吸附剂研发，碳酸锂制备工艺")


def _text(response) -> str:
    return response.content.decode()


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_search_finds_an_expert_by_a_chinese_speciality(lithium_expert, make_expert):
    make_expert("李娜", fields=["clean-energy.solar"], specialities="光伏组件高原适应性")
    hits = search.search("提锂")
    assert [h.pk for h in hits] == [lithium_expert.pk]
    assert "提锂" in hits[0].words
    assert [h.pk for h in search.search("光伏")] != [lithium_expert.pk]
    # traditional characters are folded like the listings' search
    assert [h.pk for h in search.search("碳酸鋰")] == [lithium_expert.pk]


def test_unverified_experts_are_not_found(make_expert):
    make_expert("赵敏", verified=False, specialities="盐湖提锂")
    assert search.search("提锂") == []


def test_experts_for_text_ranks_for_a_listing(lithium_expert, make_expert):
    make_expert("李娜", fields=["clean-energy.solar"], specialities="光伏组件高原适应性")
    ranked = search.experts_for_text("盐湖卤水中锂资源提取，需要高效提锂吸附剂和碳酸锂工艺", 3)
    assert ranked[0][0] == lithium_expert


@pytest.mark.parametrize("who", ["anonymous", "unverified"])
def test_contacts_hidden_from_anonymous_and_unverified(client, lithium_expert, unverified, who):
    if who == "unverified":
        client.force_login(unverified)
    page = _text(client.get(f"/experts/{lithium_expert.pk}/"))
    assert "王磊" in page and PHONE not in page and EMAIL not in page and "仅向已实名核验的用户显示" in page
    listing = client.get("/experts/?q=提锂")
    assert "王磊" in _text(listing) and PHONE not in _text(listing)
    api = client.get(f"/api/experts/{lithium_expert.pk}").json()
    assert api["contacts"] is None and PHONE not in json.dumps(api, ensure_ascii=False)
    assert client.get("/api/experts?q=提锂").json()["items"][0]["contacts"] is None


def test_contacts_shown_to_verified_users(client, lithium_expert, outsider):
    client.force_login(outsider)
    page = _text(client.get(f"/experts/{lithium_expert.pk}/"))
    assert PHONE in page and EMAIL in page
    assert client.get(f"/api/experts/{lithium_expert.pk}").json()["contacts"] == {"phone": PHONE, "email": EMAIL}


def test_directory_filters_and_words(client, lithium_expert, make_expert):
    make_expert("李娜", fields=["clean-energy.solar"], region="haixi")
    page = _text(client.get("/experts/?field=salt-lake"))
    assert "王磊" in page and "李娜" not in page
    haixi = _text(client.get("/experts/?region=haixi"))
    assert "李娜" in haixi and "王磊" not in haixi
    for path in ("/experts/", f"/experts/{lithium_expert.pk}/"):
        text = visible_text(_text(client.get(path)))
        assert english_words(text) == [] and internal_codes(text) == [], path
    data = client.get("/api/experts?field=salt-lake.lithium").json()
    assert data["count"] == 1 and data["items"][0]["fields"][0]["code"] == "salt-lake.lithium"


def test_pending_profile_hidden_except_from_owner_and_reviewers(client, make_expert, make_user, reviewer):
    pending = make_expert("赵敏", verified=False)
    assert client.get(f"/experts/{pending.pk}/").status_code == 404
    assert client.get(f"/api/experts/{pending.pk}").status_code == 404
    client.force_login(reviewer)
    assert client.get(f"/experts/{pending.pk}/").status_code == 200
    assert "赵敏" in _text(client.get("/experts/review/"))


def test_join_page_registers_and_reviewer_verifies(client, make_user, reviewer):
    user = make_user("new-expert")
    client.force_login(user)
    assert client.get("/experts/join/").status_code == 200
    xining = Region.objects.get(code="xining").pk
    response = client.post("/experts/join/", {
        "name": "陈静", "title": "教授", "organisation": "青海大学", "region": str(xining),
        "fields": ["salt-lake.potash"], "specialities": "钾肥与盐湖化工", "availability": "available",
        "conflict_organisations": "青海民族大学\n某不存在的公司"})
    assert response.status_code == 302
    expert = user.expert_profile
    assert [o.name for o in expert.conflict_organisations.all()] == ["青海民族大学"]
    assert "某不存在的公司" in expert.conflict_notes
    client.force_login(reviewer)
    client.post(f"/experts/{expert.pk}/decide/", {"action": "verify"})
    expert.refresh_from_db()
    assert expert.status == "verified"


def test_join_needs_login(client):
    assert client.get("/experts/join/").status_code == 302


def test_assignment_page_shows_exclusions_to_reviewers_only(client, make_expert, reviewer, member,
                                                            qinghai_university):
    make_expert("同单位专家", organisation=qinghai_university)
    make_expert("外单位专家")
    subject = Listing.objects.filter(kind=Listing.Kind.DEMAND).first()
    item = assign(subject, ["salt-lake.lithium"], 1, organisation_ids=[qinghai_university.pk], seed=1,
                  assigned_by=reviewer)
    client.force_login(member)
    assert client.get(f"/experts/assignments/{item.pk}/").status_code == 403
    client.force_login(reviewer)
    page = _text(client.get(f"/experts/assignments/{item.pk}/"))
    assert "外单位专家" in page and "与申报单位同属青海大学" in page
    assert item.subject_label in _text(client.get("/experts/assignments/"))


def test_demand_page_offers_related_experts(client, lithium_expert):
    demand = Listing.objects.filter(kind=Listing.Kind.DEMAND, status=Listing.Status.PUBLISHED,
                                    description__contains="锂").first()
    page = _text(client.get(demand.get_absolute_url()))
    assert "相关专家" in page and "王磊" in page and PHONE not in page


def test_cli_export_csv_and_xlsx(lithium_expert, tmp_path):
    out = io.StringIO()
    call_command("experts_export", "--format", "csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][1] == "姓名" and rows[1][1] == "王磊" and PHONE not in out.getvalue()
    call_command("experts_export", "--format", "csv", "--contacts", stdout=out)
    assert PHONE in out.getvalue()
    target = tmp_path / "experts.xlsx"
    call_command("experts_export", "--format", "xlsx", "--output", str(target), stderr=io.StringIO())
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    assert sheet.cell(2, 2).value == "王磊"


def test_unknown_expert_is_404_for_reviewers_too(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/experts/999999/").status_code == 404
    assert client.get("/api/experts/999999").status_code == 404
