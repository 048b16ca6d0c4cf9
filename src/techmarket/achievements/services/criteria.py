"""The data files of achievements (data/achievements/): evaluation criteria and levels, reporting deadlines and the
agreed-price notice's period. Read once per process; a file that does not follow its model is refused at load."""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from pydantic import Field, model_validator

from techmarket.common.datafiles import FileModel, Label, Required, Source, load, read_yaml


class Criterion(FileModel):
    code: Label
    name: Label
    max: int = Field(ge=1, le=100)
    guide: Required


class Level(FileModel):
    min: int = Field(ge=0, le=100)
    name: Label


class CriteriaFile(FileModel):
    source: Source
    criteria: list[Criterion]
    levels: list[Level]

    @model_validator(mode="after")
    def _hundred(self):
        total = sum(c.max for c in self.criteria)
        if total != 100:
            raise ValueError(f"the criteria's maxima add up to {total}, not 100")
        if len({c.code for c in self.criteria}) != len(self.criteria):
            raise ValueError("criterion codes repeat")
        if not self.levels or self.levels[-1].min != 0:
            raise ValueError("the last level must start at 0")
        if [lv.min for lv in self.levels] != sorted((lv.min for lv in self.levels), reverse=True):
            raise ValueError("levels must go from the highest minimum down")
        return self

    def level(self, score) -> str:
        return next(lv.name for lv in self.levels if score >= lv.min)


class MonthDay(FileModel):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    def in_year(self, year: int) -> datetime.date:
        return datetime.date(year, self.month, self.day)


class ReportingFile(FileModel):
    source: Source
    to_supervisor: MonthDay
    forwarded: MonthDay
    reminder_days_before: list[int]
    price_notice_min_days: int = Field(ge=1, le=365)
    price_notice_max_days: int = Field(ge=1, le=365)

    def due_to_supervisor(self, year: int) -> datetime.date:
        """When the report on `year` is due at the supervisor: the next year's 30 March."""
        return self.to_supervisor.in_year(year + 1)

    def due_forwarded(self, year: int) -> datetime.date:
        return self.forwarded.in_year(year + 1)


def _path(name: str) -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "achievements" / name


@cache
def criteria() -> CriteriaFile:
    return load(CriteriaFile, read_yaml(_path("criteria.yaml")), "criteria.yaml")


@cache
def reporting() -> ReportingFile:
    return load(ReportingFile, read_yaml(_path("reporting.yaml")), "reporting.yaml")
