"""The bounds of what people type into publishing's forms and API, checked again by the services (the forms and
the API schemas hold the same limits; models hold them as validators and CHECK constraints)."""

import datetime

from django.utils import timezone

from techmarket.common.bounds import forbidden_characters
from techmarket.common.errors import InvalidInput
from techmarket.publishing.models import EARLIEST_MOMENT, LATEST_MOMENT


def words(value: str | None, label: str, limit: int, *, required: bool = False, lines: bool = False) -> str:
    """`value` stripped, or InvalidInput naming the field: required, at most `limit` characters, no control or
    direction characters, one line unless `lines`."""
    value = (value or "").strip()
    problem = ""
    if required and not value:
        problem = f"请填写{label}。"
    elif len(value) > limit:
        problem = f"{label}最多 {limit} 个字（现有 {len(value)} 个）。"
    elif forbidden_characters(value) or (not lines and ("\n" in value or "\r" in value)):
        problem = f"{label}中含有换行或不可见的控制字符，请删除后重试。"
    if problem:
        raise InvalidInput(problem)
    return value


def moment(value: datetime.datetime | None, label: str) -> datetime.datetime:
    """An aware date and time within the platform's bounds (1985 to 2100)."""
    if value is None:
        raise InvalidInput(f"请填写{label}。")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not EARLIEST_MOMENT <= value <= LATEST_MOMENT:
        raise InvalidInput(f"{label}须在 1985 年至 2100 年之间。")
    return value
