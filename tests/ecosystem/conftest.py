"""Fixtures of the ecosystem's tests: an institution's figures, a filing by a verified member, its approval."""

import datetime
from decimal import Decimal

import pytest

from techmarket.ecosystem.services import institutions
from tests.market.conftest import pdf_upload

FOUNDED = datetime.date(2026, 3, 1)


def figures(kind="independent", **changes) -> dict:
    """Figures that meet every condition of 第二十条 exactly at its thresholds."""
    base = {"kind": kind, "business_years": 2, "successful_cases": 1,
            "full_time_staff": 10 if kind == "independent" else 6, "managers_total": 5, "managers_college": 4,
            "st_staff": 6 if kind == "independent" else 4}
    base.update(changes)
    return base


def filing(name="青海大学技术转移中心", kind="independent", founded_on=FOUNDED, cases=1, **changes):
    data = {"name": name, "kind": kind, "founded_on": founded_on, "services": "技术转让与代理；技术咨询；技术评估",
            "business_years": Decimal(2), "full_time_staff": 10, "managers_total": 5, "managers_college": 4,
            "st_staff": 6, "contact_phone": "0971-1234567",
            "cases": [(f"案例 {i}", pdf_upload(f"case {name} {i}", name=f"案例{i}.pdf")) for i in range(cases)]}
    data.update(changes)
    return institutions.FilingInput(**data)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def today(monkeypatch):
    """Fix the services' today: `today(date)` sets it."""
    def set_today(day: datetime.date):
        monkeypatch.setattr(institutions, "today", lambda: day)
        from techmarket.ecosystem.services import brokers, complaints

        monkeypatch.setattr(brokers, "today", lambda: day)
        monkeypatch.setattr(complaints, "today", lambda: day)
        return day

    return set_today


@pytest.fixture
def filed(member, reviewer, today):
    """An approved institution of 青海大学 (filed on time)."""
    today(FOUNDED + datetime.timedelta(days=10))
    institution = institutions.file_institution(member, filing())
    return institutions.approve(reviewer, institution)
