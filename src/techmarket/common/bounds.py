"""Bounds a person could mean, for money, budgets, dates and text: one definition used by model fields
(validators and database CHECK constraints), forms and API schemas.

Why these numbers: every accepted value must read back exactly on SQLite as well as PostgreSQL. SQLite
keeps a decimal column as a REAL (a double) when the text converts losslessly to 15 significant digits, so
money is bounded at ¥100,000,000,000.00 (14 significant digits) and budgets at 10,000,000.00 万元.
"""

import datetime
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

# Money in yuan with two decimals.
MAX_AMOUNT = Decimal("100000000000.00")  # ¥1,000 亿
MONEY_DIGITS = {"max_digits": 14, "decimal_places": 2}
MONEY_MESSAGE = "金额须在 0 到 1000 亿元（100,000,000,000.00 元）之间，最多两位小数。"

# Budgets in 万元 with two decimals.
MAX_BUDGET_WAN = Decimal("10000000.00")  # 1,000 亿元 in 万元
BUDGET_DIGITS = {"max_digits": 10, "decimal_places": 2}
BUDGET_MESSAGE = "预算须在 0 到 10,000,000 万元之间，最多两位小数。"

# Dates: nothing the platform records happened before the technology-contract registration system existed.
EARLIEST_DATE = datetime.date(1985, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
MAX_VALIDITY_YEARS = 10
DATE_MESSAGE = "日期须在 1985 年 1 月 1 日之后。"

# Text lengths (characters).
TITLE_MAX = 300
DESCRIPTION_MAX = 20000
REASON_MAX = 2000
NAME_MAX = 200

# Control characters other than tab and line breaks, and the bidirectional formatting characters
# (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) that can make text read differently from what it is.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f" + _BIDI + "]")
TEXT_MESSAGE = "文字中含有不可见的控制字符或方向控制字符，请删除后重试。"


def forbidden_characters(value: str) -> list[str]:
    """The control and bidi characters found in `value`, as U+XXXX names (for messages and logs)."""
    return sorted({f"U+{ord(ch):04X}" for ch in _FORBIDDEN_RE.findall(value or "")})


def validate_text(value: str) -> None:
    if value and _FORBIDDEN_RE.search(value):
        raise ValidationError(TEXT_MESSAGE, code="control_characters")


def validate_single_line(value: str) -> None:
    """Names and titles: no line breaks either."""
    validate_text(value)
    if value and ("\n" in value or "\r" in value):
        raise ValidationError("此处只能填写一行文字。", code="line_break")


def clean_text(value: str) -> str:
    """Normalise (NFC) and refuse control characters; used by forms and importers alike."""
    value = unicodedata.normalize("NFC", value or "")
    validate_text(value)
    return value


def checked_text(value, label: str, limit: int, *, error: type[Exception], required: bool = True,
                 single_line: bool = False) -> str:
    """A text as a service accepts it: normalised and stripped, present when `required`, at most `limit`
    characters, without control characters (nor line breaks when `single_line`). Otherwise `error` (the
    caller's domain error) with a message naming the field, for the user: 请填写…, …不能超过 N 个字…"""
    try:
        value = clean_text(str(value or "")).strip()
        if single_line:
            validate_single_line(value)
    except ValidationError as exc:
        raise error(f"{label}：{exc.messages[0]}") from None
    if required and not value:
        raise error(f"请填写{label}。")
    if len(value) > limit:
        raise error(f"{label}不能超过 {limit} 个字（现有 {len(value)} 个字）。")
    return value


def validate_money(value: Decimal | None) -> None:
    if value is not None and not (0 <= value <= MAX_AMOUNT):
        raise ValidationError(MONEY_MESSAGE, code="money_bounds")


def validate_budget(value: Decimal | None) -> None:
    if value is not None and not (0 <= value <= MAX_BUDGET_WAN):
        raise ValidationError(BUDGET_MESSAGE, code="budget_bounds")


def validate_date(value: datetime.date | None) -> None:
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise ValidationError(DATE_MESSAGE if value < EARLIEST_DATE else "日期须在 2100 年之前。",
                              code="date_bounds")


def latest_validity(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + MAX_VALIDITY_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_VALIDITY_YEARS, day=28)


def validate_validity(value: datetime.date | None, today: datetime.date | None = None) -> None:
    """A validity date ("有效期至") no more than ten years ahead (checked first: its message is the one
    that means something for 9999-12-31)."""
    if value is not None and value > latest_validity(today):
        raise ValidationError(f"有效期最长为 {MAX_VALIDITY_YEARS} 年。", code="validity_bounds")
    validate_date(value)


def not_in_future(value: datetime.date | None, today: datetime.date | None = None) -> None:
    """Dates of what has happened (signing, receipt): not after today."""
    validate_date(value)
    if value is not None and value > (today or timezone.localdate()):
        raise ValidationError("日期不能晚于今天。", code="future")


# Model fields and their CHECK constraints.

def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT)],
                               **MONEY_DIGITS, **kwargs)


