"""The register of contract-registration institutions (技术合同登记机构) as pages, the API and exports read it: each
registry with the prefectures it serves, its certified full-time registrars, the conditions of 第十五条 it does not
meet, its registered contracts (this year and all) and its 第十九条 decisions. The records are the market's
(techmarket.market.services.registries); the decisions are the ecosystem's sanctions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from techmarket.ecosystem.models import Sanction
from techmarket.ecosystem.services.complaints import registry_sanctions
from techmarket.ecosystem.services.institutions import today
from techmarket.market.models import Registry
from techmarket.market.services import registries as market_registries
from techmarket.market.services.statistics import Bucket, registry_figures


@dataclass
class Entry:
    registry: Registry
    served: list[str]
    certified: int
    unmet: list
    year: Bucket | None
    overall: Bucket | None
    sanctions: list[Sanction]
    in_force: list[Sanction]

    @property
    def service_area(self) -> str:
        if self.registry.is_provincial:
            return "全省（省外登记核验、复议）" + (f"；{'、'.join(self.served)}" if self.served else "")
        return "、".join(self.served) or "所在市州"


def entries(registries: list[Registry] | None = None) -> tuple[list[Entry], int]:
    """The register's entries (all registries, or those given, with staff and served regions prefetched) and the
    year their yearly figures count."""
    if registries is None:
        registries = list(market_registries.registries_with_staff())
    by_registry: dict[int, list[Sanction]] = {}
    for sanction in registry_sanctions().filter(registry__in=registries):
        by_registry.setdefault(sanction.registry_id, []).append(sanction)
    year = today().year
    this_year = registry_figures(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    overall = registry_figures()
    result = []
    for registry in registries:
        staff = list(registry.staff.all())
        sanctions = by_registry.get(registry.pk, [])
        result.append(Entry(
            registry=registry, served=[r.name for r in registry.served_regions.all()],
            certified=len(market_registries.certified(staff)),
            unmet=market_registries.unmet_conditions(registry, staff), year=this_year.get(registry.code),
            overall=overall.get(registry.code), sanctions=sanctions,
            in_force=[s for s in sanctions if s.in_force_on(today())]))
    return result, year
