"""The dashboard, the quarterly report (PDF and Excel from the same rows), the API and the CLI."""

import json
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from techmarket.indicators.models import Indicator
from techmarket.indicators.services import dashboard, reports, values
from techmarket.indicators.services.periods import parse
from tests.market.conftest import pdf_upload

SIX = {"a2027-teams", "a2027-national-platforms", "a2027-key-technologies", "a2027-technologies-introduced",
       "a2027-absorbed-transactions", "a2027-projects-with-partners"}


def test_dashboard_shows_the_2027_targets_with_local_chartjs(absorb, client):
    absorb()
    response = client.get(reverse("indicators:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("引进高水平创新团队", "联合培育国家级创新平台", "联合破解重大关键技术", "引进转化先进适用技术",
                 "吸纳技术交易额", "省级科技计划项目与省外合作实施比例"):
        assert name in page
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js">' in page
    assert "cdn" not in page.lower()
    assert "突破100亿元" in page and "剩余" in page
    assert 'id="indicator-charts"' in page


def test_nav_has_the_dashboard(db, client):
    assert "指标监测" in client.get(reverse("home")).content.decode()


def test_quarter_report_matches_the_dashboard(absorb, staff, client, today):
    entering, approving = staff
    period = parse("2026Q3")
    values.approve(approving, values.submit_manual(entering, Indicator.objects.get(code="a2027-teams"), period, "4",
                                                   pdf_upload()))
    absorb()
    client.force_login(entering)
    pdf = client.get(reverse("indicators:report"), {"period": "2026Q3"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("indicators:report"), {"period": "2026Q3", "format": "xlsx"})
    assert xlsx.status_code == 200
    dashboard_rows = [row.cells() for row in dashboard.rows(period, today)]
    assert reports.sheet_rows(xlsx.content) == dashboard_rows
    page = client.get(reverse("indicators:dashboard"), {"period": "2026Q3"})
    shown = [card["row"].cells() for cards in page.context["groups"].values() for card in cards]
    assert shown == dashboard_rows
    teams = next(cells for cells in dashboard_rows if cells[1] == "引进高水平创新团队")
    assert teams[6] == "4" and teams[7] == "人工录入（已审核）"


def test_month_report_and_bad_period(db, client):
    assert client.get(reverse("indicators:report"), {"period": "2026-09"}).content.startswith(b"%PDF")
    assert client.get(reverse("indicators:report"), {"period": "2026Q9"}).status_code == 404


def test_cli_json(absorb):
    absorb(technology="500000")
    out = StringIO()
    call_command("indicators", "--json", "--period", "2026Q3", stdout=out)
    data = json.loads(out.getvalue())
    assert data["period"] == "2026Q3" and data["period_end"] == "2026-09-30"
    by_code = {item["code"]: item for item in data["indicators"]}
    assert SIX <= set(by_code)
    assert by_code["a2027-absorbed-transactions"]["target"] == "100.0000"
    assert by_code["a2027-absorbed-transactions"]["source"] == "computed"


def test_cli_text(db):
    out = StringIO()
    call_command("indicators", "--period", "2026Q3", stdout=out)
    assert "吸纳技术交易额" in out.getvalue()


def test_api(absorb, client, this_quarter):
    absorb(technology="800000")
    response = client.get("/api/indicators", {"period": this_quarter.key})
    assert response.status_code == 200
    data = response.json()
    by_code = {item["code"]: item for item in data["indicators"]}
    assert SIX <= set(by_code)
    absorbed = by_code["a2027-absorbed-transactions"]
    assert absorbed["record_count"] >= 1 and absorbed["records_url"].startswith("/indicators/")
    assert absorbed["exact_amount"] is not None and absorbed["progress"] is not None
    assert client.get("/api/indicators", {"period": "bad"}).status_code == 400


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_report_text_is_readable_in_any_pdf_reader(db, client, tmp_path):
    """The report embeds its Chinese font (common.pdf), as the certificate does: its text extracts with no CJK
    font or CMap on the reader's side."""
    pdf = client.get(reverse("indicators:report"), {"period": "2026-09"}).content
    assert b"/FontFile2" in pdf
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "引进高水平创新团队" in text
