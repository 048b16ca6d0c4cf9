"""Bounds of what people type into a challenge or a proposal, checked by the services with Chinese messages naming
the field (the same bounds as the model fields, their CHECK constraints, the forms and the API schemas)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.exceptions import ValidationError

from techmarket.challenges.errors import ChallengeInputError
from techmarket.common.bounds import MAX_AMOUNT, checked_text, validate_date

text = partial(checked_text, error=ChallengeInputError, required=True, single_line=False)


def money(value, label: str, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ChallengeInputError(f"请填写{label}。")
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ChallengeInputError(f"{label}须为金额（元），如 12345.67。") from None
    if not amount.is_finite() or not (0 <= amount <= MAX_AMOUNT) or amount.as_tuple().exponent < -2:
        raise ChallengeInputError(f"{label}须在 0 到 1000 亿元之间，最多两位小数。")
    return amount


def date(value, label: str) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise ChallengeInputError(f"{label}格式应为 2026-06-30。") from None
    if not isinstance(value, datetime.date):
        raise ChallengeInputError(f"请填写{label}。")
    try:
        validate_date(value)
    except ValidationError as exc:
        raise ChallengeInputError(f"{label}：{exc.messages[0]}") from None
    return value


def integer(value, label: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ChallengeInputError(f"{label}须为整数。") from None
    if isinstance(value, bool) or not low <= number <= high:
        raise ChallengeInputError(f"{label}须在 {low} 到 {high} 之间。")
    return number
