"""A 揭榜挂帅 challenge and a technology tender run through the service layer, with the refusals on the way: a late
proposal, a withdrawn one, a repeated request, the notice's objection, the ledger and the indicators."""

import datetime
from decimal import Decimal

import pytest

from techmarket.challenges.errors import ChallengeDuplicate, ChallengeError, ChallengeInputError
from techmarket.challenges.models import Agreement, Challenge, Funding, Milestone, Mode, Proposal, Score
from techmarket.challenges.services import calls, delivery, proposals, review, statistics
from techmarket.common import notices
from techmarket.common.audit import history_for
from techmarket.common.errors import NotAllowed, NotFound
from techmarket.policy.models import LedgerEntry
from tests.challenges import world as w
from tests.market.conftest import pdf_upload

DAY = datetime.timedelta(days=1)
DECIDED = w.TODAY - 15 * DAY
SIGNED = w.TODAY - 9 * DAY


def _score_all(world, challenge, marks_by_expert):
    for name, marks in marks_by_expert.items():
        for proposal in review.eligible(challenge):
            review.score(world.experts[name], proposal, marks, f"{name}的意见：技术路线清楚。")


def test_open_call_from_publication_to_post_funding(world):
    challenge = w.call(world, Mode.OPEN)
    assert challenge.status == Challenge.Status.PUBLISHED

    question = calls.ask(world.teams["西部锂业"], challenge, "省外合作单位是否可以是企业？")
    assert calls.ask(world.teams["西部锂业"], challenge, "省外合作单位是否可以是企业？") == question
    assert not calls.public_clarifications(challenge).exists()
    calls.answer(world.department, question, "可以，须具有独立法人资格。")
    assert list(calls.public_clarifications(challenge)) == [question]

    first = w.propose(world, challenge, "盐湖研究所")
    assert w.propose(world, challenge, "盐湖研究所") == first  # the same request again: one record
    withdrawn = w.propose(world, challenge, "西部锂业")
    proposals.withdraw(world.teams["西部锂业"], withdrawn, "合作单位调整", on=w.SUBMITTED)
    assert Proposal.objects.get(pk=withdrawn.pk).status == Proposal.Status.WITHDRAWN
    third = w.propose(world, challenge, "柴达木化工")

    with pytest.raises(ChallengeError) as late:
        w.propose(world, challenge, "西部锂业", on=w.DEADLINE + DAY)
    assert late.value.message == f"榜单已于 {w.DEADLINE:%Y年%m月%d日} 截止揭榜，不再接受方案。"
    with pytest.raises(ChallengeError, match="截止，方案不能再撤回"):
        proposals.withdraw(world.teams["盐湖研究所"], first, on=w.DEADLINE + DAY)
    assert challenge.proposals.exclude(status=Proposal.Status.WITHDRAWN).count() == 2

    with pytest.raises(ChallengeError, match="尚未过去"):
        proposals.close_call(world.department, challenge, on=w.DEADLINE)
    challenge = proposals.close_call(world.department, challenge, on=w.CLOSED)
    for proposal in (first, third):
        review.formal_check(world.department, proposal, True)
    challenge = review.draw_panel(world.department, challenge, seed=7, on=w.CLOSED)
    excluded = {e.expert.name: e.reason for e in challenge.panel.excluded}
    assert excluded == {"孙专家": "与申报单位同属盐湖研究所"}
    assert sorted(e.expert.name for e in challenge.panel.drawn) == ["李专家", "王专家", "赵专家"]

    with pytest.raises(NotFound):  # not on the panel: 404, as if the review did not exist
        review.score(world.experts["孙专家"], first, [90, 90, 90, 90], "意见")
    _score_all(world, challenge, {"王专家": [90, 85, 80, 80], "李专家": [88, 86, 80, 75], "赵专家": [40, 50, 60, 60]})
    with pytest.raises(ChallengeDuplicate):
        review.score(world.experts["王专家"], first, [10, 10, 10, 10], "改分")
    ranking = review.tally(challenge, Score.Stage.REVIEW)
    assert [t.count for t in ranking] == [3, 3]
    assert all(t.dispersed for t in ranking)  # 赵专家 is far from the others on both

    with pytest.raises(ChallengeInputError, match="最多支持 1 个团队"):
        review.decide(world.department, challenge, [first, third], "两队均优", on=DECIDED)
    challenge = review.decide(world.department, challenge, [first], "综合得分第一", on=DECIDED)
    assert challenge.status == Challenge.Status.NOTICE
    assert Proposal.objects.get(pk=third.pk).status == Proposal.Status.NOT_SELECTED
    notice = challenge.notice
    assert "盐湖研究所攻关团队" in notice.body and notice.closes_on == DECIDED + 4 * DAY

    objection = notices.file_objection(world.outsider, notice, "入选团队的中试数据存疑。", on=DECIDED + DAY)
    with pytest.raises(ChallengeError, match="公示"):
        delivery.sign_agreement(world.department, Proposal.objects.get(pk=first.pk), "任务书", on=SIGNED)
    notices.resolve_objection(world.department, objection, False, "经核查，中试数据有第三方检测报告。")

    agreement = delivery.sign_agreement(world.department, Proposal.objects.get(pk=first.pk),
                                        "按方案开展攻关，两个里程碑。", on=SIGNED)
    assert delivery.sign_agreement(world.department, Proposal.objects.get(pk=first.pk), "再次签订",
                                   on=SIGNED) == agreement
    with pytest.raises(ChallengeError, match="没有企业出资"):  # public funds only: a grant, no contract
        delivery.record_contract(Proposal.objects.get(pk=first.pk).submitted_by, agreement)
    commit = LedgerEntry.objects.get(rule__rule_id="oc2025-3-challenge-funds", kind=LedgerEntry.Kind.COMMITTED)
    assert (commit.amount, commit.organisation, commit.year) == (Decimal("1000000"), first.organisation, SIGNED.year)
    assert Challenge.objects.get(pk=challenge.pk).status == Challenge.Status.IMPLEMENTING

    first_milestone, second = agreement.milestone_set.order_by("position")
    with pytest.raises(ChallengeInputError, match="佐证材料"):
        delivery.report_milestone(world.teams["盐湖研究所"], first_milestone, "中试完成。")
    delivery.report_milestone(world.teams["盐湖研究所"], first_milestone, "中试完成，循环 2100 次。",
                              pdf_upload("pilot", "中试报告.pdf"))
    delivery.review_milestone(world.department, first_milestone, True, on=w.TODAY)
    with pytest.raises(ChallengeError, match="尚未通过审核：工业示范"):
        delivery.accept(world.department, agreement, True, "通过")
    delivery.report_milestone(world.teams["盐湖研究所"], second, "示范线运行。", pdf_upload("demo", "示范.pdf"))
    delivery.review_milestone(world.department, second, False, "缺少运行记录。")
    assert Milestone.objects.get(pk=second.pk).status == Milestone.Status.RETURNED
    delivery.report_milestone(world.teams["盐湖研究所"], second, "示范线运行 30 天。", pdf_upload("demo2", "运行.pdf"))
    delivery.review_milestone(world.department, second, True, on=w.TODAY)
    agreement = delivery.accept(world.department, agreement, True, "指标全部达到。", on=w.TODAY)
    post = delivery.release_post_funding(world.department, agreement, on=w.TODAY)
    assert delivery.release_post_funding(world.department, agreement, on=w.TODAY) == post

    paid = LedgerEntry.objects.filter(rule__rule_id="oc2025-3-challenge-funds", kind=LedgerEntry.Kind.PAID)
    assert sorted(paid.values_list("amount", flat=True)) == [Decimal("300000"), Decimal("300000"),
                                                            Decimal("400000")]
    assert post.amount == Decimal("300000")
    assert Challenge.objects.get(pk=challenge.pk).status == Challenge.Status.FINISHED

    solved = statistics.solved(None, w.TODAY)
    assert [(c.id, c.url) for c in solved] == [(agreement.pk, f"/challenges/{challenge.pk}/")]
    assert [c.id for c in statistics.joint(None, w.TODAY)] == [agreement.pk]
    actions = [e.action for e in history_for(challenge)]
    assert actions[:4] == ["create", "publish", "close", "draw"] and "decide" in actions


