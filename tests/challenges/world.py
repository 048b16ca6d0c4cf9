"""A small world for challenge tests (service tests, page tests and browser tests share it): the department, an
enterprise that sets a problem, teams inside and outside Qinghai, and experts of the pool with accounts — one of
them from a team's organisation, so the draw must exclude them. Everything is made through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from techmarket.accounts.roles import REVIEWERS
from techmarket.challenges.models import Challenge, Mode, Proposal
from techmarket.challenges.services import calls, proposals
from techmarket.directory.models import Organisation, Region
from techmarket.experts.services import profiles
from techmarket.experts.services.profiles import ProfileInput

PASSWORD = "Qinghai-2026-test"
FIELD = "salt-lake.lithium"
TODAY = datetime.date.today()
PUBLISHED = TODAY - datetime.timedelta(days=40)
SUBMITTED = TODAY - datetime.timedelta(days=30)
DEADLINE = TODAY - datetime.timedelta(days=20)
CLOSED = TODAY - datetime.timedelta(days=19)


def user(username: str, organisation=None, *, reviewer=False, verified=True, **extra):
    made = get_user_model().objects.create_user(username=username, password=PASSWORD, is_verified=verified,
                                                organisation=organisation, display_name=username, **extra)
    if reviewer:
        made.groups.add(Group.objects.get(name=REVIEWERS))
    return made


def organisation(name: str, region: str, kind=Organisation.Kind.ENTERPRISE) -> Organisation:
    return Organisation.objects.create(name=name, kind=kind, region=Region.objects.get(code=region))


@dataclass
class World:
    department: object
    enterprise: Organisation
    challenger: object  # a verified member of the enterprise
    teams: dict[str, object] = field(default_factory=dict)  # name → a verified member of its lead organisation
    organisations: dict[str, Organisation] = field(default_factory=dict)
    experts: dict[str, object] = field(default_factory=dict)  # name → the expert's user account
    outsider: object = None  # a verified member of an organisation that takes no part


def build(prefix: str = "") -> World:
    department = user(f"{prefix}dept", reviewer=True)
    enterprise = organisation(f"{prefix}青海锂盐股份有限公司", "haixi")
    world = World(department, enterprise, user(f"{prefix}challenger", enterprise))
    for name, region in (("盐湖研究所", "xining"), ("西部锂业", "haixi"), ("柴达木化工", "haixi")):
        world.organisations[name] = organisation(f"{prefix}{name}", region, Organisation.Kind.INSTITUTE)
        world.teams[name] = user(f"{prefix}team-{name}", world.organisations[name])
    world.organisations["上海材料大学"] = organisation(f"{prefix}上海材料大学", "shanghai",
                                                 Organisation.Kind.UNIVERSITY)
    world.outsider = user(f"{prefix}outsider", organisation(f"{prefix}无关公司", "xining"))
    conflicted = world.organisations["盐湖研究所"]
    for i, (name, org) in enumerate((("王专家", None), ("李专家", None), ("赵专家", None), ("孙专家", conflicted)), 1):
        account = user(f"{prefix}expert{i}")
        expert = profiles.create_expert(department, ProfileInput(
            name=f"{prefix}{name}", region_id=Region.objects.get(code="xining").pk, field_codes=[FIELD],
            organisation_id=org.pk if org else None), verified=True)
        expert.user = account
        expert.save(update_fields=["user"])
        world.experts[name] = account
    return world


def call(world: World, mode: str = Mode.RACE, **values) -> Challenge:
    """A published challenge set by the department (dated so that its deadline has passed today)."""
    data = calls.ChallengeInput(
        title=values.pop("title", f"{Mode(mode).label}：盐湖提锂吸附剂寿命攻关"),
        problem="低品位卤水提锂吸附剂循环寿命不足，需将循环次数提高到 2000 次以上。", mode=mode, field_code=FIELD,
        indicators=[{"name": "吸附剂循环次数", "target": "≥2000 次"}, {"name": "锂收率", "target": "≥85%"}],
        public_funds=values.pop("public_funds", Decimal("3000000")), own_funds=values.pop("own_funds", Decimal(0)),
        payment_terms="按里程碑拨付，验收通过后拨付余款。", deadline=values.pop("deadline", DEADLINE),
        eligibility="省内企业、科研机构牵头。", joint_required=values.pop("joint_required", True),
        ip_terms="成果归出题单位与揭榜单位共有。", confidentiality="方案仅供评审使用。",
        reviewers_count=values.pop("reviewers_count", 3), winners_count=2 if mode == Mode.RACE else 1,
        notice_days=5, **values)
    challenge = calls.create_challenge(world.department, data, on=PUBLISHED)
    return calls.publish(world.department, challenge, on=PUBLISHED)


def propose(world: World, challenge: Challenge, team: str, *, partners=("上海材料大学",), on=SUBMITTED,
            price=None, budget=Decimal("1000000")) -> Proposal:
    partner_rows = [{"name": world.organisations[p].name, "region": world.organisations[p].region.code,
                     "organisation_id": world.organisations[p].pk, "role": "材料表征"} for p in partners]
    data = proposals.ProposalInput(
        team_name=f"{team}攻关团队", leader_name="张负责人", approach=f"{team}：改性钛系吸附剂＋连续柱工艺。",
        trl_now=4, trl_promised=7, partners=partner_rows, budget=budget, price=price,
        milestones=[{"title": "完成中试", "due_on": (TODAY + datetime.timedelta(days=60)).isoformat(),
                     "amount": "400000"},
                    {"title": "工业示范", "due_on": (TODAY + datetime.timedelta(days=200)).isoformat(),
                     "amount": "300000"}])
    return proposals.submit(world.teams[team], challenge, data, on=on)


def solved_race(world: World, *, accept: bool = True):
    """A 赛马制 challenge run through the services to acceptance: two teams with the Shanghai partner selected and
    signed (9 days ago), the second eliminated at the stage gate, the first's milestones accepted and the agreement
    accepted today (unless `accept` is false). Returns (challenge, kept agreement, eliminated agreement)."""
    from techmarket.challenges.models import Agreement
    from techmarket.challenges.services import delivery, review
    from tests.market.conftest import pdf_upload

    challenge = call(world, Mode.RACE)
    first, second = (propose(world, challenge, name) for name in ("盐湖研究所", "西部锂业"))
    proposals.close_call(world.department, challenge, on=CLOSED)
    for proposal in (first, second):
        review.formal_check(world.department, proposal)
    challenge = review.draw_panel(world.department, challenge, seed=3, on=CLOSED)
    for name in ("王专家", "李专家", "赵专家"):
        for proposal in review.eligible(challenge):
            review.score(world.experts[name], proposal, [80, 80, 80, 80], "技术路线清楚。")
    decided = TODAY - datetime.timedelta(days=15)
    challenge = review.decide(world.department, Challenge.objects.get(pk=challenge.pk), [first, second],
                              "两队并行攻关", on=decided)
    signed = TODAY - datetime.timedelta(days=9)
    kept, dropped = (delivery.sign_agreement(world.department, Proposal.objects.get(pk=p.pk), "并行攻关", on=signed)
                     for p in (first, second))
    delivery.stage_gate(world.department, challenge, [dropped], "中期考核吸附容量未达标。")
    if accept:
        for milestone in kept.milestone_set.order_by("position"):
            delivery.report_milestone(world.teams["盐湖研究所"], milestone, "已完成。", pdf_upload("m", "报告.pdf"))
            delivery.review_milestone(world.department, milestone, True, on=TODAY)
        kept = delivery.accept(world.department, kept, True, "指标全部达到。", on=TODAY)
    return Challenge.objects.get(pk=challenge.pk), kept, Agreement.objects.get(pk=dropped.pk)
