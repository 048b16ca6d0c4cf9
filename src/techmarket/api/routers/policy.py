"""Policy in code: the rules, and the awards an event earns (docs/policy.md). Computing changes nothing, so
it needs no login; a logged-in member's calculation also counts what their organisation has already been
committed under the same caps, a reviewer's counts the whole ledger. Amounts are decimal strings in yuan."""

import datetime
from typing import Any

from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict

from techmarket.policy.services.applications import calculate
from techmarket.policy.services.data import json_safe, rulebook
from techmarket.policy.services.engine import CombinedLookup, EventError, Ledger, evaluate
from techmarket.policy.services.ledger import ledger_for

router = Router(tags=["policy"])

Money = str | int | float


class PartyIn(BaseModel):
    role: str
    name: str
    organisation_id: int | None = None


class PriorIn(BaseModel):
    rule: str
    amount: Money
    beneficiary: str = ""
    organisation_id: int | None = None
    project: str = ""
    year: int | None = None
    base: Money | None = None


class EventIn(BaseModel):
    """An event (docs/policy.md, "Events"), plus optional `prior`: awards already committed that share caps.

    A plain pydantic model, not a ninja Schema (which drops unknown fields): unknown fields reach the engine, which
    refuses them by name."""

    model_config = ConfigDict(extra="allow")

    type: str
    date: str
    kind: str = ""
    amount: Money | None = None
    amounts: dict[str, Money] = {}
    parties: list[PartyIn] = []
    flags: dict[str, bool] = {}
    project: str = ""
    year: int | None = None
    since: str | None = None
    years: int | None = None
    parameters: dict[str, dict[str, Money]] = {}
    prior: list[PriorIn] = []


class SourceOut(Schema):
    document: str
    number: str
    article: str
    excerpt: str


class BeneficiaryOut(Schema):
    role: str
    name: str
    organisation_id: int | None


class InstalmentOut(Schema):
    year: int
    amount: str


class AwardOut(Schema):
    rule: str
    title: str
    programme: str
    payer: str
    source: SourceOut
    see_also: list[SourceOut]
    beneficiary: BeneficiaryOut
    amount: str
    base: str | None
    year: int
    project: str
    steps: list[str]
    caps_applied: list[str]
    prior: list[dict[str, Any]]
    parameters: list[dict[str, Any]]
    instalments: list[InstalmentOut]
    estimate: bool


class NotAppliedOut(Schema):
    rule: str
    title: str
    code: str
    reason: str
    beneficiary: str
    source: SourceOut


class RewardsOut(Schema):
    awards: list[AwardOut]
    not_applied: list[NotAppliedOut]
    total: str
    rules_version: str


class RuleOut(Schema):
    id: str
    title: str
    document: str
    number: str
    article: str
    excerpt: str
    see_also: list[SourceOut]
    programme: str
    payer: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    events: list[str]
    beneficiary: list[str]
    conditions: list[str]
    formula: dict[str, Any]
    notes: str
    hash: str


class ErrorOut(Schema):
    detail: str


@router.post("/rewards", response={200: RewardsOut, 400: ErrorOut}, summary="计算事件可得的奖补及未适用条款的原因")
def rewards(request, body: EventIn):
    data = body.model_dump()
    prior = data.pop("prior")
    try:
        event, result = calculate(data, request.user)
        if prior:
            book = rulebook()
            result = evaluate(event, book, CombinedLookup(ledger_for(request.user), Ledger.from_data(prior, book)))
    except EventError as error:
        raise HttpError(400, f"事件数据有误：{error.zh}") from None
    return {**result.as_dict(), "rules_version": rulebook().version}


@router.get("/rules", response=list[RuleOut], summary="全部奖补条款及其出处")
def rules(request):
    def source(s):
        return {"document": s.title, "number": s.number, "article": s.article, "excerpt": s.excerpt}

    return [{
        "id": rule.id, "title": rule.title, "document": rule.document.title, "number": rule.document.number,
        "article": rule.article, "excerpt": rule.excerpt, "see_also": [source(s) for s in rule.see_also],
        "programme": rule.programme, "payer": rule.payer, "valid_from": rule.valid_from,
        "valid_until": rule.valid_until, "events": list(rule.events), "beneficiary": list(rule.beneficiary),
        "conditions": [c.label for c in rule.conditions], "formula": json_safe(rule.raw["formula"]),
        "notes": rule.notes, "hash": rule.hash,
    } for rule in rulebook().rules]
