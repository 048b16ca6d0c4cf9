"""A small world for achievements' tests (service and browser): a university that owns achievements, the
department, four experts of the field (one working at the university, so conflicted), a transfer contract."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from techmarket.accounts.roles import REVIEWERS
from techmarket.achievements.services import records
from techmarket.directory.models import Organisation, Region
from techmarket.experts.services import profiles
from techmarket.experts.services.profiles import ProfileInput

PASSWORD = "Qinghai-2026-test"
FIELD = "salt-lake.lithium"
TODAY = datetime.date.today()


def user(username: str, organisation=None, *, reviewer=False, verified=True):
    made = get_user_model().objects.create_user(username=username, password=PASSWORD, is_verified=verified,
                                                organisation=organisation, display_name=username)
    if reviewer:
        made.groups.add(Group.objects.get(name=REVIEWERS))
    return made


def organisation(name: str, kind=Organisation.Kind.UNIVERSITY, region="xining") -> Organisation:
    return Organisation.objects.create(name=name, kind=kind, region=Region.objects.get(code=region))


@dataclass
class World:
    department: object
    university: Organisation
    owner: object  # a verified member of the university
    experts: dict[str, object] = field(default_factory=dict)  # name → the expert's user account
    supervisor: Organisation | None = None
    supervisor_member: object = None
    buyer: Organisation | None = None
    buyer_member: object = None


def build(prefix: str = "") -> World:
    department = user(f"{prefix}dept", reviewer=True)
    university = organisation(f"{prefix}高原理工大学")
    world = World(department, university, user(f"{prefix}owner", university))
    for i, (name, org) in enumerate((("王专家", None), ("李专家", None), ("赵专家", None), ("孙专家", university)), 1):
        account = user(f"{prefix}expert{i}")
        expert = profiles.create_expert(department, ProfileInput(
            name=f"{prefix}{name}", region_id=Region.objects.get(code="xining").pk, field_codes=[FIELD],
            organisation_id=org.pk if org else None), verified=True)
        expert.user = account
        expert.save(update_fields=["user"])
        world.experts[name] = account
    world.supervisor = organisation(f"{prefix}青海省教育厅", Organisation.Kind.GOVERNMENT)
    world.supervisor_member = user(f"{prefix}supervisor", world.supervisor)
    world.buyer = organisation(f"{prefix}柴达木锂业有限公司", Organisation.Kind.ENTERPRISE, "haixi")
    world.buyer_member = user(f"{prefix}buyer", world.buyer)
    return world


def achievement_input(**values) -> records.AchievementInput:
    data = {"title": "低品位卤水吸附法提锂技术", "kind": "patent", "trl": 6,
            "summary": "以改性铝系吸附剂从低品位卤水中提取锂，吸附剂循环寿命超过 2000 次。",
            "completers": [("张教授", Decimal("60")), ("李博士", Decimal("40"))],
            "ip_number": "ZL202310000001.2", "ip_status": "granted", "field_code": FIELD,
            "confidential": "吸附剂配方：铝盐与锂盐摩尔比 2.1。", "public_funds": True}
    data.update(values)
    return records.AchievementInput(**data)


def achievement(world: World, **values):
    return records.create(world.owner, achievement_input(**values))
