"""data/plantasks/tasks-2025.yaml: the plan's tasks, their units and the reporting cycle, read through pydantic
models and synced into PlanTask and TaskUnit after every migrate (idempotent; a task gone from the file stays,
inactive, with its reports; a unit gone from a task is removed only if nothing was reported for it)."""

from __future__ import annotations

import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from pydantic import Field, field_validator, model_validator

from techmarket.common.datafiles import FileModel, Label, Required, load, read_yaml
from techmarket.indicators.services.periods import Period, parse, quarter_of
from techmarket.plantasks.models import QUOTE_MAX, SCHEDULE_MAX, UNIT_MAX, PlanTask, TaskUnit

Unit = Field(min_length=1, max_length=UNIT_MAX)


class PlanInfo(FileModel):
    code: Label
    name: Label
    number: Label
    issued: datetime.date
    ends: datetime.date
    ends_quote: Required


class Reporting(FileModel):
    cadence: str
    first_period: str
    last_period: str
    due_days: int = Field(ge=0, le=90)
    required_of: str

    @field_validator("cadence")
    @classmethod
    def _quarterly(cls, value: str) -> str:
        if value != "quarterly":
            raise ValueError("only quarterly reporting is supported")
        return value

    @field_validator("first_period", "last_period")
    @classmethod
    def _quarter(cls, value: str) -> str:
        if parse(value).granularity != "quarter":
            raise ValueError("must be a quarter such as 2025Q2")
        return value

    @field_validator("required_of")
    @classmethod
    def _role(cls, value: str) -> str:
        if value not in ("lead", "all"):
            raise ValueError("must be lead or all")
        return value


class TaskEntry(FileModel):
    number: int = Field(ge=1, le=999)
    section: Label
    title: Label
    quote: Required = Field(max_length=QUOTE_MAX)
    lead: list[Label] = Field(min_length=1)
    cooperating: list[Label] = []
    schedule: str = Field("", max_length=SCHEDULE_MAX)  # the plan's own 时间进度 (the 2016 annex)
    deadline: datetime.date | None = None  # its date, when it names one

    @model_validator(mode="after")
    def _units(self):
        names = self.lead + self.cooperating
        if len(set(names)) != len(names):
            raise ValueError("a unit is named twice")
        if any(len(name) > UNIT_MAX for name in names):
            raise ValueError(f"a unit's name is longer than {UNIT_MAX} characters")
        return self


class TaskFile(FileModel):
    plan: PlanInfo
    reporting: Reporting | None = None  # None: a plan kept as data, not dispatched quarterly (the 2016 annex)
    tasks: list[TaskEntry]

    @model_validator(mode="after")
    def _numbers(self):
        numbers = [task.number for task in self.tasks]
        if len(set(numbers)) != len(numbers):
            raise ValueError("a task number is used twice")
        if self.reporting and parse(self.reporting.first_period).start > parse(self.reporting.last_period).start:
            raise ValueError("first_period is after last_period")
        return self


def data_file() -> Path:
    """The plan that is dispatched quarterly (its file has the reporting block)."""
    return Path(settings.TECHMARKET_DATA_FILES) / "plantasks" / "tasks-2025.yaml"


def data_files() -> list[Path]:
    """Every plan's file (data/plantasks/tasks-*.yaml): the 2025 plan and the 2016 action plan's annex."""
    return sorted((Path(settings.TECHMARKET_DATA_FILES) / "plantasks").glob("tasks-*.yaml"))


def read(path: Path | None = None) -> TaskFile:
    path = path or data_file()
    return load(TaskFile, read_yaml(path), path.name)


@lru_cache(maxsize=1)
def plan() -> TaskFile:
    """The dispatched plan's file as read once per process (the sync reads it afresh)."""
    data = read()
    if data.reporting is None:
        raise ValueError(f"{data_file().name}: the dispatched plan needs a reporting block")
    return data


@lru_cache(maxsize=1)
def other_plans() -> list[TaskFile]:
    """The plans kept as data beside the dispatched one (not reported on quarterly), as read once per process."""
    main = data_file().resolve()
    return [read(path) for path in data_files() if path.resolve() != main]


def dispatched_code() -> str:
    return plan().plan.code


# -- the reporting cycle --------------------------------------------------------------------------------------

def due_date(period: Period) -> datetime.date:
    return period.end + datetime.timedelta(days=plan().reporting.due_days)


def periods() -> list[Period]:
    """Every reporting quarter of the plan, oldest first."""
    reporting = plan().reporting
    last = parse(reporting.last_period)
    result, quarter = [], parse(reporting.first_period)
    while quarter.start <= last.start:
        result.append(quarter)
        quarter = quarter_of(quarter.end + datetime.timedelta(days=1))
    return result


def periods_due(today: datetime.date) -> list[Period]:
    """The reporting quarters whose report is due by `today` (its due date has passed), oldest first."""
    return [period for period in periods() if due_date(period) < today]


def required_roles() -> list[str]:
    return [TaskUnit.Role.LEAD] if plan().reporting.required_of == "lead" else list(TaskUnit.Role.values)


def in_cycle(period: Period) -> bool:
    return any(p.key == period.key for p in periods())


# -- sync -----------------------------------------------------------------------------------------------------

def sync_tasks(**kwargs) -> None:
    """Bring PlanTask and TaskUnit in step with every plan's file (after every migrate)."""
    plan.cache_clear()
    other_plans.cache_clear()
    paths = data_files()
    if data_file() not in paths:
        paths.append(data_file())
    for path in paths:
        _sync(read(path))


def _sync(data: TaskFile) -> None:
    code = data.plan.code
    with transaction.atomic():
        seen = []
        for entry in data.tasks:
            task, _ = PlanTask.objects.update_or_create(
                plan_code=code, number=entry.number,
                defaults={"section": entry.section, "title": entry.title, "quote": entry.quote, "active": True,
                          "schedule": entry.schedule, "deadline": entry.deadline})
            seen.append(task.pk)
            names = [(name, TaskUnit.Role.LEAD) for name in entry.lead] + \
                    [(name, TaskUnit.Role.COOPERATING) for name in entry.cooperating]
            for position, (name, role) in enumerate(names):
                TaskUnit.objects.update_or_create(task=task, name=name,
                                                  defaults={"role": role, "position": position})
            task.units.exclude(name__in=[name for name, _ in names]).filter(reports__isnull=True).delete()
        PlanTask.objects.filter(plan_code=code).exclude(pk__in=seen).update(active=False)
