"""Policy in code: the rules, and the awards an event earns (docs/policy.md). Computing changes nothing, so
it needs no login; a logged-in member's calculation also counts what their organisation has already been
committed under the same caps, a reviewer's counts the whole ledger. Amounts are decimal strings in yuan."""

import datetime
import json
from decimal import Decimal
from typing import Any

from ninja import Router, Schema
from ninja.errors import HttpError

from techmarket.policy.schemas import RewardsIn
from techmarket.policy.services.applications import calculate
from techmarket.policy.services.data import json_safe, rulebook
from techmarket.policy.services.engine import evaluate
from techmarket.policy.services.events import EventError
from techmarket.policy.services.ledger import CombinedLookup, Ledger, ledger_for

router = Router(tags=["policy"])

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


def inline_schema(model) -> dict:
    """A model's JSON schema with its definitions written in place (an OpenAPI operation cannot hold `$defs`)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    return resolve(schema)


REWARDS_BODY = {"requestBody": {"required": True,
                                "content": {"application/json": {"schema": inline_schema(RewardsIn)}}}}


@router.post("/rewards", response={200: RewardsOut, 400: ErrorOut}, openapi_extra=REWARDS_BODY,
             summary="计算事件可得的奖补及未适用条款的原因")
def rewards(request):
    """The body is validated by policy.schemas.RewardsIn, as the calculator page and the `rewards` command
    validate events: a bad event gets the same message everywhere."""
    try:
        data = json.loads(request.body, parse_float=Decimal)
    except ValueError:
        raise HttpError(400, "事件数据有误：请求体不是有效的 JSON。") from None
    prior = data.pop("prior", None) if isinstance(data, dict) else None
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
    return [{
        "id": rule.id, "title": rule.title, "document": rule.document.title, "number": rule.document.number,
        "article": rule.article, "excerpt": rule.excerpt, "see_also": [s.as_dict() for s in rule.see_also],
        "programme": rule.programme, "payer": rule.payer, "valid_from": rule.valid_from,
        "valid_until": rule.valid_until, "events": list(rule.events), "beneficiary": list(rule.beneficiary),
        "conditions": [c.label for c in rule.conditions], "formula": json_safe(rule.raw["formula"]),
        "notes": rule.notes, "hash": rule.hash,
    } for rule in rulebook().rules]
