"""Innovation platforms and introduced teams (read only): approved records, as the public directories show them
(docs/platforms.md). No personal contacts: names of leaders and members are part of the public record."""

import datetime
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from techmarket.api.schemas import MAX_ID, Error
from techmarket.platforms.services import records
from techmarket.platforms.services.kinds import kinds

router = Router(tags=["platforms"])


class PlatformQuery(Schema):
    kind: str = Field("", max_length=40)
    level: str = Field("", max_length=20)
    region: str = Field("", max_length=40)
    field: str = Field("", max_length=60)
    q: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100000)


class PlatformOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    level: str
    level_name: str
    host: str
    host_id: int
    partner_organisations: list[str]
    partner_regions: list[str]
    recognised_on: datetime.date
    recognition_number: str
    field: str | None
    url: str


class TeamOut(Schema):
    id: int
    name: str
    leader_name: str
    leader_title: str
    members: list[dict]
    origin: str
    host: str
    host_id: int
    introduced_on: datetime.date
    field: str | None
    url: str


class PlatformPage(Schema):
    count: int
    items: list[PlatformOut]


class TeamPage(Schema):
    count: int
    items: list[TeamOut]


def _platform(p) -> dict:
    table = kinds()
    return {"id": p.pk, "name": p.name, "kind": p.kind, "kind_name": table.kind_name(p.kind), "level": p.level,
            "level_name": table.level_name(p.level), "host": p.host.name, "host_id": p.host_id,
            "partner_organisations": [o.name for o in p.partner_organisations.all()],
            "partner_regions": [r.name for r in p.partner_regions.all()], "recognised_on": p.recognised_on,
            "recognition_number": p.recognition_number, "field": p.field.code if p.field_id else None,
            "url": p.get_absolute_url()}


def _team(t) -> dict:
    return {"id": t.pk, "name": t.name, "leader_name": t.leader_name, "leader_title": t.leader_title,
            "members": t.members, "origin": t.origin.name, "host": t.host.name, "host_id": t.host_id,
            "introduced_on": t.introduced_on, "field": t.field.code if t.field_id else None,
            "url": t.get_absolute_url()}


def _filters(params: PlatformQuery) -> records.Filters:
    return records.Filters(kind=params.kind, level=params.level, region=params.region, field=params.field,
                           q=params.q.strip())


@router.get("", response=PlatformPage, summary="列出已审核的创新平台")
def list_platforms(request, params: Query[PlatformQuery]):
    qs = records.public_platforms(_filters(params))
    return {"count": qs.count(), "items": [_platform(p) for p in qs[params.offset: params.offset + params.limit]]}


@router.get("/teams", response=TeamPage, summary="列出已审核的引进创新团队")
def list_teams(request, params: Query[PlatformQuery]):
    qs = records.public_teams(_filters(params))
    return {"count": qs.count(), "items": [_team(t) for t in qs[params.offset: params.offset + params.limit]]}


@router.get("/teams/{team_id}", response={200: TeamOut, 404: Error}, summary="引进创新团队详情")
def get_team(request, team_id: Path[Annotated[int, Field(ge=1, le=MAX_ID)]]):
    team = records.public_teams().filter(pk=team_id).first()
    if team is None:
        raise HttpError(404, "未找到该团队。")
    return _team(team)


@router.get("/{platform_id}", response={200: PlatformOut, 404: Error}, summary="创新平台详情")
def get_platform(request, platform_id: Path[Annotated[int, Field(ge=1, le=MAX_ID)]]):
    platform = records.public_platforms().filter(pk=platform_id).first()
    if platform is None:
        raise HttpError(404, "未找到该平台。")
    return _platform(platform)
