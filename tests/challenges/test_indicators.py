"""The two 2027 indicators challenges feed (docs/challenges.md, "Statistics"; docs/indicators.md): a solved 赛马制
challenge with an out-of-province partner counts toward 联合破解重大关键技术 and, with every signed agreement of a
team with one, is the numerator of 省级科技计划项目与省外合作实施比例, whose denominator is entered with evidence; both
link to the challenge, on the dashboard as in the straightforward computation."""

from decimal import Decimal

from django.contrib.auth.models import Group
from django.urls import reverse

from techmarket.accounts.roles import REVIEWERS
from techmarket.indicators.models import Indicator
from techmarket.indicators.services import computations, dashboard, values
from techmarket.indicators.services.periods import parse
from tests.challenges import world as w
from tests.market.conftest import pdf_upload

YEAR = parse(str(w.TODAY.year))
KEY, SHARE, DENOMINATOR = "a2027-key-technologies", "a2027-projects-with-partners", "a2027-provincial-projects"


def _rows(period=YEAR):
    return {row.indicator.code: row for row in dashboard.page(period, w.TODAY).rows}


def _approve_denominator(world, value):
    second = w.user("second-reviewer", reviewer=True)
    indicator = Indicator.objects.get(code=DENOMINATOR)
    return values.approve(second, values.submit_manual(world.department, indicator, YEAR, value, pdf_upload()))


def test_a_solved_race_moves_both_indicators_and_each_links_to_the_challenge(world):
    before = _rows()
    assert before[KEY].value == 0 and before[SHARE].value == 0
    challenge, kept, dropped = w.solved_race(world)
    url = reverse("challenges:detail", args=[challenge.pk])

    rows = _rows()
    key = rows[KEY].computed
    assert key.value == 1 and [(link.id, link.url) for link in key.links] == [(kept.pk, url)]
    # Both signed agreements had the Shanghai partner: the numerator counts them; no denominator yet: 0.
    share = rows[SHARE].computed
    assert share.value == 0
    assert [(link.id, link.url) for link in share.links] == [(kept.pk, url), (dropped.pk, url)]

    denominator = _approve_denominator(world, "4")
    share = _rows()[SHARE].computed
    assert share.value == Decimal("50.00")  # 2 of 4 provincial projects
    assert share.links[-1].url == reverse("indicators:evidence", args=[denominator.pk])
    assert share.links[-1].label.startswith("分母：") and "4 项" in share.links[-1].label
    assert all(link.label.startswith("分子：") for link in share.links[:-1])

    # The dashboard's single read gives the straightforward computation's figures, trend quarters included.
    for period in (YEAR, parse(f"{w.TODAY.year}Q{(w.TODAY.month - 1) // 3 + 1}")):
        page = _rows(period)
        for code in (KEY, SHARE):
            start, end = dashboard.window(page[code].indicator, period)
            assert page[code].computed == computations.compute(page[code].indicator.computed_by, start, end)


def test_an_unaccepted_agreement_counts_only_as_a_joint_project(world):
    challenge, kept, dropped = w.solved_race(world, accept=False)
    rows = _rows()
    assert rows[KEY].value == 0
    assert len(rows[SHARE].computed.links) == 2


def test_the_records_page_lists_the_challenge(world, client):
    challenge, kept, dropped = w.solved_race(world)
    _approve_denominator(world, "2")
    client.force_login(world.department)
    for code, count in ((KEY, 1), (SHARE, 3)):
        page = client.get(reverse("indicators:records", args=[code]), {"period": str(w.TODAY.year)})
        assert page.status_code == 200
        assert len(page.context["items"]) == count
        assert reverse("challenges:detail", args=[challenge.pk]) in page.content.decode()
    assert Group.objects.filter(name=REVIEWERS).exists()
