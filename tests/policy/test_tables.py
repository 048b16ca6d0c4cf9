"""Table tests: every file in tests/policy/tables/ lists events and the awards they must give.

A table has an optional `base_event` (merged into each case's event; nested objects merge, lists replace) and
`cases`. A case is one `event` or a `sequence` of steps sharing a ledger (caps that span events), with optional
`prior` ledger entries. Each step gives `expect` (every rule that awards: its total, or a total per beneficiary;
`{}` for none), and may give `not_applied` (rule → reason code), `instalments` (rule → [[year, amount], ...]) or
`error` (a fragment of the message of an event the engine refuses).

`test_every_rule_is_covered` then checks that the tables exercise every rule at its validity dates (the first and
last day, and the day either side), at its caps (binding, and counting earlier awards for caps that span events),
its tier and bracket boundaries, its once-only limit, its ranged parameters, its unmet conditions and its
schedule ends.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from techmarket.policy.services.engine import evaluate
from techmarket.policy.services.events import EventError, parse_event
from techmarket.policy.services.ledger import Ledger
from techmarket.policy.services.rulebook import load_rulebook

TABLES = Path(__file__).parent / "tables"
BOOK = load_rulebook(Path(settings.TECHMARKET_DATA_FILES) / "policy")


def merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in (override or {}).items():
        merged[key] = merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged


def load_cases() -> list:
    cases = []
    for path in sorted(TABLES.glob("*.yaml")):
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in table["cases"]:
            steps = case.get("sequence") or [case]
            steps = [{**step, "event": merge(table.get("base_event") or {}, step.get("event"))} for step in steps]
            cases.append(pytest.param(steps, case.get("prior"), id=f"{path.stem}: {case['name']}"))
    return cases


CASES = load_cases()


def run(steps: list, prior) -> list:
    """Each step's (step, event, result or the EventError), evaluated in order against one ledger."""
    ledger = Ledger.from_data(prior, BOOK)
    outcomes = []
    for step in steps:
        try:
            event = parse_event(step["event"], BOOK)
        except EventError as error:
            outcomes.append((step, None, error))
            continue
        result = evaluate(event, BOOK, ledger)
        for award in result.awards:
            ledger.record(award)
        outcomes.append((step, event, result))
    return outcomes


def awarded(result) -> dict:
    totals: dict = defaultdict(lambda: defaultdict(Decimal))
    for award in result.awards:
        totals[award.rule_id][award.beneficiary] += award.amount
    return totals


@pytest.mark.parametrize(("steps", "prior"), CASES)
def test_table(steps, prior):
    for number, (step, _event, result) in enumerate(run(steps, prior), start=1):
        where = f"step {number}"
        if "error" in step:
            assert isinstance(result, EventError), f"{where}: expected the event to be refused"
            assert step["error"] in result.zh, f"{where}: {result.zh}"
            continue
        assert not isinstance(result, EventError), f"{where}: event refused: {result}"
        got = awarded(result)
        assert set(got) == set(step["expect"]), f"{where}: rules that award: {sorted(got)}"
        for rule_id, expected in step["expect"].items():
            if isinstance(expected, dict):
                assert {name: str(v) for name, v in got[rule_id].items()} == expected, f"{where}: {rule_id}"
            else:
                assert str(sum(got[rule_id].values())) == expected, f"{where}: {rule_id}"
        codes = {n.rule_id: n.code for n in result.not_applied}
        for rule_id, code in (step.get("not_applied") or {}).items():
            assert codes.get(rule_id) == code, f"{where}: {rule_id} not applied as {codes.get(rule_id)}"
        for rule_id, expected in (step.get("instalments") or {}).items():
            (award,) = [a for a in result.awards if a.rule_id == rule_id]
            assert [[i.year, str(i.amount)] for i in award.instalments] == expected, f"{where}: {rule_id}"


# --- Coverage ----------------------------------------------------------------------------------------------


