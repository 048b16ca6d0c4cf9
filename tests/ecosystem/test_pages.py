"""The ecosystem's pages and API: filing through the form, review, the public registers (no identity numbers,
personal contacts only for verified users, Chinese words only), the complaint form, refusals, the export."""

import datetime
import io
import re

import pytest
from django.core.management import call_command

from techmarket.ecosystem.models import Complaint, Institution
from techmarket.ecosystem.services import brokers
from tests.ecosystem.conftest import FOUNDED
from tests.market.conftest import pdf_upload
from tests.web.words import english_words, internal_codes

ID_NUMBER = "630102199001011234"
PHONE = "13912345678"


@pytest.fixture
def broker(reviewer, filed):
    broker = brokers.register_broker(reviewer, brokers.BrokerInput(
        name="张三", id_number=ID_NUMBER, organisation_id=filed.organisation_id, institution_id=filed.pk,
        phone=PHONE))
    brokers.record_training(reviewer, broker, "青海省技术市场管理办公室", datetime.date(2026, 3, 1),
                            datetime.date(2026, 3, 10), "passed", "青技经2026001")
    return broker


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def form_data(**changes):
    data = {"name": "青海大学技术转移中心", "kind": "independent", "founded_on": FOUNDED.isoformat(),
            "services": "技术转让与代理", "business_years": "2", "full_time_staff": "10", "managers_total": "5",
            "managers_college": "4", "st_staff": "6", "case_title_1": "盐湖提锂技术转让",
            "case_file_1": pdf_upload("page case", name="案例.pdf")}
    data.update(changes)
    return data


def test_filing_through_the_form_and_review(client, member, reviewer, today):
    today(FOUNDED + datetime.timedelta(days=31))
    client.force_login(member)
    assert client.get("/ecosystem/institutions/file/").status_code == 200
    response = client.post("/ecosystem/institutions/file/", form_data())
    institution = Institution.objects.get()
    assert response.status_code == 302 and response.url == institution.get_absolute_url()
    page = client.get(response.url)
    assert "逾期 1 日" in text_of(page) and "第二十条所列条件均已满足" in text_of(page)
    assert client.post(f"/ecosystem/institutions/{institution.pk}/approve/").status_code == 403
    client.force_login(reviewer)
    assert institution.name in text_of(client.get("/ecosystem/review/"))
    client.post(f"/ecosystem/institutions/{institution.pk}/approve/")
    institution.refresh_from_db()
    assert institution.status == Institution.Status.FILED
    client.logout()
    assert institution.name in text_of(client.get("/ecosystem/"))


def test_the_form_names_what_is_wrong(client, member, today):
    today(FOUNDED)
    client.force_login(member)
    response = client.post("/ecosystem/institutions/file/", form_data(managers_college="6", case_title_1=""))
    assert response.status_code == 200 and not Institution.objects.exists()
    assert "不能多于管理人员总数" in text_of(response)


def test_a_submitted_filing_is_hidden_from_others(client, member, outsider, today):
    from techmarket.ecosystem.services import institutions
    from tests.ecosystem.conftest import filing

    today(FOUNDED)
    institution = institutions.file_institution(member, filing())
    client.force_login(outsider)
    assert client.get(institution.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(institution.get_absolute_url()).status_code == 404
    assert institution.name not in text_of(client.get("/ecosystem/"))


def test_the_filing_form_and_review_queue_are_refused_to_others(client, outsider, member):
    client.force_login(outsider)
    assert client.get("/ecosystem/institutions/file/").status_code == 403
    assert client.get("/ecosystem/review/").status_code == 403
    client.force_login(member)
    assert client.get("/ecosystem/review/").status_code == 403
    assert client.get("/ecosystem/brokers/new/").status_code == 403
    client.logout()
    assert client.get("/ecosystem/institutions/file/").status_code == 302  # to the log-in page


@pytest.mark.parametrize("path", ["/ecosystem/", "/ecosystem/brokers/", "institution", "broker"])
def test_public_pages_show_no_identity_number_nor_contacts_and_only_chinese(client, broker, filed, path):
    path = {"institution": filed.get_absolute_url(), "broker": broker.get_absolute_url()}.get(path, path)
    response = client.get(path)
    text = text_of(response)
    assert response.status_code == 200 and ID_NUMBER not in text and PHONE not in text
    assert english_words(text) == [] and internal_codes(text) == []


def test_verified_users_see_a_brokers_contacts(client, broker, outsider):
    client.force_login(outsider)
    text = text_of(client.get(broker.get_absolute_url()))
    assert PHONE in text and ID_NUMBER not in text


def test_broker_status_on_a_date_on_its_page(client, broker):
    text = text_of(client.get(broker.get_absolute_url() + "?on=2026-03-09"))
    assert "2026-03-09：未取得资格" in text
    assert "2026-03-10：资格有效" in text_of(client.get(broker.get_absolute_url() + "?on=2026-03-10"))


def test_complaint_form_and_decision(client, filed, outsider, reviewer):
    client.force_login(outsider)
    url = f"/ecosystem/complain/?target=institution&key={filed.pk}"
    assert filed.name in text_of(client.get(url))
    response = client.post(url, {"behaviour": "false-information", "description": "虚构成功案例。"})
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == complaint.get_absolute_url()
    assert client.post(f"/ecosystem/complaints/{complaint.pk}/decide/", {"decision": "dismiss"}).status_code == 403
    client.force_login(reviewer)
    client.post(f"/ecosystem/complaints/{complaint.pk}/decide/", {
        "decision": "sanction", "kind": "suspension", "starts_on": "2026-06-01", "ends_on": "2026-08-31",
        "reason": "经调查属实。"})
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.SANCTIONED
    client.logout()
    assert "暂停" in text_of(client.get(filed.get_absolute_url()))


def test_a_complaint_is_seen_by_its_reporter_and_reviewers_only(client, filed, outsider, member):
    client.force_login(outsider)
    client.post(f"/ecosystem/complain/?target=institution&key={filed.pk}",
                {"behaviour": "other", "description": "疑问。"})
    complaint = Complaint.objects.get()
    client.force_login(member)
    assert client.get(complaint.get_absolute_url()).status_code == 404


def test_api_registers(client, broker, filed, outsider):
    data = client.get("/api/ecosystem/institutions").json()
    assert data["count"] == 1 and data["items"][0]["name"] == filed.name
    assert client.get(f"/api/ecosystem/institutions/{filed.pk}").json()["annual"] == []
    brokers_data = client.get("/api/ecosystem/brokers?on=2026-03-09").json()
    assert brokers_data["items"][0]["status"] == "none"
    item = client.get(f"/api/ecosystem/brokers/{broker.pk}").json()
    assert item["status"] == "qualified" and "phone" not in item and ID_NUMBER not in str(item)
    client.force_login(outsider)
    assert client.get(f"/api/ecosystem/brokers/{broker.pk}").json()["phone"] == PHONE
    assert client.get("/api/ecosystem/brokers/999999").status_code == 404


def test_export_register(broker, filed, tmp_path):
    from openpyxl import load_workbook

    csv_file = tmp_path / "经纪人.csv"
    call_command("export_register", "brokers", "--out", str(csv_file), stdout=io.StringIO())
    text = csv_file.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("姓名,所在单位") and "张三" in text
    assert ID_NUMBER not in text and PHONE not in text
    target = tmp_path / "机构.xlsx"
    call_command("export_register", "institutions", "--format", "xlsx", "--out", str(target), stdout=io.StringIO())
    assert load_workbook(target).active["A2"].value == filed.name
