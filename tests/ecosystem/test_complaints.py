"""Complaints (第二十七条): anyone logged in reports a listing, an institution, a broker or a contract for a
prohibited behaviour; reviewers dismiss or sanction; a sanction in force shows on the register and blocks the
institution's standing."""

import datetime
import io

import pytest

from techmarket.catalogue.models import Listing
from techmarket.common.errors import InvalidInput, NotAllowed, NotFound, Refused
from techmarket.common.models import Notification
from techmarket.ecosystem.models import Complaint, Institution, Target
from techmarket.ecosystem.services import complaints as service
from techmarket.ecosystem.services import institutions
from techmarket.ecosystem.services.standing import standing
from tests.ecosystem.conftest import filing

D = datetime.date


def test_the_behaviours_are_the_seven_of_article_27():
    assert len(service.behaviour_choices()) == 7
    assert service.behaviour_label("false-information") == "第二十七条（三）提供虚假技术信息、检测结果、评估报告"


def test_complaint_to_sanction_on_an_institution(filed, outsider, reviewer, today):
    today(D(2026, 6, 1))
    complaint = service.complain(outsider, Target.INSTITUTION, str(filed.pk), "false-information", "虚构成功案例。")
    assert complaint.status == Complaint.Status.OPEN and complaint.target_label.endswith(filed.name)
    assert Notification.objects.filter(recipient=reviewer, topic="ecosystem.complaint").exists()
    sanction = service.sanction(reviewer, Target.INSTITUTION, filed, "suspension", D(2026, 6, 1), D(2026, 8, 31),
                                "经调查属实，暂停备案三个月。", complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.SANCTIONED and sanction.article == "第二十七条"
    assert Notification.objects.filter(recipient=outsider, topic="ecosystem.complaint").exists()
    assert institutions.standing_label(filed) == "暂停（至 2026-08-31）"
    found = standing("intermediary", filed.organisation.name, filed.organisation_id, D(2026, 7, 1))
    assert found.qualifications == frozenset()
    assert found.blocks == (f"技术转移机构{filed.name}的备案于2026-06-01至2026-08-31暂停（第二十七条），不予补助",)
    assert standing("intermediary", "", filed.organisation_id, D(2026, 9, 1)).qualifications == {"transfer-institution"}
    with pytest.raises(Refused):
        service.dismiss(reviewer, complaint, "重复处理")


def test_revocation_takes_an_institution_off_the_filed(filed, reviewer, today):
    today(D(2026, 6, 1))
    service.sanction(reviewer, Target.INSTITUTION, filed, "revocation", D(2026, 6, 1), None, "以欺诈手段从事技术交易")
    filed.refresh_from_db()
    assert filed.status == Institution.Status.REVOKED
    assert institutions.standing_label(filed) == "已撤销备案"
    assert list(institutions.register(institutions.RegisterFilters(status="revoked"))) == [filed]


def test_dismissal(filed, outsider, reviewer):
    complaint = service.complain(outsider, Target.INSTITUTION, str(filed.pk), "other", "怀疑。")
    with pytest.raises(NotAllowed):
        service.dismiss(outsider, complaint, "x")
    service.dismiss(reviewer, complaint, "经调查不属实。")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.DISMISSED and not filed.sanctions.exists()


def test_listing_and_contract_targets(member, outsider, registered_contract, reviewer):
    from techmarket.directory.models import Organisation

    listing = Listing.objects.filter(status="published").first() or Listing.objects.first()
    complaint = service.complain(outsider, Target.LISTING, listing.reference, "ip-infringement", "侵犯专利权。")
    assert complaint.target_label.startswith(f"条目 {listing.number} ")  # its number: words, not codes
    seller, buyer = Organisation.objects.all()[:2]
    contract = registered_contract(seller, buyer)
    with pytest.raises(NotFound):  # a contract the reporter may not see does not exist for them
        service.complain(outsider, Target.CONTRACT, str(contract.pk), "fraud-or-coercion", "胁迫签约。")
    party = seller.members.filter(is_verified=True).first()
    complaint = service.complain(party, Target.CONTRACT, str(contract.pk), "fraud-or-coercion", "胁迫签约。")
    sanction = service.sanction(reviewer, complaint.target, None, "warning", D(2026, 6, 1), None, "警告",
                                complaint=complaint, target_key=complaint.target_key,
                                target_label=complaint.target_label)
    assert sanction.target_label == complaint.target_label and not sanction.in_force_on(D(2026, 6, 1))


@pytest.mark.parametrize("behaviour, description", [("theft", "x"), ("other", ""), ("other", "字" * 2001)])
def test_complaint_bounds(filed, outsider, behaviour, description):
    with pytest.raises(InvalidInput):
        service.complain(outsider, Target.INSTITUTION, str(filed.pk), behaviour, description)


def test_unknown_or_unfiled_targets(member, outsider, today):
    today(D(2026, 3, 1))
    submitted = institutions.file_institution(member, filing())
    for target, key in [(Target.INSTITUTION, str(submitted.pk)), (Target.BROKER, "999999"), (Target.LISTING, "x/1")]:
        with pytest.raises(NotFound):
            service.complain(outsider, target, key, "other", "x")


def test_anonymous_may_not_complain(filed):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        service.complain(AnonymousUser(), Target.INSTITUTION, str(filed.pk), "other", "x")


def test_listing_and_contract_pages_lead_to_the_complaint_form(client, outsider, member, settings, tmp_path):
    from django.urls import reverse

    from techmarket.catalogue.models import Listing
    from techmarket.directory.models import Organisation
    from tests.market.conftest import record_contract

    listing = Listing.objects.filter(status=Listing.Status.PUBLISHED).first()
    client.force_login(outsider)
    html = client.get(listing.get_absolute_url()).content.decode()
    assert 'id="report-listing"' in html
    form = client.get(reverse("ecosystem:complain"), {"target": "listing", "key": listing.reference})
    assert form.status_code == 200 and f"条目 {listing.number}" in form.content.decode()
    settings.MEDIA_ROOT = tmp_path / "media"
    contract = record_contract(member, member.organisation, Organisation.objects.get(name="兰州大学"))
    client.force_login(member)
    assert 'id="report-contract"' in client.get(contract.get_absolute_url()).content.decode()
    assert client.get(reverse("ecosystem:complain"), {"target": "contract", "key": contract.pk}).status_code == 200


def test_a_revocation_from_a_later_day_takes_effect_on_that_day(filed, reviewer, today):
    from django.core.management import call_command

    from techmarket.common.models import AuditEntry

    today(D(2026, 6, 1))
    item = service.sanction(reviewer, Target.INSTITUTION, filed, "revocation", D(2026, 7, 1), None,
                            "以欺诈手段从事技术交易")
    filed.refresh_from_db()
    assert filed.status == Institution.Status.FILED  # decided ahead: still filed until then
    assert service.apply_due_revocations(D(2026, 6, 30)) == []
    filed.refresh_from_db()
    assert filed.status == Institution.Status.FILED
    out = io.StringIO()
    call_command("apply_sanctions", "--on", "2026-07-01", stdout=out)
    assert "1 revocation(s) applied." in out.getvalue()
    filed.refresh_from_db()
    assert filed.status == Institution.Status.REVOKED
    entry = AuditEntry.objects.filter(action="status", to_value=Institution.Status.REVOKED).get()
    assert entry.actor == reviewer and entry.reason == "第二十七条：以欺诈手段从事技术交易"
    assert entry.data["sanction"] == item.pk
    assert service.apply_due_revocations(D(2026, 7, 2)) == []  # once
    assert AuditEntry.objects.filter(action="status", to_value=Institution.Status.REVOKED).count() == 1


def test_apply_sanctions_refuses_a_malformed_date():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--on must be a date"):
        call_command("apply_sanctions", "--on", "2026-13-01", stdout=io.StringIO())
