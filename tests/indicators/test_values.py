"""Computed figures follow the registered contracts at once and link to them; manual values need evidence and a
second person's approval; a recomputation never replaces an approved manual value."""

from decimal import Decimal

import pytest
from django.urls import reverse

from techmarket.indicators.models import Indicator, IndicatorValue
from techmarket.indicators.services import dashboard, reports, values
from tests.market.conftest import pdf_upload


def row_of(code, period, today):
    return dashboard.row(Indicator.objects.get(code=code), period, today)


def test_registering_an_absorbed_contract_moves_the_figure_at_once(absorb, this_quarter, today, staff, client):
    before = row_of("a2027-absorbed-transactions", this_quarter, today)
    registration = absorb(technology="800000")
    after = row_of("a2027-absorbed-transactions", this_quarter, today)
    assert after.value == before.value + Decimal("0.0080")
    assert after.computed.exact_amount == before.computed.exact_amount + Decimal("800000")
    contract_url = reverse("market:contract", args=[registration.contract_id])
    assert contract_url in [link.url for link in after.computed.links]
    # The technologies introduced count moves too (a transfer contract).
    introduced = row_of("a2027-technologies-introduced", this_quarter, today)
    assert registration.contract_id in introduced.computed.contract_ids
    # The dashboard links the figure to its records page, which links to the contract.
    client.force_login(staff[0])
    page = client.get(reverse("indicators:dashboard")).content.decode()
    assert after.records_url.replace("&", "&amp;") in page or after.records_url in page
    records = client.get(after.records_url)
    assert records.status_code == 200
    assert contract_url in records.content.decode()


def test_records_page_needs_a_reviewer(absorb, this_quarter, today, client, make_user):
    absorb()
    url = row_of("a2027-absorbed-transactions", this_quarter, today).records_url
    assert client.get(url).status_code == 302
    client.force_login(make_user("someone"))
    assert client.get(url).status_code == 403


def test_manual_value_without_evidence_is_refused(staff, this_quarter):
    teams = Indicator.objects.get(code="a2027-teams")
    with pytest.raises(values.IndicatorError, match="佐证材料"):
        values.submit_manual(staff[0], teams, this_quarter, "5", None)
    with pytest.raises(values.IndicatorError, match="不支持的文件类型"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        values.submit_manual(staff[0], teams, this_quarter, "5", SimpleUploadedFile("x.pdf", b"not a pdf"))
    assert not IndicatorValue.objects.filter(indicator=teams).exists()


def test_manual_value_needs_a_reviewer(member, this_quarter):
    key_technologies = Indicator.objects.get(code="a2027-key-technologies")
    with pytest.raises(values.IndicatorPermissionError):
        values.submit_manual(member, key_technologies, this_quarter, "5", pdf_upload())


def test_submitted_value_counts_only_once_another_reviewer_approves(staff, this_quarter, today):
    entering, approving = staff
    item = values.submit_manual(entering, Indicator.objects.get(code="aid13-key-projects"), this_quarter, "6",
                                pdf_upload(), "第三季度新引进团队")
    assert item.evidence and item.evidence_name == "contract.pdf"
    assert row_of("aid13-key-projects", this_quarter, today).value is None
    with pytest.raises(values.IndicatorPermissionError, match="录入人不能审核"):
        values.approve(entering, item)
    assert row_of("aid13-key-projects", this_quarter, today).value is None
    values.approve(approving, item)
    shown = row_of("aid13-key-projects", this_quarter, today)
    assert shown.value == Decimal("6") and shown.source == "manual"
    assert shown.progress == Decimal("15.0")  # of 40
    # A later approved value for the same period supersedes it; the history keeps both.
    newer = values.submit_manual(approving, item.indicator, this_quarter, "7", pdf_upload())
    values.approve(entering, newer)
    item.refresh_from_db()
    assert item.status == IndicatorValue.Status.SUPERSEDED and item.superseded_by == newer
    assert row_of("aid13-key-projects", this_quarter, today).value == Decimal("7")


def test_approval_through_the_pages(staff, this_quarter, client):
    entering, approving = staff
    client.force_login(entering)
    response = client.post(reverse("indicators:enter"), {
        "indicator": Indicator.objects.get(code="a2027-key-technologies").pk, "period": this_quarter.key,
        "value": "3", "evidence": pdf_upload(), "note": "联合攻关项目验收"})
    assert response.status_code == 302
    item = IndicatorValue.objects.get(indicator__code="a2027-key-technologies")
    assert client.post(reverse("indicators:decide", args=[item.pk, "approve"])).status_code == 403
    client.force_login(approving)
    assert client.post(reverse("indicators:decide", args=[item.pk, "approve"])).status_code == 302
    item.refresh_from_db()
    assert item.status == IndicatorValue.Status.APPROVED and item.approved_by == approving


def test_form_without_evidence_is_refused(staff, this_quarter, client):
    client.force_login(staff[0])
    response = client.post(reverse("indicators:enter"), {
        "indicator": Indicator.objects.get(code="a2027-teams").pk, "period": this_quarter.key, "value": "3"})
    assert response.status_code == 200
    assert "佐证材料" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_recomputation_never_overwrites_an_approved_manual_value(absorb, staff, this_quarter, today):
    entering, approving = staff
    absorbed = Indicator.objects.get(code="a2027-absorbed-transactions")
    item = values.approve(approving, values.submit_manual(entering, absorbed, this_quarter, "1.5", pdf_upload()))
    absorb(technology="800000")
    shown = row_of("a2027-absorbed-transactions", this_quarter, today)
    assert shown.value == Decimal("1.5") and shown.source == "manual"
    assert shown.conflict and shown.computed.value >= Decimal("0.008")
    assert "人工核定值与平台计算值并列" in shown.cells()[-1]
    # Generating a report stores computed snapshots and leaves the manual value alone.
    reports.report_rows(this_quarter, today)
    item.refresh_from_db()
    assert item.status == IndicatorValue.Status.APPROVED and item.value == Decimal("1.5")
    snapshot = IndicatorValue.objects.get(indicator=absorbed, source="computed", status="snapshot")
    assert snapshot.value == shown.computed.value and snapshot.records == shown.computed.contract_ids
    reports.report_rows(this_quarter, today)
    snapshot.refresh_from_db()
    assert snapshot.status == IndicatorValue.Status.SUPERSEDED
    assert row_of("a2027-absorbed-transactions", this_quarter, today).value == Decimal("1.5")
