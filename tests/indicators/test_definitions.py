"""The indicator file loads, carries the six 2027 targets of the three-year action plan, and is in the database."""

from decimal import Decimal

from django.core.management import call_command

from techmarket.indicators.models import Indicator
from techmarket.indicators.services.definitions import load

TARGETS_2027 = {
    "a2027-teams": ("30", "at-least"),
    "a2027-national-platforms": ("10", "about"),
    "a2027-key-technologies": ("10", "at-least"),
    "a2027-technologies-introduced": ("100", "about"),
    "a2027-absorbed-transactions": ("100", "more-than"),
    "a2027-projects-with-partners": ("70", "at-least"),
}


def test_yaml_has_the_six_2027_targets():
    entries = {entry["code"]: entry for entry in load()}
    for code, (target, comparator) in TARGETS_2027.items():
        assert entries[code]["target_value"] == Decimal(target)
        assert entries[code]["target_year"] == 2027
        assert entries[code]["comparator"] == comparator
        assert entries[code]["quote"]
    assert entries["a2027-absorbed-transactions"]["computed_by"] == "absorbed_transactions"
    assert entries["a2027-technologies-introduced"]["computed_by"] == "technologies_introduced"
    plans = {entry["plan_code"] for entry in entries.values()}
    assert plans == {"action-2027", "fyp14", "aid-13th"}


def test_indicators_are_synced_and_linked_across_plans(db):
    call_command("indicators", "--sync", "--json", stdout=open("/dev/null", "w"))
    assert Indicator.objects.filter(code__in=TARGETS_2027, active=True).count() == 6
    platforms = Indicator.objects.get(code="a2027-national-platforms")
    assert list(platforms.related.values_list("code", flat=True)) == ["fyp14-national-platforms-new"]
