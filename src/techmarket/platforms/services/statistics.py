"""What the indicators count from platforms and teams (docs/platforms.md, "Indicators"): the indicators app calls
`counted()` and never reads these tables.

- `national-platform`: approved platforms of level national with at least one co-building partner (an organisation
  or a partner province), dated by their recognition (联合培育国家级创新平台, a2027-national-platforms);
- `team`: approved innovation teams introduced, dated by their introduction (引进高水平创新团队, a2027-teams).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.urls import reverse

from techmarket.platforms.models import Platform, Review, Team

NATIONAL_PLATFORM, TEAM = "national-platform", "team"


@dataclass(frozen=True)
class Counted:
    measure: str  # NATIONAL_PLATFORM or TEAM
    id: int
    date: datetime.date
    name: str

    @property
    def url(self) -> str:
        return reverse("platforms:platform" if self.measure == NATIONAL_PLATFORM else "platforms:team",
                       args=[self.id])


def co_built_national_platforms():
    partnered = Q(Exists(Platform.partner_organisations.through.objects.filter(platform_id=OuterRef("pk")))) | Q(
        Exists(Platform.partner_regions.through.objects.filter(platform_id=OuterRef("pk"))))
    return Platform.objects.filter(partnered, status=Review.APPROVED, level="national")


def introduced_teams():
    return Team.objects.filter(status=Review.APPROVED)


def counted(end: datetime.date | None = None) -> list[Counted]:
    """Every record the two measures count (up to `end`), in date order: one query for both."""
    platforms = co_built_national_platforms().annotate(measure=Value(NATIONAL_PLATFORM, output_field=CharField()))
    teams = introduced_teams().annotate(measure=Value(TEAM, output_field=CharField()))
    if end is not None:
        platforms, teams = platforms.filter(recognised_on__lte=end), teams.filter(introduced_on__lte=end)
    rows = platforms.order_by().values_list("measure", "pk", "recognised_on", "name").union(
        teams.order_by().values_list("measure", "pk", "introduced_on", "name"), all=True)
    return sorted((Counted(*row) for row in rows), key=lambda item: (item.date, item.measure, item.id))


def window(records: list[Counted], measure: str, start: datetime.date | None, end: datetime.date) -> list[Counted]:
    """The records of one measure dated from `start` (None: from the beginning) to `end`, both included."""
    return [r for r in records if r.measure == measure and (start is None or r.date >= start) and r.date <= end]
