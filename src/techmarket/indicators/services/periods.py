"""Reporting periods: a year (2026), a quarter (2026Q3) or a month (2026-09)."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from techmarket.common.errors import InvalidInput


class PeriodError(InvalidInput, ValueError):
    """A period key that names no period (the message is for the user)."""


@dataclass(frozen=True)
class Period:
    granularity: str  # year | quarter | month
    start: datetime.date
    end: datetime.date
    key: str

    @property
    def label(self) -> str:
        if self.granularity == "year":
            return f"{self.start.year}年"
        if self.granularity == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年{self.start.month}月"

    def previous_quarters(self, count: int) -> list[Period]:
        """The `count` quarters ending with the one this period ends in, oldest first."""
        result = []
        quarter = quarter_of(self.end)
        for _ in range(count):
            result.append(quarter)
            quarter = quarter_of(quarter.start - datetime.timedelta(days=1))
        return list(reversed(result))


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day: datetime.date) -> Period:
    q = (day.month - 1) // 3 + 1
    return Period("quarter", datetime.date(day.year, 3 * q - 2, 1), _month_end(day.year, 3 * q), f"{day.year}Q{q}")


def parse(text: str) -> Period:
    text = (text or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
        year, q = int(m[1]), int(m[2])
        return Period("quarter", datetime.date(year, 3 * q - 2, 1), _month_end(year, 3 * q), f"{year}Q{q}")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return Period("month", datetime.date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return Period("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year))
    raise PeriodError(f"无法识别的周期：{text or '（空）'}。格式如 2026Q3、2026-09 或 2026。")


def current(today: datetime.date) -> Period:
    return quarter_of(today)
