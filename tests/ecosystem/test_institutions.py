"""A filing from submission to the public register: the 第二十二条 window flagged, the 第二十条 conditions kept
on the filing and blocking approval, returns with a reason, change and closure filings (第二十四条), the record
of contracts brokered on the platform and the annual figures; every step audited and notified."""

import datetime

import pytest

from techmarket.common.audit import history_for
from techmarket.common.errors import InvalidInput, NotAllowed, Refused
from techmarket.common.models import Notification
from techmarket.ecosystem.models import Institution, InstitutionChange
from techmarket.ecosystem.services import institutions as service
from techmarket.market.services.contracts import PartyInput
from tests.ecosystem.conftest import FOUNDED, filing


def test_filing_review_register(member, reviewer, today):
    today(FOUNDED + datetime.timedelta(days=30))
    institution = service.file_institution(member, filing())
    assert institution.status == Institution.Status.SUBMITTED and institution.days_late == 0
    assert institution.unmet == [] and institution.cases.count() == 1
    assert not service.register().filter(pk=institution.pk).exists()
    assert Notification.objects.filter(recipient=reviewer, topic="ecosystem.filing").exists()
    service.approve(reviewer, institution)
    institution.refresh_from_db()
    assert institution.status == Institution.Status.FILED
    assert institution.approved_on == FOUNDED + datetime.timedelta(30)
    assert list(service.register()) == [institution]
    assert service.standing_label(institution) == "已备案"
    assert Notification.objects.filter(recipient=member, topic="ecosystem.filing").exists()
    assert [e.action for e in history_for(institution)] == ["file", "approve"]


@pytest.mark.parametrize("days, late", [(30, 0), (31, 1)])
def test_a_late_filing_is_accepted_and_flagged(member, reviewer, today, days, late):
    today(FOUNDED + datetime.timedelta(days=days))
    institution = service.file_institution(member, filing())
    assert institution.days_late == late
    service.approve(reviewer, institution)  # late, yet accepted
    assert history_for(institution).first().data["days_late"] == late


def test_unmet_conditions_are_kept_and_block_approval(member, reviewer, today):
    today(FOUNDED)
    institution = service.file_institution(member, filing(kind="internal", full_time_staff=5, st_staff=4))
    assert [u["message"] for u in institution.unmet] == [
        "第二十条：专职从业人员须不少于10人（内设机构不少于6人），申报 5 人"]
    with pytest.raises(Refused, match="第二十条"):
        service.approve(reviewer, institution)
    service.return_filing(reviewer, institution, "专职人员不足，请补充后重新提交。")
    institution.refresh_from_db()
    assert institution.status == Institution.Status.RETURNED
    corrected = service.resubmit(member, institution, filing(kind="internal", full_time_staff=6, st_staff=4, cases=0))
    assert corrected.status == Institution.Status.SUBMITTED and corrected.unmet == []
    service.approve(reviewer, corrected)


def test_a_filing_without_a_case_is_unmet_until_one_is_uploaded(member, reviewer, today):
    from tests.market.conftest import pdf_upload

    today(FOUNDED)
    institution = service.file_institution(member, filing(cases=0))
    assert [u["condition"] for u in institution.unmet] == ["须有开展技术转移业务的成功案例（至少1件）"]
    service.add_case(member, institution, "盐湖提锂技术转让", pdf_upload("case x", name="案例.pdf"))
    institution.refresh_from_db()
    assert institution.unmet == []


def test_who_may_file_and_review(member, unverified, outsider, reviewer, today):
    today(FOUNDED)
    for user in (unverified, outsider, reviewer):
        with pytest.raises(NotAllowed):
            service.file_institution(user, filing())
    institution = service.file_institution(member, filing())
    with pytest.raises(NotAllowed):
        service.approve(member, institution)
    with pytest.raises(NotAllowed):
        service.return_filing(outsider, institution, "x")
    with pytest.raises(InvalidInput):
        service.return_filing(reviewer, institution, "  ")


def test_a_disguised_upload_is_refused(member, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    today(FOUNDED)
    fake = SimpleUploadedFile("case.pdf", b"MZ not a pdf", content_type="application/pdf")
    data = filing(cases=0)
    data.cases = [("案例", fake)]
    with pytest.raises(InvalidInput):
        service.file_institution(member, data)
    assert not Institution.objects.exists()


@pytest.mark.parametrize("change", [{"managers_college": 6}, {"st_staff": 11}])
def test_bounds_between_figures(member, today, change):
    today(FOUNDED)
    with pytest.raises(InvalidInput):
        service.file_institution(member, filing(**change))


def test_change_and_closure_filings(filed, member, reviewer, today):
    changed_on = FOUNDED + datetime.timedelta(days=100)
    today(changed_on + datetime.timedelta(days=31))
    change = service.file_change(member, filed, "change", changed_on, "机构更名", new_name="青海大学技术转移研究院")
    assert change.days_late == 1
    with pytest.raises(Refused):
        service.file_change(member, filed, "closure", changed_on, "歇业")  # one at a time
    service.decide_change(reviewer, change, accept=True)
    filed.refresh_from_db()
    assert filed.name == "青海大学技术转移研究院"
    closure = service.file_change(member, filed, "closure", changed_on + datetime.timedelta(days=5), "停止经营")
    assert closure.days_late == 0
    service.decide_change(reviewer, closure, accept=True)
    filed.refresh_from_db()
    assert filed.status == Institution.Status.CLOSED and filed.closed_on == closure.changed_on
    assert service.standing_label(filed) == "已歇业"
    assert list(service.register()) == [filed]  # still on the register, with its record
    assert InstitutionChange.objects.filter(status="accepted").count() == 2


def test_record_and_annual_figures_from_contracts_brokered(filed, make_user, registered_contract, today):
    from techmarket.directory.models import Organisation

    seller, buyer = Organisation.objects.exclude(pk=filed.organisation_id)[:2]
    contract = registered_contract(seller, buyer, extra_parties=[PartyInput(filed.organisation, "broker")])
    registered_contract(seller, buyer, title="另一份不经中介的合同")
    record = service.record(filed)
    assert [c.id for c in record] == [contract.pk] and record[0].registered
    [year] = service.annual_figures(filed)
    assert (year.year, year.contracts, year.registered, year.amount) == (2026, 1, 1, record[0].technology_amount)
