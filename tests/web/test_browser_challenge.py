"""A 赛马制 challenge in a real browser (issue 16's acceptance): publication, a clarification, three teams'
proposals (one without the required out-of-province partner refused with the reason), reviewers drawn with the
conflicted expert excluded automatically, anonymous scoring, a stage gate eliminating one team, a pitch, the
decision, a public notice with one objection resolved, milestones, acceptance and post-funding, with the ledger
and the two 2027 indicators moving and linking to the challenge. Then the challenge pages at phone width.

The call is drafted and the proposals are submitted through the services (dated so that the deadline has passed:
the pages add nothing there; tests/challenges cover the forms); every decision is taken on the pages.
Debian's chromium through Playwright against a live server (fixtures: tests/web/conftest.py)."""

import datetime

import pytest
from django.urls import reverse

from techmarket.challenges.models import Agreement, Challenge, Mode, Proposal
from techmarket.challenges.services import review
from techmarket.common.models import Notice
from techmarket.experts.services import search as expert_search
from techmarket.indicators.models import Indicator
from techmarket.indicators.services import values
from techmarket.indicators.services.periods import parse
from techmarket.policy.models import LedgerEntry
from tests.challenges import world as w
from tests.market.conftest import pdf_upload
from tests.web.browsing import log_in, submit
from tests.web.conftest import needs_chromium
from tests.web.journeys import PHONE, new_page, page_problems

pytestmark = needs_chromium
REFUSAL = "榜单要求省内单位联合省外单位揭榜，方案中没有省外合作单位"


