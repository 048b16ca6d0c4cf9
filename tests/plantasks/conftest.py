"""Fixtures of the task-tracking tests: the task units, users assigned to them, and the indicator tests' helpers
(a registered contract counted by the indicators)."""

import datetime

import pytest

from techmarket.plantasks.models import TaskUnit
from techmarket.plantasks.services import progress
from tests.indicators.conftest import absorb, staff, today  # noqa: F401  (fixtures)
from tests.market.conftest import (  # noqa: F401  (fixtures)
    buyer_org,
    make_contract,
    make_registrar,
    media_root,
    org,
    pdf_upload,
    provincial_registrar,
    region,
    registry,
)

# A day when 2026Q2's reports (due 2026-07-15) are overdue and 2026Q3's are not due yet.
AFTER_Q2 = datetime.date(2026, 7, 20)


@pytest.fixture
def unit(db):
    """A lead unit and a co-operating unit of a task."""

    def get(number: int, name: str) -> TaskUnit:
        return TaskUnit.objects.get(task__plan_code="action-2025", task__number=number, name=name)

    return get


@pytest.fixture
def unit_user(make_user, reviewer, unit):
    """A user assigned (by the reviewer) to a task's unit: `unit_user(6, "省科技厅", "name")`."""

    def make(number: int, name: str, username: str):
        user = make_user(username, display_name=f"填报人{username[-1]}")
        progress.assign(reviewer, unit(number, name), username)
        return user

    return make