def test_tender_with_prices_a_late_bid_and_a_withdrawn_one(world):
    challenge = w.call(world, Mode.TENDER, joint_required=False, title="技术招标：卤水在线检测系统")
    with pytest.raises(ChallengeInputError, match="请填写投标报价"):
        w.propose(world, challenge, "盐湖研究所", partners=())
    low = w.propose(world, challenge, "盐湖研究所", partners=(), price=Decimal("880000"))
    high = w.propose(world, challenge, "西部锂业", partners=(), price=Decimal("990000"))
    gone = w.propose(world, challenge, "柴达木化工", partners=(), price=Decimal("700000"))
    proposals.withdraw(world.teams["柴达木化工"], gone, on=w.DEADLINE)  # the deadline day itself is still open
    with pytest.raises(ChallengeError, match="截止揭榜"):
        w.propose(world, challenge, "柴达木化工", partners=(), price=Decimal("600000"), on=w.DEADLINE + DAY)

    proposals.close_call(world.department, challenge, on=w.CLOSED)
    review.formal_check(world.department, low)
    with pytest.raises(ChallengeInputError, match="审查意见"):
        review.formal_check(world.department, high, False)
    review.formal_check(world.department, high, False, "资质证明缺页。")
    assert Proposal.objects.get(pk=high.pk).status_reason == "资质证明缺页。"
    challenge = review.draw_panel(world.department, challenge, seed=1, on=w.CLOSED)
    _score_all(world, challenge, {"王专家": [80, 80, 80, 80]})
    challenge = review.decide(world.department, challenge, [low], "最低评标价中标", on=DECIDED)
    agreement = delivery.sign_agreement(world.department, Proposal.objects.get(pk=low.pk), "按投标文件实施",
                                        public_funds=Decimal("880000"), on=SIGNED)
    assert agreement.public_funds == Decimal("880000")
    assert Proposal.objects.get(pk=gone.pk).status == Proposal.Status.WITHDRAWN
    assert [p.code for p in Proposal.objects.filter(challenge=challenge).order_by("code")] == [
        "方案01", "方案02", "方案03"]


