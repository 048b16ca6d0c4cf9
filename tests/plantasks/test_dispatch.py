"""The dispatch report (PDF and Excel): a unit's overdue report appears in it, and its indicator figures are the
dashboard's for the same quarter."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from techmarket.indicators.models import Indicator
from techmarket.indicators.services import dashboard, values
from techmarket.indicators.services.periods import current, parse
from techmarket.plantasks.services import dispatch, progress
from tests.plantasks.conftest import AFTER_Q2, pdf_upload


def test_a_units_overdue_report_appears_in_the_dispatch_report(unit_user, unit, reviewer, client):
    user = unit_user(6, "省科技厅", "lead-user1")
    progress.submit(user, unit(6, "省科技厅"), parse("2026Q2"), "上线技术交易平台", pdf_upload(), AFTER_Q2)
    made = dispatch.build(parse("2026Q2"), AFTER_Q2)
    this_quarter = {(row[0], row[2]): row for row in made.tables()[0][2]}
    assert this_quarter[("6", "省科技厅")][6] == "已报送" and this_quarter[("6", "省科技厅")][8] == "上线技术交易平台"
    assert this_quarter[("14", "省委金融办")][6] == "逾期未报"
    overdue = {(row[0], row[2], row[4]) for row in made.tables()[1][2]}
    assert ("14", "省委金融办", "2026年第2季度") in overdue and ("6", "省科技厅", "2026年第2季度") not in overdue
    assert ("14", "省委金融办", "2025年第2季度") in overdue  # earlier quarters still missing
    workbook = dispatch.workbook(made)
    assert dispatch.sheet_rows(workbook, "逾期未报") == made.tables()[1][2]
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=dispatch.pdf(made), capture_output=True,
                              check=True).stdout.decode()
        assert "逾期未报" in text and "省委金融办" in text and "定期调度报告" in text.replace("\n", "")


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_the_reports_indicator_figures_are_the_dashboards(fmt, absorb, staff, reviewer, client, today):
    entering, approving = staff
    period = current(today)
    absorb()
    values.approve(approving, values.submit_manual(entering, Indicator.objects.get(code="a2027-teams"), period,
                                                   "4", pdf_upload()))
    client.force_login(reviewer)
    response = client.get(reverse("plantasks:dispatch"), {"period": period.key, "format": fmt})
    assert response.status_code == 200
    shown = client.get(reverse("indicators:dashboard"), {"period": period.key})
    dashboard_rows = [card["row"].cells() for cards in shown.context["groups"].values() for card in cards]
    assert dashboard_rows == [row.cells() for row in dashboard.rows(period, today)]
    if fmt == "xlsx":
        assert dispatch.sheet_rows(response.content, "指标") == dashboard_rows
        absorbed = next(r for r in dashboard_rows if r[1].startswith("吸纳技术交易额"))
        assert absorbed[6] not in ("", "0")
    else:
        assert response.content.startswith(b"%PDF") and response["Content-Type"] == "application/pdf"
