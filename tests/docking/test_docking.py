"""Export feeds for the national and partner platforms (issue 21): the registered-contracts file, the open feed
(JSON against the published schema, RSS), incremental and complete, no personal contact, and the re-import into a
fresh database without loss of any exported field."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema_rs
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services.lifecycle import transition
from techmarket.directory.models import Person
from techmarket.docking.models import DockedRecord
from techmarket.docking.services import contracts, mapping, openfeed, reimport
from techmarket.docking.services.contracts import FileRefused
from tests.docking.conftest import CONTACT_EMAIL, CONTACT_NAME, CONTACT_PHONE, LANDLINE

pytestmark = pytest.mark.django_db

SCHEMA_FILE = Path(settings.BASE_DIR).parents[1] / "docs" / "schemas" / "open-feed.schema.json"
PERSONAL = (CONTACT_NAME, CONTACT_PHONE, CONTACT_EMAIL, LANDLINE, "13900001111", "13800002222", "李老师")


def personal_details() -> set[str]:
    """Every phone and e-mail of every person on the platform (the seed's contacts among them)."""
    details = set()
    for phones, emails in Person.objects.values_list("phones", "emails"):
        details.update(str(value) for value in [*phones, *emails] if len(str(value)) >= 7)
    return details


def assert_no_contacts(text: str) -> None:
    for value in PERSONAL:
        assert value not in text
    leaked = [value for value in personal_details() if value in text]
    assert not leaked


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --- The registered-contracts file ----------------------------------------------------------------------------

def test_the_contracts_file_has_the_mapped_columns_and_each_registered_contract(registered_in, make_user):
    registration = registered_in("haixi", "500000")
    data = contracts.export_csv()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, as the mapping says
    [row] = csv_rows(data)
    assert list(row) == [c.column for c in mapping.mapping().columns]
    assert row["登记号"] == registration.number
    assert row["登记日期"] == registration.registered_on.isoformat()
    assert row["合同类别"] == "技术转让"  # the mapping's words, not the platform's code
    assert row["认定技术交易额（元）"] == "500000.00"
    assert row["卖方名称"] == "haixi测试科技有限公司500000" and row["卖方所在地"] == "省内"
    assert row["买方名称"] == "haixi买方有限公司500000" and row["登记方"] == "haixi测试科技有限公司500000"
    assert row["经平台成交"] in ("是", "否")
    assert "seller-haixi-500000" not in data.decode("utf-8-sig")  # the applicant (a person) is not in it
    assert_no_contacts(data.decode("utf-8-sig"))
    # Since a later day: none; up to the registration day: this one.
    later = registration.registered_on + datetime.timedelta(days=1)
    assert csv_rows(contracts.export_csv(start=later)) == []
    assert len(csv_rows(contracts.export_csv(end=registration.registered_on))) == 1


CONTRACTS_SCHEMA_FILE = SCHEMA_FILE.parent / "contract-registration.schema.json"


def test_every_row_validates_against_the_published_contracts_schema(registered_in, client):
    registered_in("haixi", "500000")
    registered_in("haidong", "250000.50")
    schema = json.loads(CONTRACTS_SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema == contracts.schema()  # the file is the mapping's (docking_export schemas --out docs/schemas)
    assert client.get("/open/contract-registration.schema.json").json() == schema
    validator = jsonschema_rs.validator_for(schema)
    rows = csv_rows(contracts.export_csv())
    assert len(rows) == 2
    for row in rows:
        assert [error.message for error in validator.iter_errors(row)] == []
    assert not validator.is_valid({**rows[0], "认定技术交易额（元）": "500000"})  # two decimals
    assert not validator.is_valid({**rows[0], "合同类别": "transfer"})  # the mapping's words, not codes
    assert not validator.is_valid({**rows[0], "联系电话": CONTACT_PHONE})  # no other column


def test_changing_the_mapping_file_changes_the_file(registered_in, settings, tmp_path):
    registered_in("haixi")
    text = mapping.path().read_text(encoding="utf-8").replace("{column: 登记号,", "{column: 合同登记编号,")
    (tmp_path / "docking").mkdir()
    (tmp_path / "docking" / "contract-registration.yaml").write_text(text, encoding="utf-8")
    settings.TECHMARKET_DATA_FILES = str(tmp_path)
    mapping.mapping.cache_clear()
    try:
        [row] = csv_rows(contracts.export_csv())
        assert "合同登记编号" in row and "登记号" not in row
    finally:
        mapping.mapping.cache_clear()


def test_a_mapping_writing_two_codes_the_same_way_is_refused():
    with pytest.raises(ValueError, match="two codes"):
        mapping.Column(column="x", source="status", type="text", values={"registered": "登记", "changed": "登记"})


# --- The open feed ----------------------------------------------------------------------------------------------

def test_the_published_schema_is_the_feed_models_schema():
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == openfeed.schema()


def test_the_complete_feed_validates_against_the_schema_and_has_no_personal_contact(answered, published):
    data = openfeed.as_json(openfeed.build())
    document = json.loads(data)
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    errors = [error.message for error in validator.iter_errors(document)]
    assert errors == []
    assert document["complete"] is True and document["since"] is None
    references = {item["reference"] for item in document["listings"]}
    assert published.reference in references
    assert len(references) == Listing.objects.filter(status__in=["published", "in-talks", "contracted",
                                                                 "closed"]).count()  # every public listing
    [intent] = document["intents"]
    assert intent == {**intent, "listing_reference": published.reference, "organisation": "青海大学",
                      "status": "interested"}
    assert_no_contacts(data.decode("utf-8"))
    mine = next(item for item in document["listings"] if item["reference"] == published.reference)
    assert "盐湖提锂尾液" in mine["description"] and openfeed.HIDDEN in mine["description"]
    assert mine["organisations"] == [{"name": "海西对接测试有限公司", "role": "lead", "region_code": "haixi",
                                      "region_name": mine["organisations"][0]["region_name"]}]


def test_a_document_breaking_the_schema_is_refused_by_the_validator(published):
    document = json.loads(openfeed.as_json(openfeed.build()))
    document["listings"][0]["contacts_raw"] = CONTACT_PHONE
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert not validator.is_valid(document)


def backdate_others(listing) -> None:
    """The seed's listings were imported when the test database was made: changed ten days ago."""
    Listing.objects.exclude(pk=listing.pk).update(updated_at=timezone.now() - datetime.timedelta(days=10))


def test_the_incremental_feed_has_the_changes_since_a_day_and_the_listings_gone(published, reviewer):
    backdate_others(published)
    today = timezone.localdate()
    document = json.loads(openfeed.as_json(openfeed.build(today)))
    assert document["complete"] is False
    assert [item["reference"] for item in document["listings"]] == [published.reference]  # the seed's are older
    Listing.objects.filter(pk=published.pk).update(updated_at=timezone.now() - datetime.timedelta(days=3))
    assert json.loads(openfeed.as_json(openfeed.build(today)))["listings"] == []
    transition(published, Listing.Status.WITHDRAWN, user=reviewer, reason="需求已解决")
    document = json.loads(openfeed.as_json(openfeed.build(today)))
    assert document["listings"] == [] and document["removed_listings"] == [published.reference]
    tomorrow = today + datetime.timedelta(days=1)
    assert json.loads(openfeed.as_json(openfeed.build(tomorrow)))["removed_listings"] == []


def test_the_public_urls(client, published, answered):
    response = client.get("/open/feed.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    document = response.json()
    assert any(item["reference"] == published.reference and item["url"].startswith("http://testserver/")
               for item in document["listings"])
    assert_no_contacts(response.content.decode("utf-8"))
    backdate_others(published)
    since = client.get("/open/feed.json", {"since": timezone.localdate().isoformat()}).json()
    assert [item["reference"] for item in since["listings"]] == [published.reference]
    bad = client.get("/open/feed.json", {"since": "昨天"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["detail"]
    rss = client.get("/open/feed.rss")
    assert rss.status_code == 200 and "<rss" in rss.content.decode()
    assert "盐湖提锂尾液综合利用技术" in rss.content.decode()
    assert_no_contacts(rss.content.decode("utf-8"))
    assert client.get("/open/schema.json").json() == openfeed.schema()


def test_redact_removes_phones_e_mails_and_named_contacts():
    text = openfeed.redact(f"联系人：{CONTACT_NAME} 电话 {LANDLINE}，{CONTACT_PHONE}；{CONTACT_EMAIL}。年产 3000 吨")
    assert_no_contacts(text)
    assert "年产 3000 吨" in text


# --- Re-import into a fresh database ------------------------------------------------------------------------

def test_export_flush_reimport_keeps_every_exported_field(registered_in, answered, published, tmp_path):
    registered_in("haixi", "500000")
    registered_in("haidong", "250000.50")
    contracts_file, feed_file = tmp_path / "contracts.csv", tmp_path / "feed.json"
    call_command("docking_export", "contracts", "--out", str(contracts_file))
    call_command("docking_export", "feed", "--out", str(feed_file), "--base-url", "https://example.org")
    exported_contracts = contracts.rows()
    exported_feed = openfeed.DockingFeed.model_validate_json(feed_file.read_bytes())
    assert len(exported_contracts) == 2 and exported_feed.intents

    if connection.vendor == "postgresql":  # the test's transaction still owes its deferred foreign-key checks,
        with connection.cursor() as cursor:  # and PostgreSQL refuses to TRUNCATE with them pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, inhibit_post_migrate=True)  # a fresh database
    assert not Listing.objects.exists() and not DockedRecord.objects.exists()

    call_command("docking_import", "contracts", str(contracts_file))
    call_command("docking_import", "feed", str(feed_file))
    loaded = {r.key: reimport.contract_values(r) for r in DockedRecord.objects.filter(kind="contract")}
    exported_fields = [c.source for c in mapping.mapping().columns]
    assert loaded == {values["number"]: {key: values[key] for key in exported_fields}
                      for values in exported_contracts}  # every exported field, typed
    assert isinstance(loaded[exported_contracts[1]["number"]]["certified_amount"], Decimal)
    listings = {r.key: r.data for r in DockedRecord.objects.filter(kind="listing")}
    assert listings == {item.reference: item.model_dump(mode="json") for item in exported_feed.listings}
    assert [openfeed.DockingListing.model_validate(data) for data in listings.values()] == \
        sorted(exported_feed.listings, key=lambda item: list(listings).index(item.reference))
    intents = [r.data for r in DockedRecord.objects.filter(kind="intent")]
    assert intents == [item.model_dump(mode="json") for item in exported_feed.intents]

    before = list(DockedRecord.objects.values_list("pk", "data"))
    result = reimport.load_contracts(contracts_file.read_bytes())
    assert (result.created, result.updated) == (0, 0)
    assert reimport.load_feed(feed_file.read_bytes()).created == 0
    assert list(DockedRecord.objects.values_list("pk", "data")) == before


def test_files_that_do_not_follow_the_format_are_refused(registered_in):
    registered_in("haixi")
    data = contracts.export_csv().decode("utf-8-sig")
    with pytest.raises(FileRefused, match="表头"):
        reimport.load_contracts(data.replace("登记号", "编号", 1).encode("utf-8-sig"))
    header, row = data.strip().split("\r\n")
    cells = row.split(",")
    cells[[c.column for c in mapping.mapping().columns].index("合同总额（元）")] = "-5"
    with pytest.raises(FileRefused, match="合同总额"):
        reimport.load_contracts(f"{header}\r\n{','.join(cells)}\r\n".encode("utf-8-sig"))
    with pytest.raises(FileRefused):
        reimport.load_feed(b'{"feed": "other"}')
    assert not DockedRecord.objects.exists()