def test_race_refuses_a_team_without_an_out_of_province_partner_and_gates(world):
    challenge = w.call(world, Mode.RACE)
    teams = {name: w.propose(world, challenge, name) for name in ("盐湖研究所", "西部锂业")}
    alone = w.propose(world, challenge, "柴达木化工", partners=())
    proposals.close_call(world.department, challenge, on=w.CLOSED)
    refused = review.formal_check(world.department, alone, True)
    assert refused.status == Proposal.Status.REFUSED
    assert refused.status_reason == "榜单要求省内单位联合省外单位揭榜，方案中没有省外合作单位"
    for proposal in teams.values():
        review.formal_check(world.department, proposal)
    challenge = review.draw_panel(world.department, challenge, seed=3, on=w.CLOSED)
    _score_all(world, challenge, {"王专家": [80, 80, 80, 80], "李专家": [70, 70, 70, 70]})
    review.open_pitch(world.department, challenge)
    _score_all(world, Challenge.objects.get(pk=challenge.pk), {"王专家": [85, 85, 85, 85]})
    challenge = review.decide(world.department, Challenge.objects.get(pk=challenge.pk), list(teams.values()),
                              "两队并行攻关", on=DECIDED)
    agreements = [delivery.sign_agreement(world.department, Proposal.objects.get(pk=p.pk), "并行攻关", on=SIGNED)
                  for p in teams.values()]
    delivery.stage_gate(world.department, challenge, [agreements[1]], "中期考核吸附容量未达标。")
    assert Agreement.objects.get(pk=agreements[1].pk).status == Agreement.Status.ELIMINATED
    with pytest.raises(ChallengeError, match="至少保留一个团队"):
        delivery.stage_gate(world.department, challenge, [agreements[0]], "再淘汰")


