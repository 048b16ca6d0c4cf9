"""The history tables of listings, intents, deals, registrations and applications move into the one audit log
without loss: on a populated database taken back to before those migrations, rows written through the historical
models are, after migrating forward, AuditEntry rows with the same times, actors, actions, values, reasons and
details; the old tables are gone."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from tests.test_migrations import latest, migrate, reseed  # noqa: F401 (reseed: a fixture)

BEFORE = [("catalogue", "0003_listing_bounds"), ("matching", "0002_cooperation_intents"),
          ("market", "0003_one_record_per_intent"), ("policy", "0003_one_application_per_event"),
          ("common", "0002_audit_log")]
OLD_TABLES = ["catalogue_listingevent", "matching_intentevent", "market_dealevent", "market_registrationevent",
              "policy_applicationevent"]


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2025, 3, day, hour, 30, 15, 123456, tzinfo=datetime.UTC)


def populate(apps) -> dict:
    """One of each kind of old history row, with fixed times (auto_now_add set them to now; they are moved)."""
    get = apps.get_model
    User = get("accounts", "User")
    Organisation = get("directory", "Organisation")
    reviewer = User.objects.create(username="migration-reviewer")
    member = User.objects.create(username="migration-member")
    buyer = Organisation.objects.create(name="迁移买方单位")
    seller = Organisation.objects.create(name="迁移卖方单位")
    listing = get("catalogue", "Listing").objects.create(
        reference="migration/audit", kind="demand", status="published", title="迁移测试需求", description="内容")

    def timed(row, when):
        type(row).objects.filter(pk=row.pk).update(at=when)
        row.refresh_from_db()
        return row

    rows = {}
    ListingEvent = get("catalogue", "ListingEvent")
    rows["listing"] = [
        timed(ListingEvent.objects.create(listing=listing, type="import", to_value="published", actor_label="import",
                                          reason="imported from seed.txt"), at(1)),
        timed(ListingEvent.objects.create(listing=listing, type="transition", from_value="published",
                                          to_value="in-talks", actor=reviewer, reason="开始洽谈"), at(2)),
        timed(ListingEvent.objects.create(listing=listing, type="regrade", from_value="B", to_value="A",
                                          actor=reviewer, reason="技术难度高"), at(3)),
    ]
    intent = get("matching", "CooperationIntent").objects.create(listing=listing, organisation=buyer,
                                                                  sent_by=reviewer)
    IntentEvent = get("matching", "IntentEvent")
    rows["intent"] = [
        IntentEvent.objects.create(intent=intent, type="sent", to_status="sent", actor=reviewer, note="欢迎合作",
                                   at=at(4)),
        IntentEvent.objects.create(intent=intent, type="reminder", to_status="sent", actor_label="scheduler",
                                   note="第 1 次提醒", at=at(5)),
        IntentEvent.objects.create(intent=intent, type="response", from_status="sent", to_status="interested",
                                   actor=member, note="可以对接", at=at(6)),
    ]
    inquiry = get("market", "Inquiry").objects.create(listing=listing, organisation=buyer, counterpart=seller,
                                                      subject="迁移洽谈")
    contract = get("market", "Contract").objects.create(
        title="迁移合同", contract_type="transfer", signed_on=datetime.date(2025, 3, 1), inquiry=inquiry,
        total_amount=Decimal("1000000"), technology_amount=Decimal("800000"))
    DealEvent = get("market", "DealEvent")
    rows["deal"] = [
        timed(DealEvent.objects.create(inquiry=inquiry, action="inquiry-opened", actor=member, organisation=buyer,
                                       note="migration/audit"), at(7)),
        timed(DealEvent.objects.create(inquiry=inquiry, contract=contract, action="contract-created", actor=member,
                                       organisation=buyer, note="经平台成交"), at(8)),
        timed(DealEvent.objects.create(contract=contract, action="milestone-done", actor=None, organisation=None,
                                       note="交付：样机（2025-03-09）"), at(9)),
    ]
    registry = get("market", "Registry").objects.create(code="migration", name="迁移登记机构", region_code="xining",
                                                        number_code="99")
    registration = get("market", "Registration").objects.create(
        contract=contract, registry=registry, organisation=seller, received_on=datetime.date(2025, 3, 10),
        due_on=datetime.date(2025, 4, 9), number="630120250001")
    RegistrationEvent = get("market", "RegistrationEvent")
    rows["registration"] = [
        timed(RegistrationEvent.objects.create(registration=registration, action="submit", to_status="submitted",
                                               actor=member, detail={"due_on": "2025-04-09"}), at(10)),
        timed(RegistrationEvent.objects.create(registration=registration, action="register",
                                               from_status="accepted", to_status="registered", actor=reviewer,
                                               reason="符合条件", detail={"number": "630120250001"}), at(11)),
    ]
    application = get("policy", "Application").objects.create(
        organisation=seller, title="迁移奖补申请", event={}, event_key="migration", rules_version="v1",
        computed_total=Decimal("20000"))
    ApplicationEvent = get("policy", "ApplicationEvent")
    rows["application"] = [
        timed(ApplicationEvent.objects.create(application=application, action="submitted", actor=member,
                                              detail={"total": "20000.00"}), at(12)),
        timed(ApplicationEvent.objects.create(application=application, action="rejected", actor=reviewer,
                                              reason="材料不全"), at(13)),
    ]
    rows["ids"] = {"listing": listing.pk, "intent": intent.pk, "inquiry": inquiry.pk, "contract": contract.pk,
                   "registration": registration.pk, "application": application.pk, "buyer": buyer.pk}
    return rows


def entries(apps, app_label: str, model: str) -> list:
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("common", "AuditEntry")
    content_type = ContentType.objects.get(app_label=app_label, model=model)
    return list(AuditEntry.objects.filter(content_type=content_type).order_by("at", "id"))


def line(entry) -> tuple:
    return (entry.object_id, entry.action, entry.from_value, entry.to_value, entry.actor_id, entry.actor_label,
            entry.reason, entry.data, entry.at)


def check(apps, rows: dict) -> None:
    ids = rows["ids"]
    assert [line(e) for e in entries(apps, "catalogue", "listing") if e.object_id == ids["listing"]] == [
        (ids["listing"], e.type, e.from_value, e.to_value, e.actor_id, e.actor_label, e.reason, {}, e.at)
        for e in rows["listing"]]
    assert [line(e) for e in entries(apps, "matching", "cooperationintent")] == [
        (ids["intent"], e.type, e.from_status, e.to_status, e.actor_id, e.actor_label, e.note, {}, e.at)
        for e in rows["intent"]]
    opened, created, milestone = rows["deal"]
    buyer = {"organisation_id": ids["buyer"], "organisation": "迁移买方单位"}
    assert [line(e) for e in entries(apps, "market", "inquiry")] == [
        (ids["inquiry"], "inquiry-opened", "", "", opened.actor_id, "", opened.note, buyer, opened.at)]
    assert [line(e) for e in entries(apps, "market", "contract")] == [
        (ids["contract"], "contract-created", "", "", created.actor_id, "", created.note,
         {"inquiry": ids["inquiry"], **buyer}, created.at),
        (ids["contract"], "milestone-done", "", "", None, "", milestone.note, {}, milestone.at)]
    assert [line(e) for e in entries(apps, "market", "registration")] == [
        (ids["registration"], e.action, e.from_status, e.to_status, e.actor_id, "", e.reason, e.detail, e.at)
        for e in rows["registration"]]
    assert [line(e) for e in entries(apps, "policy", "application")] == [
        (ids["application"], e.action, "", "", e.actor_id, "", e.reason, e.detail, e.at)
        for e in rows["application"]]
    labels = {e.target_label for e in entries(apps, "market", "registration")}
    assert labels == {"630120250001"}
    assert {e.target_label for e in entries(apps, "catalogue", "listing") if e.object_id == ids["listing"]} == {
        "migration/audit 迁移测试需求"}
    tables = connection.introspection.table_names()
    assert not set(OLD_TABLES) & set(tables)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reseed")
@pytest.mark.long(70)
def test_the_old_history_tables_move_into_the_audit_log_without_loss():
    try:
        old = migrate(BEFORE)
        assert set(OLD_TABLES) <= set(connection.introspection.table_names())
        rows = populate(old)
        check(migrate(latest()), rows)
        # And back: the rows return to their tables (a reversible migration), then forward again, unchanged.
        old = migrate(BEFORE)
        assert old.get_model("market", "RegistrationEvent").objects.count() == 2
        back = list(old.get_model("catalogue", "ListingEvent").objects.filter(
            listing_id=rows["ids"]["listing"]).order_by("at", "id").values_list("type", "reason", "at"))
        assert back == [(e.type, e.reason, e.at) for e in rows["listing"]]
        check(migrate(latest()), rows)
    finally:
        migrate(latest())
