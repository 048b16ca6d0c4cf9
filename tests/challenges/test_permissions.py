"""Who opens what, by real requests: proposals only to their team, the drawn experts and the department; experts
only what they were drawn for, anonymously; bidders never see who reviewed them; the public sees the call, the
answered clarifications and, after the notice, the result; drafts are hidden."""

import datetime
import io
from decimal import Decimal

import pytest

from techmarket.challenges.models import Mode
from techmarket.challenges.services import calls, proposals, review
from tests.challenges import world as w

DECIDED = w.TODAY - datetime.timedelta(days=15)


@pytest.fixture
def reviewed(world):
    """A race with two eligible proposals, scored by the drawn experts, then decided."""
    challenge = w.call(world, Mode.RACE)
    item = calls.ask(world.teams["西部锂业"], challenge, "是否接受联合体？")
    calls.answer(world.department, item, "接受。")
    calls.ask(world.teams["西部锂业"], challenge, "未答复的问题")
    first, second = (w.propose(world, challenge, name) for name in ("盐湖研究所", "西部锂业"))
    proposals.close_call(world.department, challenge, on=w.CLOSED)
    for p in (first, second):
        review.formal_check(world.department, p)
    challenge = review.draw_panel(world.department, challenge, seed=5, on=w.CLOSED)
    for name in ("王专家", "李专家"):
        for p in (first, second):
            review.score(world.experts[name], p, [80, 70, 60, 90], "方案扎实，建议补充中试数据。")
    return world, challenge, first, second


def _get(client, user, path):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(path)


def test_a_proposal_is_seen_by_its_team_the_drawn_experts_and_the_department(client, reviewed):
    world, challenge, first, second = reviewed
    path = f"/challenges/proposals/{first.pk}/"
    team = _get(client, world.teams["盐湖研究所"], path)
    assert team.status_code == 200 and "盐湖研究所攻关团队" in team.content.decode()
    assert _get(client, world.department, path).status_code == 200
    expert = _get(client, world.experts["王专家"], path).content.decode()
    assert "方案01" in expert and "盐湖研究所攻关团队" not in expert and "上海材料大学" not in expert  # anonymous
    for other in (world.teams["西部锂业"], world.experts["孙专家"], world.outsider, world.challenger):
        assert _get(client, other, path).status_code == 404
    assert _get(client, None, path).status_code == 302  # to the log-in page


def test_experts_see_only_their_review_and_teams_never_see_who_scored(client, reviewed):
    world, challenge, first, second = reviewed
    review_path = f"/challenges/{challenge.pk}/review/"
    assert _get(client, world.experts["王专家"], review_path).status_code == 200
    assert _get(client, world.experts["孙专家"], review_path).status_code == 404  # excluded for a conflict
    assert _get(client, world.teams["盐湖研究所"], review_path).status_code == 404
    score = client.post(f"/challenges/proposals/{first.pk}/score/", {"mark0": 1, "mark1": 1, "mark2": 1,
                                                                     "mark3": 1, "comment": "越权评分"})
    assert score.status_code == 404
    review.decide(world.department, challenge, [first], "得分第一", on=DECIDED)
    page = _get(client, world.teams["盐湖研究所"], f"/challenges/proposals/{first.pk}/").content.decode()
    assert "评审反馈" in page and "方案扎实" in page
    assert "王专家" not in page and "李专家" not in page
    detail = _get(client, world.teams["盐湖研究所"], challenge.get_absolute_url()).content.decode()
    assert "王专家" not in detail and "抽取与回避" not in detail


def test_the_public_sees_the_call_answered_questions_and_the_result_after_the_notice(client, reviewed):
    world, challenge, first, second = reviewed
    page = _get(client, None, challenge.get_absolute_url()).content.decode()
    assert "接受。" in page and "未答复的问题" not in page
    assert "评审结果" not in page and "方案01" not in page
    review.decide(world.department, challenge, [first, second], "两队并行", on=DECIDED)
    page = _get(client, None, challenge.get_absolute_url()).content.decode()
    assert "评审结果" in page and "盐湖研究所攻关团队" in page
    assert "王专家" not in page and "张负责人" not in page


def test_drafts_and_the_department_pages_are_not_for_others(client, world):
    draft = calls.create_challenge(world.challenger, calls.ChallengeInput(
        title="企业草稿榜单", problem="问题", mode=Mode.OPEN, field_code=w.FIELD,
        indicators=[{"name": "指标", "target": "1"}], own_funds=Decimal("100"), deadline=w.TODAY))
    assert _get(client, world.challenger, draft.get_absolute_url()).status_code == 200
    for other in (world.outsider, world.teams["盐湖研究所"], None):
        assert _get(client, other, draft.get_absolute_url()).status_code == 404
    assert _get(client, world.department, draft.get_absolute_url()).status_code == 200
    assert _get(client, world.outsider, "/challenges/pipeline/").status_code == 403
    assert _get(client, world.department, "/challenges/pipeline/").status_code == 200
    assert "企业草稿榜单" not in _get(client, None, "/challenges/").content.decode()
    client.force_login(world.department)
    act = client.post(f"/challenges/{draft.pk}/act/", {"action": "publish"})
    assert act.status_code == 302
    client.force_login(world.outsider)
    assert client.post(f"/challenges/{draft.pk}/act/", {"action": "publish"}).status_code == 403
    assert "企业草稿榜单" in _get(client, None, "/challenges/").content.decode()  # published by the department


def test_a_team_registers_and_withdraws_through_the_pages(client, world):
    challenge = w.call(world, Mode.OPEN, deadline=w.TODAY + datetime.timedelta(days=10))
    client.force_login(world.teams["西部锂业"])
    form = client.get(f"/challenges/{challenge.pk}/propose/")
    assert form.status_code == 200
    due = (w.TODAY + datetime.timedelta(days=90)).isoformat()
    response = client.post(f"/challenges/{challenge.pk}/propose/", {
        "team_name": "西部锂业团队", "leader_name": "李四", "approach": "膜法提锂。", "trl_now": 4,
        "trl_promised": 6, "budget": "500000", "partner_name": "上海材料大学", "partner_region": "shanghai",
        "milestone1": "小试", "milestone1_due": due, "milestone1_amount": "100000"})
    assert response.status_code == 302
    proposal = challenge.proposals.get()
    assert [p.region.code for p in proposal.partners.all()] == ["haixi", "shanghai"]
    client.post(f"/challenges/proposals/{proposal.pk}/act/", {"action": "withdraw", "reason": "调整"})
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_the_command_lists_public_challenges_as_json(world):
    import json

    from django.core.management import call_command

    challenge = w.call(world, Mode.OPEN)
    w.propose(world, challenge, "盐湖研究所")
    calls.create_challenge(world.challenger, calls.ChallengeInput(
        title="未发布草稿", problem="问题", mode=Mode.OPEN, field_code=w.FIELD,
        indicators=[{"name": "指标", "target": "1"}], own_funds=Decimal("100"), deadline=w.TODAY))
    out = io.StringIO()
    call_command("challenges", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["title"], r["registrations"], r["regions"]) for r in rows] == [
        (challenge.title, 1, {"西宁市": 1, "上海市": 1})]
