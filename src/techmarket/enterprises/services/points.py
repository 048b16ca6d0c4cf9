"""创新积分制 (innovation points): a transparent score of 100 from the enterprise's latest 科技体检 and the
platform's own records, with the weights and steps of data/enterprises/innovation_points.yaml. `compute(facts)` is
a pure function (the table tests call it); `recompute(organisation)` stores a new line of the organisation's
history when the facts or the score changed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from pydantic import model_validator

from techmarket.common.datafiles import FileModel, load, read_yaml
from techmarket.enterprises.models import Checkup, InnovationScore, YearFigures

TWO = Decimal("0.01")


class Step(FileModel):
    at_least: Decimal
    share: Decimal


class Indicator(FileModel):
    code: str
    name: str
    unit: str
    weight: Decimal
    steps: list[Step]

    @model_validator(mode="after")
    def _ascending(self):
        bounds = [s.at_least for s in self.steps]
        if bounds != sorted(bounds) or any(not 0 < s.share <= 1 for s in self.steps):
            raise ValueError(f"{self.code}: steps must ascend, each share in (0, 1]")
        return self


class Group(FileModel):
    code: str
    name: str
    indicators: list[Indicator]


class PointsSource(FileModel):
    document: str
    confirmed: bool
    note: str = ""


class PointsFile(FileModel):
    source: PointsSource
    groups: list[Group]

    @model_validator(mode="after")
    def _hundred(self):
        total = sum(i.weight for g in self.groups for i in g.indicators)
        if total != 100:
            raise ValueError(f"the weights add up to {total}, not 100")
        return self


@cache
def weights() -> PointsFile:
    path = Path(settings.TECHMARKET_DATA_FILES) / "enterprises" / "innovation_points.yaml"
    return load(PointsFile, read_yaml(path), path.name)


@dataclass(frozen=True)
class Line:
    group: str
    name: str
    value: Decimal | None
    unit: str
    weight: Decimal
    step: Decimal | None  # the step reached (its at_least), None when none
    points: Decimal

    def as_dict(self) -> dict:
        return {"group": self.group, "name": self.name, "unit": self.unit, "weight": str(self.weight),
                "value": None if self.value is None else str(self.value),
                "step": None if self.step is None else str(self.step), "points": str(self.points)}

    @property
    def explanation(self) -> str:
        if self.value is None:
            return "无数据，不得分"
        if self.step is None:
            return f"{_n(self.value)}{self.unit}，未达到最低一档，不得分"
        return f"{_n(self.value)}{self.unit}，达到“不低于 {_n(self.step)}{self.unit}”一档，得 {_n(self.points)} 分"


def _n(value: Decimal) -> str:
    value = Decimal(value).quantize(TWO)
    return f"{value.normalize():f}"


def compute(facts: dict[str, Decimal | None]) -> tuple[Decimal, list[Line]]:
    """The total (two decimals) and each indicator's line, from facts by indicator code."""
    lines = []
    for group in weights().groups:
        for indicator in group.indicators:
            value = facts.get(indicator.code)
            reached = [s for s in indicator.steps if value is not None and Decimal(value) >= s.at_least]
            step = reached[-1] if reached else None
            points = (indicator.weight * step.share).quantize(TWO) if step else Decimal("0.00")
            lines.append(Line(group.name, indicator.name, None if value is None else Decimal(value),
                              indicator.unit, indicator.weight, step.at_least if step else None, points))
    return sum((line.points for line in lines), Decimal("0.00")), lines


def _share(answers: dict, numerator: str, denominator: str) -> Decimal | None:
    low = Decimal(str(answers.get(denominator, 0)))
    return (Decimal(str(answers.get(numerator, 0))) / low * 100).quantize(TWO) if low else None


def facts_of(organisation) -> tuple[dict[str, Decimal | None], dict[str, str]]:
    """The facts of an organisation (by indicator code) and where each comes from."""
    from techmarket.catalogue.models import Listing
    from techmarket.market.services.statistics import registered_contract_count

    checkup = Checkup.objects.filter(organisation=organisation).order_by("-completed_at", "-id").first()
    facts: dict[str, Decimal | None] = {}
    sources: dict[str, str] = {}
    if checkup is not None:
        a = checkup.answers
        facts.update({
            "rd_intensity": _share(a, "rd_spending_wan", "revenue_wan"),
            "rd_staff_share": _share(a, "rd_staff", "employees"),
            "senior_staff_share": _share(a, "senior_staff", "employees"),
            **{code: Decimal(str(a[code])) for code in ("invention_patents", "other_ip", "revenue_wan",
                                                          "equipment_wan")}})
        sources.update(dict.fromkeys(facts, f"科技体检（{checkup.completed_at:%Y-%m-%d}）"))
    figures = YearFigures.objects.filter(organisation=organisation).order_by("-year").first()
    if figures is not None:  # the profile's latest year, as the enterprise entered it, over the check-up's
        f = {name: str(getattr(figures, name)) for name in ("rd_spending_wan", "revenue_wan", "rd_staff",
                                                              "employees")}
        profiled = {"rd_intensity": _share(f, "rd_spending_wan", "revenue_wan"),
                    "rd_staff_share": _share(f, "rd_staff", "employees"),
                    "invention_patents": Decimal(figures.invention_patents), "other_ip": Decimal(figures.other_ip),
                    "revenue_wan": Decimal(figures.revenue_wan)}
        facts.update(profiled)
        sources.update(dict.fromkeys(profiled, f"企业档案（{figures.year} 年度）"))
    facts["registered_contracts"] = Decimal(registered_contract_count(organisation.pk))
    facts["published_demands"] = Decimal(Listing.objects.filter(
        owner=organisation, kind=Listing.Kind.DEMAND, status=Listing.Status.PUBLISHED).count())
    sources["registered_contracts"] = sources["published_demands"] = "平台记录"
    return facts, sources


@transaction.atomic
def recompute(organisation, year: int | None = None) -> InnovationScore:
    """The organisation's score now; a new history line only when the facts or the total changed."""
    from django.utils import timezone

    year = year or timezone.localdate().year
    facts, sources = facts_of(organisation)
    total, lines = compute(facts)
    stored_facts = {k: None if v is None else str(v) for k, v in facts.items()}
    last = (InnovationScore.objects.select_for_update().filter(organisation=organisation, year=year)
            .order_by("-computed_at", "-id").first())
    if last is not None and last.total == total and last.facts == stored_facts:
        return last
    return InnovationScore.objects.create(organisation=organisation, year=year, total=total, facts=stored_facts,
                                          sources=sources, lines=[line.as_dict() for line in lines])


def history(organisation) -> list[InnovationScore]:
    return list(InnovationScore.objects.filter(organisation=organisation).order_by("-computed_at", "-id"))


def on_registration_changed(sender, organisation_ids=(), **kwargs) -> None:
    """market.signals.registration_changed: registered contracts are a fact of the points, so the parties that
    keep innovation points (those with a score already) get theirs recomputed."""
    from techmarket.directory.models import Organisation

    tracked = InnovationScore.objects.filter(organisation_id__in=organisation_ids).values("organisation_id")
    for organisation in Organisation.objects.filter(pk__in=tracked):
        recompute(organisation)
