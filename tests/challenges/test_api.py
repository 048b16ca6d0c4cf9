"""The challenges API (docs/api.md, "Other domains"): public list and detail of published challenges with the
answered clarifications and, once the notice is out, the result; nothing confidential (no proposal, score,
comment, reviewer, asker, contact), drafts hidden."""

import datetime

import pytest

from techmarket.challenges.models import Challenge, Mode
from techmarket.challenges.services import calls, proposals, review
from tests.challenges import world as w

DECIDED = w.TODAY - datetime.timedelta(days=15)
SECRETS_OF = ("未发布的草稿榜单", "改性钛系吸附剂", "方案扎实", "王专家", "李专家", "赵专家", "孙专家", "张负责人",
              "expert", "team-", "未答复的问题")


@pytest.fixture
def race(world):
    challenge = w.call(world, Mode.RACE)
    item = calls.ask(world.teams["西部锂业"], challenge, "是否接受联合体？")
    calls.answer(world.department, item, "接受。")
    calls.ask(world.teams["西部锂业"], challenge, "未答复的问题")
    first, second = (w.propose(world, challenge, name) for name in ("盐湖研究所", "西部锂业"))
    return world, challenge, first, second


def _decide(world, challenge, first, second):
    proposals.close_call(world.department, challenge, on=w.CLOSED)
    for p in (first, second):
        review.formal_check(world.department, p)
    challenge = review.draw_panel(world.department, challenge, seed=5, on=w.CLOSED)
    for name in ("王专家", "李专家", "赵专家"):
        for p in (first, second):
            review.score(world.experts[name], p, [80, 70, 60, 90], "方案扎实，建议补充中试数据。")
    return review.decide(world.department, Challenge.objects.get(pk=challenge.pk), [first], "综合得分第一",
                         on=DECIDED)


def _clean(body: str):
    for secret in SECRETS_OF:
        assert secret not in body, secret


def test_the_public_sees_the_call_and_its_answered_clarifications(client, race):
    world, challenge, first, second = race
    draft = w.call(world, Mode.OPEN, title="未发布的草稿榜单")
    Challenge.objects.filter(pk=draft.pk).update(status=Challenge.Status.DRAFT)
    listed = client.get("/api/challenges")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [challenge.pk]
    assert client.get(f"/api/challenges/{draft.pk}").status_code == 404

    response = client.get(f"/api/challenges/{challenge.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == challenge.title and body["mode_label"] == "赛马制" and body["joint_required"]
    assert body["clarifications"] == [{"question": "是否接受联合体？", "answer": "接受。",
                                       "answered_at": body["clarifications"][0]["answered_at"]}]
    assert body["figures"]["registrations"] == 2
    assert body["result"] is None
    _clean(response.content.decode())

    assert client.get("/api/challenges", {"mode": "open"}).json()["count"] == 0
    assert client.get("/api/challenges", {"mode": "race", "status": "published"}).json()["count"] == 1
    assert client.get("/api/challenges", {"mode": "nonsense"}).status_code == 422
    assert client.get("/api/challenges", {"status": "draft"}).status_code == 422
    assert client.get(f"/api/challenges/{challenge.pk}/proposals").status_code == 404


def test_the_result_is_public_once_the_notice_is_out_and_nothing_confidential(client, race):
    world, challenge, first, second = race
    assert client.get(f"/api/challenges/{challenge.pk}").json()["result"] is None
    challenge = _decide(world, challenge, first, second)
    for user in (None, world.outsider, world.teams["西部锂业"]):  # the same for everyone
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(f"/api/challenges/{challenge.pk}")
        result = response.json()["result"]
        assert result["winners"] == [{"team": "盐湖研究所攻关团队", "organisation": "盐湖研究所"}]
        assert result["reason"] == "综合得分第一" and result["notice"]["outcome_label"]
        assert result["notice"]["url"].startswith("/")
        _clean(response.content.decode())
        _clean(client.get("/api/challenges").content.decode())
