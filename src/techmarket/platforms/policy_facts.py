"""Innovation platforms and teams as facts for the policy engine (techmarket.policy.services.facts).

An approved platform whose kind or level data/platforms/kinds.yaml maps to a recognition kind (national level:
`national-innovation-platform`; a provincially recognised new R&D institution: `new-rd-institution`) is a claimable
`recognition` event dated by its recognition, the host organisation its recipient; an approved team is one
(`qianren-introduced-team`) only when its record says it was selected under the 高端创新人才千人计划. The record
vouches for the recognition document (`recognition-document`). The host's verified members may claim from it."""

from __future__ import annotations

from techmarket.common.permissions import allowed, is_verified_member
from techmarket.platforms.models import Platform, Review, Team
from techmarket.platforms.services.kinds import kinds
from techmarket.policy.services.facts import Record, register_source

PLATFORM_SOURCE, TEAM_SOURCE = "platforms.platform", "platforms.team"
TEAM_KIND = "qianren-introduced-team"


def _recipient(record) -> list[dict]:
    return [{"role": "recipient", "name": record.host.name, "organisation_id": record.host_id}]


def _evidence(record, what: str) -> dict[str, str]:
    return {"recognition-document": f"平台登记记录：{what}，证明文件“{record.document_name}”经省科技厅审核"
            if record.document_name else f"平台登记记录：{what}，经省科技厅审核登记"}


def platform_record(platform: Platform) -> Record | None:
    kind = kinds().recognition(platform.kind, platform.level)
    if not kind or platform.status != Review.APPROVED:
        return None
    event = {"type": "recognition", "date": platform.recognised_on.isoformat(), "kind": kind,
             "parties": _recipient(platform), "project": f"platform-{platform.pk}"}
    if platform.construction_years:
        event["years"] = platform.construction_years
    number = f"（{platform.recognition_number}）" if platform.recognition_number else ""
    what = f"{kinds().level_name(platform.level)}{kinds().kind_name(platform.kind)}《{platform.name}》{number}"
    return Record(source=PLATFORM_SOURCE, key=str(platform.pk), label=what, url=platform.get_absolute_url(),
                  event=event, organisation_ids=frozenset({platform.host_id}), evidence=_evidence(platform, what))


def team_record(team: Team) -> Record | None:
    if not team.qianren_team or team.status != Review.APPROVED:
        return None
    event = {"type": "recognition", "date": team.introduced_on.isoformat(), "kind": TEAM_KIND,
             "parties": _recipient(team), "project": f"team-{team.pk}"}
    what = f"引进创新团队《{team.name}》（带头人 {team.leader_name}）"
    return Record(source=TEAM_SOURCE, key=str(team.pk), label=what, url=team.get_absolute_url(), event=event,
                  organisation_ids=frozenset({team.host_id}), evidence=_evidence(team, what))


def _fetch(model, build):
    def fetch(key: str, user) -> Record | None:
        if not key.isdigit():
            return None
        record = model.objects.select_related("host").filter(pk=int(key)).first()
        if record is None or not allowed(user, "platforms.view_record", record):
            return None
        return build(record)
    return fetch


def _list_for(model, build):
    def list_for(user) -> list[Record]:
        """The approved records hosted by the user's organisation that are recognitions, newest first."""
        if not is_verified_member(user):
            return []
        found = model.objects.filter(host_id=user.organisation_id, status=Review.APPROVED).select_related("host")
        return [item for item in (build(record) for record in found[:50]) if item is not None]
    return list_for


register_source(PLATFORM_SOURCE, "创新平台认定", _fetch(Platform, platform_record),
                _list_for(Platform, platform_record))
register_source(TEAM_SOURCE, "引进创新团队", _fetch(Team, team_record), _list_for(Team, team_record))