@pytest.fixture(autouse=True)
def fresh_expert_index(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    expert_search.reset()
    yield
    expert_search.reset()


def _act(page, proposal_or_none, action, reason=""):
    """Press the department's button `action` (for a proposal, if given) on the page shown, with a reason."""
    form = f"form:has(input[name=action][value='{action}'])"
    if proposal_or_none is not None:
        form += f":has(input[name=proposal][value='{proposal_or_none.pk}'])"
    if reason:
        page.fill(f"{form} input[name=reason]", reason)
    submit(page, f"{form} button")


def _rows():
    from techmarket.indicators.services import dashboard

    today = w.TODAY
    return {row.indicator.code: row for row in dashboard.rows(parse(str(today.year)), today, "action-2027")}


def test_a_race_challenge_from_publication_to_post_funding(browser, live_server):
    world = w.build()
    base = live_server.url
    challenge = w.call(world, Mode.RACE)
    detail = base + challenge.get_absolute_url()

    # A clarification: a team asks on the page, the department answers, everyone sees it.
    team = log_in(browser, base, "team-西部锂业")
    team.goto(detail)
    team.fill("#question", "省外合作单位是否可以是企业？")
    submit(team, "#clarifications button")
    dept = log_in(browser, base, "dept")
    dept.goto(detail)
    dept.fill("textarea[name=answer]", "可以，须具有独立法人资格。")
    submit(dept, "form:has(input[value=answer]) button")
    visitor = browser.new_context().new_page()
    visitor.goto(detail)
    assert "答：可以，须具有独立法人资格。" in visitor.locator("#clarifications").inner_text()

    # Three proposals (submitted before the deadline); the third has no out-of-province partner.
    first, second = (w.propose(world, challenge, name) for name in ("盐湖研究所", "西部锂业"))
    alone = w.propose(world, challenge, "柴达木化工", partners=())

    # The department closes the call and checks the proposals: the third is refused with the reason.
    dept.goto(detail)
    _act(dept, None, "close")
    for proposal in (first, second, alone):
        _act(dept, proposal, "pass")
    assert REFUSAL in dept.locator("#proposals").inner_text()
    refused = log_in(browser, base, "team-柴达木化工")
    refused.goto(base + alone.get_absolute_url())
    assert REFUSAL in refused.locator("#proposal-status").inner_text()

    # Reviewers drawn: the expert from a bidder's organisation is excluded, and why is recorded.
    _act(dept, None, "draw")
    submit(dept, "a:has-text('查看抽取与回避情况')")
    panel = dept.inner_text("body")
    assert "孙专家" in panel and "与申报单位同属盐湖研究所" in panel
    challenge.refresh_from_db()
    assert sorted(e.expert.name for e in challenge.panel.drawn) == ["李专家", "王专家", "赵专家"]

    # Anonymous scoring: an expert scores on the pages and never sees who the team is.
    expert = log_in(browser, base, "expert1")  # 王专家
    expert.goto(base + reverse("challenges:review", args=[challenge.pk]))
    for proposal in (first, second):
        expert.goto(base + proposal.get_absolute_url())
        body = expert.inner_text("body")
        assert proposal.team_name not in body and "上海材料大学" not in body
        for i in range(4):
            expert.fill(f"#mark{i}", "85" if proposal == first else "70")
        expert.fill("#comment", "技术路线清楚，建议补充中试数据。")
        submit(expert, "#score-form button")
    for name in ("李专家", "赵专家"):
        for proposal in (first, second):
            review.score(world.experts[name], proposal, [80, 80, 80, 80] if proposal == first else [60] * 4,
                         "可行。")

    # A stage gate eliminates the second team; the first goes on to the pitch and is chosen.
    dept.goto(detail)
    dept.check(f"#pick-{second.pk}")
    dept.fill("#decide-reason", "专家评审得分较低，未进入路演。")
    submit(dept, "#decide-form button[value=gate]")
    assert Proposal.objects.get(pk=second.pk).status == Proposal.Status.ELIMINATED
    _act(dept, None, "pitch")
    for name in ("王专家", "李专家", "赵专家"):
        review.score(world.experts[name], first, [88, 88, 88, 88], "路演答辩充分。")
    dept.goto(detail)
    assert first.code in dept.locator("#pitch-ranking").inner_text()
    dept.check(f"#pick-{first.pk}")
    dept.fill("#decide-reason", "路演得分第一，技术路线可行。")
    submit(dept, "#decide-form button[value=decide]")
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.NOTICE

    # The public notice: an outsider objects, the department resolves it on the notice page.
    notice_url = base + reverse("common:notice", args=[challenge.notice_id])
    outsider = log_in(browser, base, "outsider")
    outsider.goto(notice_url)
    outsider.fill("#id_text", "入选团队的中试数据存疑。")
    submit(outsider, "form:has(#id_text) button")
    dept.goto(notice_url)
    dept.select_option("#id_decision", "dismiss")
    dept.fill("#id_resolution", "经核查，中试数据有第三方检测报告。")
    submit(dept, "form:has(#id_decision) button")
    assert "经核查" in dept.inner_text("body")
    visitor.goto(detail)
    assert "盐湖研究所攻关团队" in visitor.locator("#result").inner_text()
    # The notice period passes (five days).
    Notice.objects.filter(pk=challenge.notice_id).update(opens_on=w.TODAY - datetime.timedelta(days=6),
                                                         closes_on=w.TODAY - datetime.timedelta(days=2))

    # The task agreement, milestones with evidence, acceptance and post-funding.
    dept.goto(detail)
    _act(dept, first, "sign", "按方案开展攻关，两个里程碑。")
    agreement = Agreement.objects.get(proposal=first)
    lead = log_in(browser, base, "team-盐湖研究所")
    for milestone in agreement.milestone_set.order_by("position"):
        lead.goto(base + first.get_absolute_url())
        lead.fill(f"#report-{milestone.pk}", f"{milestone.title}已完成。")
        lead.set_input_files(f"#evidence-{milestone.pk}", files=[{
            "name": "报告.pdf", "mimeType": "application/pdf", "buffer": pdf_upload("m", "报告.pdf").read()}])
        submit(lead, f"form:has(#report-{milestone.pk}) button")
        dept.goto(base + first.get_absolute_url())
        submit(dept, f"form:has(input[name=milestone][value='{milestone.pk}']):has(input[value=milestone-pass]) "
                     "button")
    dept.goto(base + first.get_absolute_url())
    dept.fill(f"#reason-accept-{agreement.pk}", "可考核指标全部达到。")
    submit(dept, "form:has(input[value=accept]) button")
    submit(dept, "form:has(input[value=release]) button")
    fundings = dept.locator("#fundings").inner_text()
    assert fundings.count("元") >= 3
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.ACCEPTED
    paid = LedgerEntry.objects.filter(rule__rule_id="oc2025-3-challenge-funds", kind=LedgerEntry.Kind.PAID)
    assert paid.count() == 3

    # The two indicators moved and link to the challenge (the share needs the year's denominator, with evidence).
    approver = w.user("second-reviewer", reviewer=True)
    values.approve(approver, values.submit_manual(world.department, Indicator.objects.get(
        code="a2027-provincial-projects"), parse(str(w.TODAY.year)), "2", pdf_upload()))
    rows = _rows()
    assert rows["a2027-key-technologies"].value == 1
    assert rows["a2027-projects-with-partners"].value == 50
    for code in ("a2027-key-technologies", "a2027-projects-with-partners"):
        dept.goto(base + reverse("indicators:records", args=[code]) + f"?period={w.TODAY.year}")
        submit(dept, f"a[href='{challenge.get_absolute_url()}']")
        assert dept.url == detail


def test_the_challenge_pages_fit_a_phone(module_browser, live_server):
    world = w.build()
    challenge, kept, dropped = w.solved_race(world)
    base = live_server.url
    paths = {"": [reverse("challenges:list"), challenge.get_absolute_url()],
             "team-盐湖研究所": [kept.proposal.get_absolute_url(), reverse("challenges:mine")],
             "dept": [challenge.get_absolute_url(), kept.proposal.get_absolute_url(),
                      reverse("challenges:pipeline")],
             "expert1": [reverse("challenges:review", args=[challenge.pk]), reverse("challenges:mine")]}
    problems = []
    for username, urls in paths.items():
        page = new_page(module_browser, PHONE, base, username)
        for url in urls:
            page.goto(base + url)
            problems += [f"{username or '访客'} {url}: {p}" for p in page_problems(page, phone=True, axe=False)]
        page.context.close()
    assert not problems, "\n".join(problems)
