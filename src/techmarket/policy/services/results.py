"""What the engine returns: awards (amount, derivation steps, caps applied, amounts already counted, instalments,
the source article), the rules not applied with their reasons, and the money helpers that format them. Exact
`Decimal` money in yuan, rounded once per award to the fen (ROUND_HALF_UP). Pure Python: no Django."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from techmarket.common.datafiles import Source

ZERO = Decimal("0")
FEN = Decimal("0.01")


def round_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """¥1,234.50; an exact intermediate value with more than two decimals is shown in full."""
    if value == value.quantize(FEN):
        return f"¥{value.quantize(FEN):,.2f}"
    return f"¥{value:,f}"


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class Instalment:
    year: int
    amount: Decimal


@dataclass
class Award:
    rule_id: str
    title: str
    programme: str
    payer: str
    source: Source
    see_also: tuple[Source, ...]
    beneficiary_role: str
    beneficiary: str
    organisation_id: int | None
    beneficiary_key: str
    amount: Decimal
    base: Decimal | None
    year: int
    project: str
    steps: list[str]
    caps_applied: list[str]
    prior: list[dict]
    parameters: list[dict]
    instalments: list[Instalment]
    estimate: bool = False  # a ceiling or an approximate figure that reviewers settle

    def as_dict(self) -> dict:
        return {
            "rule": self.rule_id, "title": self.title, "programme": self.programme, "payer": self.payer,
            "source": self.source.as_dict(), "see_also": [s.as_dict() for s in self.see_also],
            "beneficiary": {"role": self.beneficiary_role, "name": self.beneficiary,
                            "organisation_id": self.organisation_id},
            "amount": str(self.amount), "base": None if self.base is None else str(self.base),
            "year": self.year, "project": self.project, "steps": self.steps, "caps_applied": self.caps_applied,
            "prior": [{**p, "amount": str(p["amount"]), "base": str(p["base"])} for p in self.prior],
            "parameters": self.parameters,
            "instalments": [{"year": i.year, "amount": str(i.amount)} for i in self.instalments],
            "estimate": self.estimate,
        }


@dataclass
class NotApplied:
    rule_id: str
    title: str
    code: str  # event_type, period, condition, beneficiary, missing, schedule, once, cap, zero
    reason: str
    source: Source
    beneficiary: str = ""

    def as_dict(self) -> dict:
        return {"rule": self.rule_id, "title": self.title, "code": self.code, "reason": self.reason,
                "beneficiary": self.beneficiary, "source": self.source.as_dict()}


@dataclass
class Result:
    awards: list[Award] = field(default_factory=list)
    not_applied: list[NotApplied] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return round_fen(sum((a.amount for a in self.awards), ZERO))

    def as_dict(self) -> dict:
        return {"awards": [a.as_dict() for a in self.awards],
                "not_applied": [n.as_dict() for n in self.not_applied], "total": str(self.total)}
