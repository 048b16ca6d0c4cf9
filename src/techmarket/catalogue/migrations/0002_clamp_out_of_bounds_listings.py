"""Bring stored listings within the bounds that 0003 enforces with CHECK constraints, so that migrating an
existing database cannot fail. The seed data is well within them; what this changes, and why:

- a budget above 10,000,000 万元 or below zero is not a budget anyone meant: it is set to NULL (no budget),
  and a computed grade that counted it (the "scale" criterion) loses that point;
- a validity date before 1985-01-01 is set to NULL (no validity date: approval gives the default year);
- a validity date after 2100-12-31 (e.g. 9999-12-31, "never expires") is clamped to ten years from the day
  of the migration, the longest validity the platform now accepts;
- a title over 300 or a description over 20,000 characters (possible only on SQLite, which does not enforce
  a varchar's length) is cut to that length.

Each change is recorded in the listing's history (ListingEvent, type "edit", actor_label "migration").
"""

import datetime
from decimal import Decimal

from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Length

MAX_BUDGET_WAN = Decimal("10000000.00")
EARLIEST_DATE = datetime.date(1985, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
TITLE_MAX = 300
DESCRIPTION_MAX = 20000
GRADE_A_MIN, GRADE_B_MIN = 4, 2  # catalogue/services/grading.py


def _ten_years_from_today() -> datetime.date:
    today = datetime.date.today()
    try:
        return today.replace(year=today.year + 10)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 10, day=28)


def _drop_scale_point(listing) -> None:
    basis = listing.grade_basis or {}
    if listing.grade_overridden or basis.get("method") != "computed":
        return
    criteria = [c for c in basis.get("criteria", []) if c.get("code") != "scale"]
    score = sum(c.get("points", 0) for c in criteria)
    listing.grade = "A" if score >= GRADE_A_MIN else "B" if score >= GRADE_B_MIN else "C"
    listing.grade_basis = {**basis, "score": score, "criteria": criteria}


def clamp(apps, schema_editor):
    Listing = apps.get_model("catalogue", "Listing")
    ListingEvent = apps.get_model("catalogue", "ListingEvent")
    out_of_bounds = (
        Q(budget_wan__gt=MAX_BUDGET_WAN) | Q(budget_wan__lt=0)
        | Q(valid_until__lt=EARLIEST_DATE) | Q(valid_until__gt=LATEST_DATE)
    )
    too_long = Listing.objects.annotate(title_length=Length("title"), description_length=Length("description"))
    too_long = too_long.filter(Q(title_length__gt=TITLE_MAX) | Q(description_length__gt=DESCRIPTION_MAX))
    ids = set(Listing.objects.filter(out_of_bounds).values_list("pk", flat=True))
    ids |= set(too_long.values_list("pk", flat=True))
    for listing in Listing.objects.filter(pk__in=ids).order_by("pk"):
        changes = []
        if listing.budget_wan is not None and not (0 <= listing.budget_wan <= MAX_BUDGET_WAN):
            changes.append(f"预算 {listing.budget_wan} 万元超出 0 到 10,000,000 万元，已清空")
            listing.budget_wan = None
            _drop_scale_point(listing)
        if listing.valid_until is not None and listing.valid_until < EARLIEST_DATE:
            changes.append(f"有效期至 {listing.valid_until} 早于 1985 年，已清空")
            listing.valid_until = None
        elif listing.valid_until is not None and listing.valid_until > LATEST_DATE:
            new = _ten_years_from_today()
            changes.append(f"有效期至 {listing.valid_until} 超出上限，已改为 {new}")
            listing.valid_until = new
        if len(listing.title) > TITLE_MAX:
            changes.append(f"项目名称超过 {TITLE_MAX} 字，已截断")
            listing.title = listing.title[:TITLE_MAX]
        if len(listing.description) > DESCRIPTION_MAX:
            changes.append(f"主要内容超过 {DESCRIPTION_MAX} 字，已截断")
            listing.description = listing.description[:DESCRIPTION_MAX]
        # queryset.update: no signals, and only the columns named (no foreign keys touched).
        Listing.objects.filter(pk=listing.pk).update(
            budget_wan=listing.budget_wan, valid_until=listing.valid_until, title=listing.title,
            description=listing.description, grade=listing.grade, grade_basis=listing.grade_basis,
        )
        ListingEvent.objects.create(listing_id=listing.pk, type="edit", actor_label="migration",
                                    reason="数据范围检查：" + "；".join(changes))


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(clamp, migrations.RunPython.noop),
    ]