def required_features(rule) -> set[str]:
    f = rule.formula
    features = {"awarded"}
    if rule.valid_from:
        features |= {"start:inside", "start:outside"}
    if rule.valid_until:
        features |= {"end:inside", "end:outside"}
    if rule.conditions:
        features.add("condition:unmet")
    for cap in f.caps:
        features.add(f"cap:{cap.per}:binds")
        if cap.per != "event":
            features.add(f"cap:{cap.per}:counts-earlier")
    if f.once:
        features.add("once")
    for tier in f.tiers[:-1]:
        features |= {f"tier:{tier.up_to}:at", f"tier:{tier.up_to}:across"}
    for bracket in f.brackets[:-1]:
        features |= {f"bracket:{bracket.up_to}:at", f"bracket:{bracket.up_to}:above"}
    if any(p.is_range for p in f.params().values()):
        features |= {"param:default", "param:chosen"}
    if f.up_to:
        features |= {"up_to:ceiling", "up_to:requested"}
    if f.kind == "yearly_rate":
        features |= {"schedule:first", "schedule:last", "schedule:outside"}
    if f.kind == "yearly_fixed":
        features.add("years:capped")
    return features


def observed_features(rule, event, award=None, not_applied=None) -> set[str]:
    features = set()
    day = event.date
    one = dt.timedelta(days=1)
    if award:
        features.add("awarded")
        features |= {"start:inside"} if day == rule.valid_from else set()
        features |= {"end:inside"} if day == rule.valid_until else set()
        if award.caps_applied:
            features |= {f"cap:{c.per}:binds" for c in rule.formula.caps}
        features |= {f"cap:{p['scope']}:counts-earlier" for p in award.prior if p["amount"] > 0}
        cumulative_before = next((p["base"] for p in award.prior if p["scope"] == "year"), Decimal(0))
        for tier in rule.formula.tiers[:-1]:
            total = cumulative_before + (award.base or 0)
            if total == tier.up_to:
                features.add(f"tier:{tier.up_to}:at")
            if cumulative_before < tier.up_to < total:
                features.add(f"tier:{tier.up_to}:across")
        bounds = [b.up_to for b in rule.formula.brackets[:-1]]
        for i, bound in enumerate(bounds):
            if award.base == bound:
                features.add(f"bracket:{bound}:at")
            upper = bounds[i + 1] if i + 1 < len(bounds) else None
            if award.base is not None and award.base > bound and (upper is None or award.base <= upper):
                features.add(f"bracket:{bound}:above")
        for param in award.parameters:
            if param["range"]:
                features.add("param:chosen" if param["chosen"] else "param:default")
        if rule.formula.up_to:
            features.add("up_to:requested" if "requested" in event.amounts else "up_to:ceiling")
        if rule.formula.kind == "yearly_rate":
            index = event.claim_year - event.since.year + (0 if rule.formula.first_year == "next" else 1)
            last = max(p.last for p in rule.formula.schedule)
            features |= {"schedule:first"} if index == 1 else set()
            features |= {"schedule:last"} if index == last else set()
        if rule.formula.kind == "yearly_fixed" and event.years and event.years > rule.formula.years:
            features.add("years:capped")
    if not_applied:
        code = not_applied.code
        if code == "period":
            features |= {"start:outside"} if rule.valid_from and day == rule.valid_from - one else set()
            features |= {"end:outside"} if rule.valid_until and day == rule.valid_until + one else set()
        if code == "condition":
            features.add("condition:unmet")
        if code == "cap":
            features |= {f"cap:{c.per}:binds" for c in rule.formula.caps}
            features |= {f"cap:{c.per}:counts-earlier" for c in rule.formula.caps if c.per != "event"}
        if code == "once":
            features.add("once")
        if code == "schedule":
            features.add("schedule:outside")
    return features


def test_every_rule_is_covered():
    seen: dict[str, set] = defaultdict(set)
    for case in CASES:
        steps, prior = case.values
        for _step, event, result in run(steps, prior):
            if event is None:
                continue
            for award in result.awards:
                seen[award.rule_id] |= observed_features(BOOK.rule(award.rule_id), event, award=award)
            for item in result.not_applied:
                seen[item.rule_id] |= observed_features(BOOK.rule(item.rule_id), event, not_applied=item)
    missing = {rule.id: sorted(required_features(rule) - seen[rule.id]) for rule in BOOK.rules}
    missing = {rule_id: features for rule_id, features in missing.items() if features}
    assert not missing, f"table cases missing: {missing}"