def test_enterprise_challenge_needs_approval_and_earns_the_self_funded_reward(world):
    data = calls.ChallengeInput(
        title="企业出题：电池级碳酸锂除镁", problem="镁锂比高的卤水除镁。", mode=Mode.ENTRUST, field_code=w.FIELD,
        indicators=[{"name": "镁含量", "target": "≤50 ppm"}], public_funds=Decimal(0),
        own_funds=Decimal("20000000"), deadline=w.DEADLINE, listed_in_plan=True, reviewers_count=1)
    challenge = calls.create_challenge(world.challenger, data, on=w.PUBLISHED)
    assert challenge.challenger == world.enterprise and challenge.status == Challenge.Status.DRAFT
    with pytest.raises(NotAllowed):
        calls.approve(world.challenger, challenge)
    calls.submit_for_approval(world.challenger, challenge)
    challenge = calls.approve(world.department, challenge, "同意发布", on=w.PUBLISHED)
    proposal = w.propose(world, challenge, "西部锂业", partners=())
    proposals.close_call(world.department, challenge, on=w.CLOSED)
    review.formal_check(world.department, proposal)
    challenge = review.draw_panel(world.department, challenge, seed=2, on=w.CLOSED)
    _score_all(world, challenge, {name: [75, 75, 75, 75] for name in ("王专家", "李专家", "赵专家", "孙专家")
                                  if challenge.panel.drawn.filter(expert__name=name).exists()})
    challenge = review.decide(world.department, challenge, [proposal], "委托", on=DECIDED)
    agreement = delivery.sign_agreement(world.department, Proposal.objects.get(pk=proposal.pk), "企业出资攻关",
                                        public_funds=0, own_funds=Decimal("20000000"), on=SIGNED)
    _, reward = delivery.record_spending(world.department, agreement, 2026, Decimal("6000000"), "2026年度专项审计报告")
    assert reward.amount == Decimal("1800000.00")
    _, second = delivery.record_spending(world.department, agreement, 2027, Decimal("6000000"), "2027年度审计",
                                         on=w.TODAY)
    assert second.amount == Decimal("1200000.00")  # the ¥3M cap per project, across years
    entries = LedgerEntry.objects.filter(rule__rule_id="oc2025-3-self-funded-rd")
    assert sorted(entries.values_list("amount", flat=True)) == [Decimal("1200000"), Decimal("1800000")]
    assert set(entries.values_list("organisation", flat=True)) == {world.enterprise.pk}
    assert Funding.objects.filter(agreement=agreement, kind=Funding.Kind.REWARD).count() == 2
    # The task agreement becomes the two parties' technology contract, recorded by the team, once.
    team = Proposal.objects.get(pk=proposal.pk).submitted_by
    with pytest.raises(NotAllowed):
        delivery.record_contract(world.challenger, agreement)  # the enterprise is not the team
    contract = delivery.record_contract(team, agreement)
    assert contract.contract_type == "development-commissioned" and contract.total_amount == Decimal("20000000")
    assert {p.organisation_id: p.role for p in contract.parties.all()} == {
        proposal.organisation_id: "developer", world.enterprise.pk: "commissioner"}
    assert delivery.record_contract(team, agreement) == contract
    assert Agreement.objects.get(pk=agreement.pk).contract_id == contract.pk


def test_bounds_are_refused_with_chinese_messages(world):
    base = dict(title="测试榜单", problem="问题", mode=Mode.OPEN, field_code=w.FIELD,
                indicators=[{"name": "指标", "target": "1"}], public_funds="100", deadline=w.TODAY)
    for change, message in (({"public_funds": "-1"}, "财政资金须在 0 到 1000 亿元之间"),
                            ({"public_funds": "100000000000.01"}, "财政资金须在 0 到 1000 亿元之间"),
                            ({"deadline": datetime.date(2101, 1, 1)}, "截止日期"),
                            ({"title": "x" * 301}, "榜单名称不能超过 300 个字"),
                            ({"title": "a\u202eb"}, "控制字符"),
                            ({"indicators": []}, "至少填写一项可考核指标"),
                            ({"criteria": [{"name": "唯一", "weight": 90}]}, "权重合计须为 100"),
                            ({"winners_count": 3}, "只有赛马制")):
        with pytest.raises(ChallengeInputError, match=message):
            calls.create_challenge(world.department, calls.ChallengeInput(**{**base, **change}))
    assert not Challenge.objects.filter(title="测试榜单").exists()

