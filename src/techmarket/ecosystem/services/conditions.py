"""The conditions of 青海省技术市场管理办法 第二十条 for a technology transfer institution, and the 30-day filing
windows of 第二十二条 and 第二十四条, as data (data/ecosystem/institution_conditions.yaml) and pure functions.

`unmet(figures)` takes a plain dict of the filing's figures and returns the conditions it does not meet, each
naming the article, the condition and the figure filed; `check(figures)` is the JSON answer of
`techmarket check_institution` (docs/ecosystem.md). Nothing here touches the database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.conf import settings
from pydantic import model_validator

from techmarket.common.datafiles import FileModel, load, read_yaml
from techmarket.common.errors import InvalidInput

INDEPENDENT, INTERNAL = "independent", "internal"
KINDS = {INDEPENDENT: "独立法人机构", INTERNAL: "法人内设机构"}
# The figures a filing gives, and what they are called in messages.
FIGURES = {
    "business_years": "从事技术转移服务业务年限（年）",
    "successful_cases": "成功案例（件）",
    "full_time_staff": "专职从业人员（人）",
    "managers_total": "管理人员（人）",
    "managers_college": "具有大专以上学历的管理人员（人）",
    "st_staff": "科技人员（人）",
}
MAX_FIGURE = 100_000


class ConditionModel(FileModel):
    code: str
    article: str
    clause: str = ""
    condition: str
    field: str = ""
    numerator: str = ""
    denominator: str = ""
    threshold: Decimal | dict[str, Decimal]
    unit: str = ""

    @model_validator(mode="after")
    def _figures(self):
        named = [self.field] if self.field else [self.numerator, self.denominator]
        for name in named:
            if name not in FIGURES:
                raise ValueError(f"unknown figure {name!r}")
        if isinstance(self.threshold, dict) and set(self.threshold) != set(KINDS):
            raise ValueError("a threshold by kind needs exactly: " + ", ".join(KINDS))
        return self


class DeadlineModel(FileModel):
    article: str
    days: int
    excerpt: str


class SourceModel(FileModel):
    document: str
    article: str
    excerpt: str


class ConditionsFile(FileModel):
    source: SourceModel
    conditions: list[ConditionModel]
    deadlines: dict[str, DeadlineModel]


def data_file() -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "ecosystem" / "institution_conditions.yaml"


@cache
def conditions_file() -> ConditionsFile:
    path = data_file()
    return load(ConditionsFile, read_yaml(path), path.name)


@dataclass(frozen=True)
class Unmet:
    code: str
    article: str
    condition: str
    value: Decimal  # the figure filed (a percentage for a share)
    threshold: Decimal
    unit: str
    detail: str  # the figure as filed, e.g. "申报 9 人" or "申报 7/10 人（70%）"

    @property
    def message(self) -> str:
        return f"{self.article}：{self.condition}，{self.detail}"

    def as_dict(self) -> dict:
        return {"article": self.article, "condition": self.condition, "value": _number(self.value),
                "threshold": _number(self.threshold), "unit": self.unit, "message": self.message}


def _number(value: Decimal):
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: Decimal) -> str:
    return str(_number(value))


def _figure(figures: dict, name: str) -> Decimal:
    raw = figures.get(name)
    if raw is None or isinstance(raw, bool):
        raise InvalidInput(f"缺少{FIGURES[name]}。")
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{FIGURES[name]}须为数字，收到 {raw!r}。") from None
    if not value.is_finite() or value < 0 or value > MAX_FIGURE:
        raise InvalidInput(f"{FIGURES[name]}须在 0 到 {MAX_FIGURE} 之间，收到 {raw}。")
    if name != "business_years" and value != value.to_integral_value():
        raise InvalidInput(f"{FIGURES[name]}须为整数，收到 {raw}。")
    return value


def normalise(figures: dict) -> dict:
    """The figures checked and as numbers; InvalidInput (Chinese) names the first one wrong."""
    if not isinstance(figures, dict):
        raise InvalidInput("输入须为一个对象（JSON object）。")
    kind = figures.get("kind")
    if kind not in KINDS:
        raise InvalidInput("机构类型（kind）须为 independent（独立法人机构）或 internal（法人内设机构）。")
    values = {name: _figure(figures, name) for name in FIGURES}
    if values["managers_college"] > values["managers_total"]:
        raise InvalidInput("具有大专以上学历的管理人员不能多于管理人员总数。")
    if values["st_staff"] > values["full_time_staff"]:
        raise InvalidInput("科技人员不能多于从业人员总数。")
    return {"kind": kind, **values}


def unmet(figures: dict) -> list[Unmet]:
    """The conditions of 第二十条 the figures do not meet (empty: all met). `figures`: kind (independent |
    internal), business_years, successful_cases, full_time_staff, managers_total, managers_college, st_staff."""
    values = normalise(figures)
    result = []
    for c in conditions_file().conditions:
        threshold = c.threshold[values["kind"]] if isinstance(c.threshold, dict) else c.threshold
        if c.field:
            value = values[c.field]
            if value < threshold:
                result.append(Unmet(c.code, c.article, c.condition, value, threshold, c.unit,
                                    f"申报 {_text(value)} {c.unit}"))
            continue
        top, bottom = values[c.numerator], values[c.denominator]
        # top / bottom >= threshold %, in whole numbers (no rounding at the threshold); none of zero is unmet.
        if bottom == 0 or top * 100 < threshold * bottom:
            share = (top * 100 / bottom).quantize(Decimal("0.1")) if bottom else Decimal(0)
            result.append(Unmet(c.code, c.article, c.condition, share, threshold, c.unit,
                                f"申报 {_text(top)}/{_text(bottom)} 人（{_text(share)}%）"))
    return result


# --- The 30-day windows (第二十二条, 第二十四条) -------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    article: str
    days: int
    since: datetime.date  # founding, or the change / closure
    due_on: datetime.date  # the last day in time
    filed_on: datetime.date
    days_late: int  # 0 when in time

    @property
    def late(self) -> bool:
        return self.days_late > 0

    @property
    def message(self) -> str:
        if not self.late:
            return f"{self.article}：备案期限至 {self.due_on:%Y-%m-%d}，按期备案。"
        return f"{self.article}：备案期限至 {self.due_on:%Y-%m-%d}，逾期 {self.days_late} 日。"

    def as_dict(self) -> dict:
        return {"article": self.article, "due_on": self.due_on.isoformat(), "filed_on": self.filed_on.isoformat(),
                "late": self.late, "days_late": self.days_late, "message": self.message}


def window(kind: str, since: datetime.date, filed_on: datetime.date) -> Window:
    """The window `kind` ("filing": 第二十二条, from founding; "change": 第二十四条, from the change or closure):
    the day of the event plus 30 days is the last day in time; each day after is one day late."""
    deadline = conditions_file().deadlines[kind]
    due_on = since + datetime.timedelta(days=deadline.days)
    return Window(deadline.article, deadline.days, since, due_on, filed_on, max(0, (filed_on - due_on).days))


def _date(figures: dict, name: str) -> datetime.date | None:
    raw = figures.get(name)
    if raw in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(f"{name} 须为 YYYY-MM-DD 格式的日期，收到 {raw!r}。") from None


def check(figures: dict) -> dict:
    """The JSON answer of `techmarket check_institution`: {"eligible", "unmet": [...]}, and "filing" (the window
    of 第二十二条) when `founded_on` (and optionally `filed_on`, default today) are given."""
    items = unmet(figures)
    answer = {"eligible": not items, "unmet": [item.as_dict() for item in items]}
    founded_on = _date(figures, "founded_on")
    if founded_on is not None:
        filed_on = _date(figures, "filed_on") or datetime.date.today()
        answer["filing"] = window("filing", founded_on, filed_on).as_dict()
    return answer
