"""Issue 13 point 8: the ledger groups its lines by year and says which budget year and source each budget
belongs to, so the 2017 budget of 省级财政科技专项资金 is not read as the budget of 2026 commitments."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from techmarket.policy.models import LedgerEntry, Programme, Rule
from techmarket.policy.services.data import ensure_synced

pytestmark = pytest.mark.django_db

FUND = "provincial-st-fund"


def year_group(html: str, year: int) -> str:
    match = re.search(rf'<tbody class="ledger-year" id="ledger-year-{year}">.*?</tbody>', html, re.S)
    assert match, f"no group for {year}"
    return match.group(0)


@pytest.fixture
def commitment_2026(db):
    ensure_synced()
    return LedgerEntry.objects.create(
        programme=Programme.objects.get(code=FUND), year=2026, rule=Rule.objects.order_by("id").first(),
        beneficiary_name="青海大学", amount=Decimal("80000.00"), kind=LedgerEntry.Kind.COMMITTED)


def test_the_ledger_groups_lines_by_year_and_labels_the_budget_year_and_source(login, reviewer, commitment_2026):
    response = login(reviewer).get(reverse("policy:ledger"))
    assert response.status_code == 200
    html = response.content.decode()

    # Newest year first, each year its own group with a heading and a subtotal.
    assert html.index('id="ledger-year-2026"') < html.index('id="ledger-year-2017"')
    this_year, budget_year = year_group(html, 2026), year_group(html, 2017)
    assert "2026 年度" in this_year and "本年度未设定预算" in this_year and "2026 年度小计" in this_year
    assert "¥80,000.00" in this_year and "¥625,000,000.00" not in this_year
    # The 2017 line says it is 2017's budget and where the figure comes from.
    assert "¥625,000,000.00" in budget_year and "¥80,000.00" not in budget_year
    assert "2017 年度预算，来源：" in budget_year and "2017年省财政安排省级科技专项资金6.25亿元" in budget_year
    # And the page says outright that the 2017 budget is not the 2026 commitments' budget.
    note = re.search(r'id="ledger-years-note">(.*?)</div>', html, re.S).group(1)
    assert "2026 年度的承诺没有已知预算" in note and "2017 年度" in note
    assert [g["year"] for g in response.context["years"]] == sorted(
        {g["year"] for g in response.context["years"]}, reverse=True)


def test_no_warning_when_only_one_year_is_shown(login, reviewer, commitment_2026):
    response = login(reviewer).get(reverse("policy:ledger"), {"programme": FUND, "year": 2026})
    html = response.content.decode()
    assert [g["year"] for g in response.context["years"]] == [2026]
    assert 'id="ledger-years-note"' not in html
    assert "明细 <small class=\"text-muted\">2026 年度</small>" in html
