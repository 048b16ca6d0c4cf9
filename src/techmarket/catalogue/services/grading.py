"""Grading (分类分级) of listings by the written criteria of docs/grading.md.

The computed grade is kept with its basis (which criteria held, with their points). A reviewer's
regrading overrides it and is kept in the listing's history; a later recomputation (re-import, edit)
does not undo a reviewer's grade.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from techmarket.catalogue.models import Listing

GRADE_A_MIN = 4
GRADE_B_MIN = 2
# The "scale" criterion: a budget of 1000 万元 (¥10M) or more, up to what one listing can plausibly ask for.
# Qinghai's whole R&D spending is a few tens of 亿元 a year, so a budget above 100,000 万元 (¥1bn) is more
# likely a slip (yuan typed as 万元, extra zeros) than a larger project: it earns no point, and the basis
# says why, for a reviewer to check.
SCALE_BUDGET_MIN = Decimal(1000)
SCALE_BUDGET_PLAUSIBLE_MAX = Decimal(100000)
IMPLAUSIBLE_BUDGET_NOTE = "预算超过 100,000 万元（10 亿元），超出常见范围，未计入分级，请审核人员核实。"

_DEPLOYMENT = re.compile(r"产业化|示范|规模化|工程化|中试|推广|量产")
_KEY_TECHNOLOGY = re.compile(r"关键技术|关键核心|核心技术|卡脖子|瓶颈|攻关|重大")
_JOINT_MODES = {"joint-tackling", "joint-building"}


@dataclass
class Criterion:
    code: str
    label: str
    points: int


def grade_criteria(listing: Listing, organisation_count: int, mode_codes: set[str]) -> list[Criterion]:
    """The criteria a listing meets; each is worth the points shown."""
    met = []
    text = f"{listing.title}\n{listing.description}"
    if listing.field_id and listing.field.top.strategic:
        met.append(Criterion("strategic-field", f"属于战略重点领域：{listing.field.top.name}", 2))
    if organisation_count >= 2:
        met.append(Criterion("consortium", f"多单位联合（{organisation_count}家）", 1))
    if mode_codes & _JOINT_MODES:
        met.append(Criterion("joint-mode", "联合攻关或联合建设平台", 1))
    if _KEY_TECHNOLOGY.search(text):
        met.append(Criterion("key-technology", "涉及关键核心技术攻关", 1))
    if _DEPLOYMENT.search(text):
        met.append(Criterion("deployment", "面向产业化、示范或推广（紧迫度高）", 1))
    if listing.budget_wan is not None and SCALE_BUDGET_MIN <= listing.budget_wan <= SCALE_BUDGET_PLAUSIBLE_MAX:
        met.append(Criterion("scale", "预算千万元以上", 1))
    return met


def budget_implausible(listing: Listing) -> bool:
    return listing.budget_wan is not None and listing.budget_wan > SCALE_BUDGET_PLAUSIBLE_MAX


def compute_grade(listing: Listing, organisation_count: int, mode_codes: set[str]) -> tuple[str, dict]:
    criteria = grade_criteria(listing, organisation_count, mode_codes)
    score = sum(c.points for c in criteria)
    grade = Listing.Grade.A if score >= GRADE_A_MIN else Listing.Grade.B if score >= GRADE_B_MIN else Listing.Grade.C
    basis = {"score": score, "criteria": [c.__dict__ for c in criteria], "method": "computed"}
    if budget_implausible(listing):
        basis["notes"] = [IMPLAUSIBLE_BUDGET_NOTE]
    return grade, basis


def apply_computed_grade(listing: Listing) -> None:
    """Recompute the grade from the listing's saved data unless a reviewer has set it."""
    if listing.grade_overridden:
        return
    listing.grade, listing.grade_basis = compute_grade(
        listing, listing.organisation_links.count(), set(listing.modes.values_list("code", flat=True))
    )
    listing.save(update_fields=["grade", "grade_basis", "updated_at"])
