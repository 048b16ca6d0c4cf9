"""/indicators/ reads its records once (issue 13, point 7): the rows, trends and breakdowns computed from one read of
the approved manual values and of the registered contracts give exactly the figures of the straightforward
computation (a read per indicator, period and quarter); the number of SQL queries of the page is bounded and does
not grow with the records; a new record shows on the next request (nothing is kept between requests)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from techmarket.indicators.models import Indicator
from techmarket.indicators.services import computations, dashboard, values
from techmarket.indicators.services.periods import parse
from techmarket.market.models import Registration
from techmarket.market.services import registration as reg
from techmarket.market.services import statistics as market_statistics
from tests.market.conftest import pdf_upload

URL = reverse("indicators:dashboard")

# Registration dates spread over the trend's quarters, on quarter bounds, and before the cumulative indicators
# count (2025-01-01).
DATES = [datetime.date(2024, 11, 1), datetime.date(2025, 5, 1), datetime.date(2026, 2, 10),
         datetime.date(2026, 7, 1), datetime.date(2026, 8, 15), datetime.date(2026, 9, 30)]
PERIODS = ["2026Q3", "2026Q4", "2026", "2026-09", "2026-08", "2025Q2", "2024Q4"]


@pytest.fixture
def records(absorb, make_contract, make_user, org, buyer_org, registry, make_registrar, staff, today):
    """Contracts registered on DATES (absorbed transfer, licensing and development contracts; one between two
    Qinghai parties, which only the registered-contracts figure counts; one cancelled) and approved manual values:
    carried forward, superseded, and beside a computed figure."""
    kinds = ["transfer", "licensing", "development-commissioned"]
    registrations = [absorb(technology=str(100000 + 1000 * n), total=str(2000000 + 1000 * n),
                            contract_type=kinds[n % 3]) for n in range(len(DATES) + 2)]
    seller_org = org("西宁高原新材料科技有限公司", "xining")
    seller = make_user("xining-seller", organisation=seller_org)
    registrar = make_registrar("xining-registrar", "xining")
    local = reg.submit(seller, make_contract(seller, seller_org, buyer_org, total="3000000", technology="2500000"),
                       registry("xining"))
    registrations.append(reg.register(registrar, reg.accept(registrar, local)))
    for registration, day in zip(registrations, DATES + DATES, strict=False):
        Registration.objects.filter(pk=registration.pk).update(registered_on=day)
    cancelled = absorb(technology="777000", total="7770000")
    Registration.objects.filter(pk=cancelled.pk).update(status=Registration.Status.CANCELLED)

    entering, approving = staff

    def approved(code, period, value):
        indicator = Indicator.objects.get(code=code)
        return values.approve(approving, values.submit_manual(entering, indicator, parse(period), value,
                                                              pdf_upload()))

    approved("fyp14-national-platforms-new", "2025Q4", "1")
    approved("fyp14-national-platforms-new", "2026Q2", "3")  # carried forward to later periods
    approved("a2027-key-technologies", "2026Q3", "2")
    approved("a2027-key-technologies", "2026Q3", "4")  # supersedes the 2
    approved("a2027-absorbed-transactions", "2026Q3", "0.5")  # beside the computed figure
    approved("a2027-absorbed-transactions", today.strftime("%Y") + "Q4", "0.7")
    return registrations


def figures(rows):
    return [(row.cells(), row.as_dict(), row.computed, row.manual.pk if row.manual else None) for row in rows]


def straightforward(period, today):
    """The dashboard as computed before: a read of the records for every row, quarter and breakdown."""
    chosen = list(dashboard.indicators())
    return (figures([dashboard.row(i, period, today) for i in chosen]),
            {i.code: dashboard.trend(i, period, today) for i in chosen},
            {i.code: dashboard.breakdown(i, period) for i in chosen if i.is_computed})


@pytest.mark.parametrize("key", PERIODS)
def test_the_page_shows_the_figures_of_the_straightforward_computation(records, today, key):
    period = parse(key)
    page = dashboard.page(period, today)
    expected_rows, expected_charts, expected_breakdowns = straightforward(period, today)
    assert figures(page.rows) == expected_rows
    assert page.charts == expected_charts
    assert page.breakdowns == expected_breakdowns
    # The report, the API and the CLI (dashboard.rows) too.
    assert figures(dashboard.rows(period, today)) == expected_rows
    assert figures(dashboard.rows(period, today, "a2027")) == [
        item for item in expected_rows if item[1]["plan"] == "a2027"]


def test_the_comparison_covers_what_the_page_shows(records, today):
    """The records above give the compared figures something to differ on: counted and uncounted contracts,
    conflicts, carried-forward values, a trend that moves and breakdowns with contracts."""
    page = dashboard.page(parse("2026Q3"), today)
    by_code = {row.indicator.code: row for row in page.rows}
    absorbed = by_code["a2027-absorbed-transactions"]
    assert absorbed.conflict and len(absorbed.computed.links) == 6  # 2025-05-01 to 2026-09-30, twice each
    assert by_code["fyp14-national-platforms-new"].carried_from == "2026Q2"
    assert by_code["a2027-key-technologies"].value == 4
    trend = [value for value in page.charts["a2027-technologies-introduced"]["values"] if value is not None]
    assert len(set(trend)) >= 3
    assert any(bucket["count"] for table in page.breakdowns["a2027-absorbed-transactions"].values()
               for bucket in table)


@pytest.mark.parametrize("name", sorted(computations.ROW_FILTERS))  # the market-computed ones
def test_each_computation_from_rows_equals_the_computation(records, name):
    for start, end in [(None, datetime.date(2026, 12, 31)), (datetime.date(2025, 1, 1), datetime.date(2026, 9, 30)),
                       (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
                       (datetime.date(2026, 7, 2), datetime.date(2026, 9, 29)),
                       (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))]:
        contracts = market_statistics.rows(market_statistics.Filters(start=start, end=end))
        assert computations.from_rows(name, contracts) == computations.compute(name, start, end)


@pytest.mark.parametrize("key", ["2026Q3", "2026"])
def test_the_records_page_lists_the_contracts_of_the_computation(records, staff, client, key):
    client.force_login(staff[0])
    period = parse(key)
    for indicator in Indicator.objects.filter(active=True).exclude(computed_by="manual"):
        page = client.get(reverse("indicators:records", args=[indicator.code]), {"period": key}).context
        start, end = dashboard.window(indicator, period)
        assert page["computed"] == computations.compute(indicator.computed_by, start, end)
        contracts = {row.contract_id: row for row in market_statistics.rows(
            market_statistics.Filters(start=start, end=end))}
        assert [(item["link"], item["row"]) for item in page["items"]] == [
            (link, contracts[link.id]) for link in page["computed"].links]


def test_the_dashboard_queries_are_few_and_do_not_grow_with_the_records(
        absorb, records, staff, client, django_assert_max_num_queries):
    """Before: a query per indicator and trend quarter and a statistics read per computed row and quarter (about
    260 queries on the seed alone, 1.1-1.7 s). Now: the session and permissions, the indicators, the approved
    values in one query, the registered contracts in one read (with its prefetches), the pending count."""
    client.force_login(staff[1])  # a reviewer: the page also counts the values waiting for review
    client.get(URL)
    with django_assert_max_num_queries(20):
        assert client.get(URL).status_code == 200
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    for n in range(5):
        absorb(technology=str(300000 + n), total=str(4000000 + n))
    entering, approving = staff
    values.approve(approving, values.submit_manual(entering, Indicator.objects.get(code="a2027-national-platforms"),
                                                   parse("2026Q1"), "2", pdf_upload()))
    with CaptureQueriesContext(connection) as after:
        client.get(URL)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_an_anonymous_visitor_on_the_seed_costs_a_handful_of_queries(db, client, django_assert_max_num_queries):
    client.get(URL)
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200


def test_a_change_of_a_record_shows_on_the_next_request(absorb, staff, client, this_quarter, today):
    def shown(key):
        page = client.get(URL, {"period": this_quarter.key}).context
        rows = {card["row"].indicator.code: card["row"] for cards in page["groups"].values() for card in cards}
        return rows[key], page["charts"][key]

    absorbed, chart = shown("a2027-absorbed-transactions")
    registration = absorb(technology="900000", total="9000000")
    after, after_chart = shown("a2027-absorbed-transactions")
    assert after.computed.exact_amount == absorbed.computed.exact_amount + 900000
    assert registration.contract_id in after.computed.contract_ids
    assert after_chart["values"][-1] == float(after.value) != chart["values"][-1]
    # A change of the registration (cancelled) takes it out again.
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.CANCELLED)
    assert shown("a2027-absorbed-transactions")[0].computed.exact_amount == absorbed.computed.exact_amount
    # An approved manual value shows at once, beside the computed figure.
    entering, approving = staff
    values.approve(approving, values.submit_manual(entering, Indicator.objects.get(code="a2027-absorbed-transactions"),
                                                   this_quarter, "1.5", pdf_upload()))
    row, chart = shown("a2027-absorbed-transactions")
    assert row.conflict and str(row.value) == "1.5000" and chart["values"][-1] == 1.5
    assert figures([row]) == figures([dashboard.row(row.indicator, this_quarter, today)])