def budget_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, validators=[MinValueValidator(0), MaxValueValidator(MAX_BUDGET_WAN)],
                               **BUDGET_DIGITS, **kwargs)


def range_check(field: str, name: str, low, high) -> models.CheckConstraint:
    """`low <= field <= high` (or NULL), enforced by the database."""
    q = models.Q(**{f"{field}__gte": low, f"{field}__lte": high}) | models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=q, name=name)


def money_check(field: str, name: str) -> models.CheckConstraint:
    return range_check(field, name, 0, MAX_AMOUNT)


def budget_check(field: str, name: str) -> models.CheckConstraint:
    return range_check(field, name, 0, MAX_BUDGET_WAN)


def date_check(field: str, name: str) -> models.CheckConstraint:
    return range_check(field, name, EARLIEST_DATE, LATEST_DATE)


# API schema types (pydantic), the same bounds as the forms and the database.

def pydantic_check(validator):
    """A validator of this module as a pydantic one: its Chinese message becomes the 422's message."""
    from pydantic import AfterValidator

    def run(value):
        if value is not None:
            try:
                validator(value)
            except ValidationError as exc:
                raise ValueError(exc.messages[0]) from None
        return value
    return AfterValidator(run)


def _pydantic_types():
    from typing import Annotated

    from pydantic import Field as F

    money = Annotated[Decimal, F(ge=0, le=MAX_AMOUNT, max_digits=14, decimal_places=2,
                                 description="金额（元），0 到 100,000,000,000.00")]
    budget = Annotated[Decimal, F(ge=0, le=MAX_BUDGET_WAN, max_digits=10, decimal_places=2,
                                  description="预算（万元），0 到 10,000,000.00")]
    date = Annotated[datetime.date, pydantic_check(validate_date)]
    validity = Annotated[datetime.date, pydantic_check(validate_validity)]
    past_date = Annotated[datetime.date, pydantic_check(not_in_future)]
    return money, budget, date, validity, past_date


MoneyIn, BudgetIn, DateIn, ValidityIn, PastDateIn = _pydantic_types()


# Form fields (Django forms): the same bounds, one message naming the limit.

def _money_places(value: Decimal | None) -> None:
    validate_money(value)
    if value is not None and value.as_tuple().exponent < -2:
        raise ValidationError(MONEY_MESSAGE, code="money_bounds")


def money_form_field(label: str, *, required: bool = True, **kwargs):
    """A forms.DecimalField for yuan: 0 to ¥100,000,000,000.00, two decimals, the message naming the limit."""
    from django import forms

    field = forms.DecimalField(label=label, required=required,
                               error_messages={"invalid": "请填写金额（元），如 12345.67。"}, **kwargs)
    field.validators = [_money_places]  # one message, not one per digit/range validator
    field.widget.attrs.setdefault("min", "0")
    field.widget.attrs.setdefault("max", str(MAX_AMOUNT))
    field.widget.attrs.setdefault("step", "0.01")
    return field


def date_form_field(label: str, *, required: bool = True, past: bool = False, widget=None, **kwargs):
    """A forms.DateField from 1985-01-01 (to 2100-12-31); with `past`, not after today either."""
    from django import forms

    return forms.DateField(label=label, required=required, widget=widget,
                           validators=[not_in_future if past else validate_date], **kwargs)
