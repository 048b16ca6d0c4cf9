"""The policy engine: evaluates one event against every rule of the rulebook.

For each rule it returns either awards (amount, derivation steps a person can follow, caps applied, the amounts
already counted under the same cap, the source article) or the reason it does not apply. Caps that span events
are checked against a `PriorLookup`, "what has been committed so far", passed in by the caller: the in-memory
`Ledger` here (tables, the CLI, the API) or the database ledger (applications). The engine itself is pure Python,
with exact `Decimal` money in yuan, rounded once per award to the fen (ROUND_HALF_UP). See docs/policy.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Protocol

from techmarket.common.bounds import EARLIEST_DATE, LATEST_DATE, MAX_AMOUNT
from techmarket.policy.services.rulebook import Formula, Param, Rule, Rulebook, Source, Vocabulary

ZERO = Decimal("0")
FEN = Decimal("0.01")
EVENT_KEYS = {"type", "date", "kind", "amount", "amounts", "parties", "flags", "project", "year", "since", "years",
              "parameters"}
SCOPE_LABELS = {"event": "每次", "project": "每个项目", "year": "{year}年度", "beneficiary": "每个单位累计"}


def round_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """¥1,234.50; an exact intermediate value with more than two decimals is shown in full."""
    if value == value.quantize(FEN):
        return f"¥{value.quantize(FEN):,.2f}"
    return f"¥{value:,f}"


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


# --- Events ------------------------------------------------------------------------------------------------


class EventError(ValueError):
    """An event that cannot be evaluated. `zh` is shown to users, the English text to the command line."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    organisation_id: int | None = None

    @property
    def key(self) -> str:
        """Who counts as the same beneficiary for caps: the organisation when known, else the name."""
        return f"org:{self.organisation_id}" if self.organisation_id else f"name:{self.name}"


@dataclass
class Event:
    type: str
    date: dt.date
    kind: str = ""
    amounts: dict[str, Decimal] = field(default_factory=dict)
    parties: tuple[Party, ...] = ()
    flags: frozenset[str] = frozenset()
    project: str = ""
    year: int | None = None
    since: dt.date | None = None
    years: int | None = None
    parameters: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def claim_year(self) -> int:
        """The year the event counts in (yearly caps, tiers, instalments): `year`, else the year of `date`."""
        return self.year or self.date.year

    def as_dict(self) -> dict:
        data: dict = {"type": self.type, "date": self.date.isoformat()}
        if self.kind:
            data["kind"] = self.kind
        data["amounts"] = {name: str(value) for name, value in self.amounts.items()}
        data["parties"] = [{"role": p.role, "name": p.name, **({"organisation_id": p.organisation_id}
                                                               if p.organisation_id else {})} for p in self.parties]
        data["flags"] = {flag: True for flag in sorted(self.flags)}
        for key in ("project", "year", "years"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.since:
            data["since"] = self.since.isoformat()
        if self.parameters:
            data["parameters"] = {rule: {k: str(v) for k, v in values.items()}
                                  for rule, values in self.parameters.items()}
        return data


def _amount(value, where: str) -> Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        raise EventError(f"{where} 须为金额。", f"{where} must be an amount")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise EventError(f"{where} 不是有效金额：{value!r}。", f"{where} is not a valid amount: {value!r}") from None
    if not number.is_finite() or number < 0:
        raise EventError(f"{where} 须为非负金额。", f"{where} must be a non-negative amount")
    if number > MAX_AMOUNT:
        raise EventError(f"{where} 超过上限：金额不能超过 1000 亿元（100,000,000,000.00 元）。",
                         f"{where} exceeds the limit of 100,000,000,000.00 yuan")
    return number


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise EventError(f"{where} 须为日期（YYYY-MM-DD）。", f"{where} must be a date (YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise EventError(f"{where} 须在 1985 年 1 月 1 日至 2100 年 12 月 31 日之间。",
                         f"{where} must be between 1985-01-01 and 2100-12-31")
    return day


def _int(value, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise EventError(f"{where} 须为整数。", f"{where} must be an integer")
    try:
        number = int(value)
    except ValueError:
        raise EventError(f"{where} 须为整数。", f"{where} must be an integer") from None
    if not low <= number <= high:
        raise EventError(f"{where} 须在 {low}—{high} 之间。", f"{where} must be between {low} and {high}")
    return number


def parse_event(data, book: Rulebook) -> Event:
    """An `Event` from its JSON form (docs/policy.md, "Events"), checked against the rulebook's vocabulary."""
    words = book.vocabulary
    if not isinstance(data, dict):
        raise EventError("事件须为 JSON 对象。", "an event must be a JSON object")
    unknown = sorted(set(data) - EVENT_KEYS)
    if unknown:
        raise EventError(f"事件含有未知字段：{', '.join(unknown)}。", f"unknown event fields: {', '.join(unknown)}")
    if data.get("type") not in words.event_types:
        raise EventError(f"未知的事件类型：{data.get('type')!r}。",
                         f"type must be one of {', '.join(words.event_types)} (got {data.get('type')!r})")
    if "date" not in data:
        raise EventError("事件须有日期 date。", "an event needs a date")
    kind = data.get("kind") or ""
    kinds = words.kinds_by_type.get(data["type"], {})
    if kind and kind not in kinds:
        raise EventError(f"类型 kind {kind!r} 不适用于“{words.event_types[data['type']]}”事件。",
                         f"kind {kind!r} is not one of {', '.join(kinds) or 'none'} for {data['type']}")
    amounts_in = data.get("amounts") or {}
    if not isinstance(amounts_in, dict):
        raise EventError("amounts 须为对象。", "amounts must be an object")
    if data.get("amount") is not None:
        amounts_in = {"amount": data["amount"], **amounts_in}
    amounts = {}
    for name, value in amounts_in.items():
        if name not in words.amounts:
            raise EventError(f"未知的金额名称：{name}。", f"unknown amount {name!r}")
        if value is not None:
            amounts[name] = _amount(value, f"amounts.{name}")
    parties = []
    for i, item in enumerate(data.get("parties") or []):
        if not isinstance(item, dict) or item.get("role") not in words.roles or not str(item.get("name", "")).strip():
            raise EventError(f"第{i + 1}个当事方须有已知角色 role 和名称 name。",
                             f"parties[{i}] needs a known role ({', '.join(words.roles)}) and a name")
        organisation = item.get("organisation_id")
        parties.append(Party(item["role"], str(item["name"]).strip(),
                             _int(organisation, f"parties[{i}].organisation_id", 1, 2**53) if organisation else None))
    flags_in = data.get("flags") or {}
    if not isinstance(flags_in, dict):
        raise EventError("flags 须为对象。", "flags must be an object")
    for name, value in flags_in.items():
        if name not in words.flags:
            raise EventError(f"未知的事件标记：{name}。", f"unknown flag {name!r}")
        if not isinstance(value, bool):
            raise EventError(f"标记 {name} 须为 true 或 false。", f"flag {name} must be true or false")
    event = Event(
        type=data["type"], date=_date(data["date"], "date"), kind=kind, amounts=amounts, parties=tuple(parties),
        flags=frozenset(name for name, value in flags_in.items() if value),
        project=str(data.get("project") or "").strip(),
        year=_int(data["year"], "year", 1949, 2200) if data.get("year") is not None else None,
        since=_date(data["since"], "since") if data.get("since") else None,
        years=_int(data["years"], "years", 1, 100) if data.get("years") is not None else None,
    )
    event.parameters = _parameters(data.get("parameters") or {}, book)
    return event


def _parameters(raw, book: Rulebook) -> dict[str, dict[str, Decimal]]:
    """Values an event chooses for a rule's ranged parameters ("30%—40%"): only inside the range."""
    if not isinstance(raw, dict):
        raise EventError("parameters 须为对象。", "parameters must be an object")
    chosen: dict[str, dict[str, Decimal]] = {}
    for rule_id, values in raw.items():
        try:
            params = book.rule(rule_id).formula.params()
        except KeyError:
            raise EventError(f"parameters 中的条款不存在：{rule_id}。", f"parameters: no rule {rule_id!r}") from None
        for name, value in (values or {}).items():
            param = params.get(name)
            if param is None or not param.is_range:
                raise EventError(f"条款 {rule_id} 的参数 {name} 不可选择。",
                                 f"parameters: {rule_id}.{name} is not a ranged parameter")
            number = _amount(value, f"parameters.{rule_id}.{name}")
            if not param.low <= number <= param.high:
                raise EventError(f"条款 {rule_id} 的参数 {name} 须在 {param.low}—{param.high} 之间。",
                                 f"parameters: {rule_id}.{name} must be between {param.low} and {param.high}")
            chosen.setdefault(rule_id, {})[name] = number
    return chosen


# --- What has been committed so far -------------------------------------------------------------------------


@dataclass(frozen=True)
class Prior:
    amount: Decimal = ZERO  # committed under the rule in the scope
    base: Decimal = ZERO  # the bases those awards were computed on (cumulative tiers)
    count: int = 0


class PriorLookup(Protocol):
    def prior(self, rule_id: str, beneficiary: Party, project: str | None = None,
              year: int | None = None) -> Prior: ...


@dataclass(frozen=True)
class Entry:
    rule_id: str
    beneficiary: str  # Party.key
    amount: Decimal
    base: Decimal = ZERO
    project: str = ""
    year: int | None = None


class Ledger:
    """An in-memory ledger: prior entries given as data, and the awards of events evaluated in sequence."""

    def __init__(self, entries=()):
        self.entries: list[Entry] = list(entries)

    @classmethod
    def from_data(cls, items, book: Rulebook) -> Ledger:
        """Entries in the JSON form of docs/policy.md: rule, beneficiary (name) or organisation_id, amount, and
        optionally base, project, year."""
        entries = []
        for i, item in enumerate(items or []):
            if not isinstance(item, dict) or not item.get("rule") or item.get("amount") is None:
                raise EventError(f"第{i + 1}条既有记录须有 rule 和 amount。", f"prior[{i}] needs rule and amount")
            try:
                book.rule(item["rule"])
            except KeyError:
                raise EventError(f"既有记录中的条款不存在：{item['rule']}。",
                                 f"prior[{i}]: no rule {item['rule']!r}") from None
            party = Party("recipient", str(item.get("beneficiary", "")), item.get("organisation_id") or None)
            entries.append(Entry(
                item["rule"], party.key, _amount(item["amount"], f"prior[{i}].amount"),
                _amount(item.get("base") or 0, f"prior[{i}].base"), str(item.get("project") or ""),
                _int(item["year"], f"prior[{i}].year", 1949, 2200) if item.get("year") is not None else None,
            ))
        return cls(entries)

    def prior(self, rule_id, beneficiary, project=None, year=None) -> Prior:
        found = [e for e in self.entries if e.rule_id == rule_id and e.beneficiary == beneficiary.key
                 and (project is None or e.project == project) and (year is None or e.year == year)]
        return Prior(sum((e.amount for e in found), ZERO), sum((e.base for e in found), ZERO), len(found))

    def record(self, award: Award) -> None:
        for i, instalment in enumerate(award.instalments):
            self.entries.append(Entry(award.rule_id, award.beneficiary_key, instalment.amount,
                                      (award.base or ZERO) if i == 0 else ZERO, award.project, instalment.year))


class CombinedLookup:
    """The sum of several lookups (e.g. the database ledger and entries given with a request)."""

    def __init__(self, *lookups: PriorLookup):
        self.lookups = lookups

    def prior(self, rule_id, beneficiary, project=None, year=None) -> Prior:
        priors = [lookup.prior(rule_id, beneficiary, project, year) for lookup in self.lookups]
        return Prior(sum((p.amount for p in priors), ZERO), sum((p.base for p in priors), ZERO),
                     sum(p.count for p in priors))


NO_PRIOR = Ledger()


# --- Results -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instalment:
    year: int
    amount: Decimal


def _source_dict(source: Source) -> dict:
    return {"document": source.title, "number": source.number, "article": source.article, "excerpt": source.excerpt}


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
            "source": _source_dict(self.source), "see_also": [_source_dict(s) for s in self.see_also],
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
                "beneficiary": self.beneficiary, "source": _source_dict(self.source)}


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


# --- Evaluation --------------------------------------------------------------------------------------------


def evaluate(event: Event, book: Rulebook, prior: PriorLookup = NO_PRIOR) -> Result:
    """Every rule of `book` against `event`: the awards it earns and, for every other rule, why not."""
    result = Result()
    for rule in book.rules:
        for outcome in _evaluate_rule(rule, event, book.vocabulary, prior):
            (result.awards if isinstance(outcome, Award) else result.not_applied).append(outcome)
    return result


def evaluate_sequence(events: list[Event], book: Rulebook, ledger: Ledger | None = None) -> list[Result]:
    """Events in order, each seeing the awards of those before it (caps that span events)."""
    ledger = ledger if ledger is not None else Ledger()
    results = []
    for event in events:
        result = evaluate(event, book, ledger)
        for award in result.awards:
            ledger.record(award)
        results.append(result)
    return results


def _period(rule: Rule) -> str:
    start = rule.valid_from.isoformat() if rule.valid_from else "未载明"
    if rule.valid_until:
        return f"{start} 至 {rule.valid_until.isoformat()}"
    return f"自 {start} 起（未载明截止日期）"


def _holds(condition, event: Event) -> bool:
    if condition.test == "flag":
        return condition.value in event.flags
    if condition.test == "not_flag":
        return condition.value not in event.flags
    return event.kind in condition.value


def _evaluate_rule(rule: Rule, event: Event, words: Vocabulary, prior: PriorLookup) -> list:
    def not_applied(code: str, reason: str, beneficiary: str = "") -> list:
        return [NotApplied(rule.id, rule.title, code, reason, rule.source, beneficiary)]

    if event.type not in rule.events:
        types = "、".join(words.event_types[t] for t in rule.events)
        return not_applied("event_type", f"本条款适用于“{types}”事件，不适用于“{words.event_types[event.type]}”事件")
    day = event.date.isoformat()
    if rule.valid_from and event.date < rule.valid_from:
        return not_applied("period", f"该条款自{rule.valid_from.isoformat()}起施行，事件日期{day}早于施行日期")
    if rule.valid_until and event.date > rule.valid_until:
        return not_applied("period", f"该条款有效期至{rule.valid_until.isoformat()}，事件日期{day}不在有效期内")
    failed = [c.label for c in rule.conditions if not _holds(c, event)]
    if failed:
        return not_applied("condition", "不满足条件：" + "；".join(failed))
    parties = [p for p in event.parties if p.role in rule.beneficiary]
    if not parties:
        roles = "或".join(words.roles[r] for r in rule.beneficiary)
        return not_applied("beneficiary", f"事件中没有本条款的受益方（{roles}）")
    steps = [f"依据{rule.source.citation()}", f"有效期 {_period(rule)}；事件日期 {day}，在有效期内"]
    if rule.conditions:
        steps.append("条件：" + "；".join(f"{c.label} ✓" for c in rule.conditions))
    return [_compute(rule, event, party, words, prior, list(steps)) for party in parties]


class _Stop(Exception):
    def __init__(self, code: str, reason: str):
        self.code, self.reason = code, reason


def _scope(per: str, event: Event) -> dict | None:
    """The lookup arguments of a cap's scope; None when the event does not say (no project given)."""
    if per == "project":
        return {"project": event.project} if event.project else None
    if per == "year":
        return {"year": event.claim_year}
    return {}


def _scope_label(per: str, event: Event) -> str:
    return SCOPE_LABELS[per].format(year=event.claim_year)


def _compute(rule: Rule, event: Event, party: Party, words: Vocabulary, prior: PriorLookup, steps: list) -> object:
    formula = rule.formula
    steps.append(f"受益方：{party.name}（{words.roles[party.role]}）")
    calc = _Calculation(rule, formula, event, party, words, prior, steps)
    try:
        calc.check_once()
        raw = calc.raw_amount()
        raw = calc.apply_caps(raw)
    except _Stop as stop:
        return NotApplied(rule.id, rule.title, stop.code, stop.reason, rule.source, party.name)
    amount = round_fen(raw)
    if amount != raw:
        steps.append(f"四舍五入到分：{yuan(raw)} → {yuan(amount)}")
    if amount <= 0:
        return NotApplied(rule.id, rule.title, "zero", "按本条款计算的金额为零", rule.source, party.name)
    steps.append(f"奖补金额：{yuan(amount)}")
    instalments = calc.instalments or [Instalment(event.claim_year, amount)]
    return Award(
        rule_id=rule.id, title=rule.title, programme=rule.programme, payer=rule.payer, source=rule.source,
        see_also=rule.see_also, beneficiary_role=party.role, beneficiary=party.name,
        organisation_id=party.organisation_id, beneficiary_key=party.key, amount=amount, base=calc.base,
        year=event.claim_year, project=event.project, steps=steps, caps_applied=calc.caps_applied,
        prior=calc.prior_counted, parameters=calc.parameters, instalments=instalments, estimate=calc.estimate,
    )


class _Calculation:
    """One rule for one beneficiary: the formula, its parameters, caps and the derivation steps."""

    def __init__(self, rule, formula: Formula, event: Event, party: Party, words: Vocabulary, prior, steps):
        self.rule, self.formula, self.event, self.party, self.words = rule, formula, event, party, words
        self.lookup, self.steps = prior, steps
        self.base: Decimal | None = None
        self.caps_applied: list[str] = []
        self.prior_counted: list[dict] = []
        self.parameters: list[dict] = []
        self.instalments: list[Instalment] = []
        self.estimate = False

    def prior(self, per: str) -> Prior | None:
        args = _scope(per, self.event)
        if args is None:
            self.steps.append("事件未给出项目编号（project）：不核对同一项目的既有记录，仅按本事件计算")
            return None
        return self.lookup.prior(self.rule.id, self.party, **args)

    def check_once(self) -> None:
        per = self.formula.once
        if not per:
            return
        found = self.prior(per)
        if found and found.count:
            scope = {"beneficiary": "每个单位", "project": "每个项目",
                     "year": f"每个单位{self.event.claim_year}年度"}[per]
            raise _Stop("once", f"本条款{scope}限享受一次，已有记录 {yuan(found.amount)}")
        if found is not None:
            self.steps.append(f"{_scope_label(per, self.event)}限享受一次：此前无记录 ✓")

    def param(self, name: str, param: Param, fmt) -> Decimal:
        chosen = self.event.parameters.get(self.rule.id, {}).get(name)
        value = chosen if chosen is not None else param.value_on(self.event.date)
        if param.is_vague:
            how = "按事件选定值" if chosen is not None else "按默认值"
            self.steps.append(f"参数：条文为“{param.text}”，{how} {fmt(value)}（{param.note}）")
            self.estimate = self.estimate or chosen is None
            self.parameters.append({"name": name, "text": param.text, "default": str(param.default),
                                    "value": str(value), "chosen": chosen is not None, "note": param.note,
                                    "range": None if not param.is_range else [str(param.low), str(param.high)]})
        return value

    def base_amount(self) -> Decimal:
        total, parts = ZERO, []
        for sign, name in self.formula.base:
            if name not in self.event.amounts:
                label = self.words.amounts[name].split("（")[0]
                raise _Stop("missing", f"事件缺少计算所需的金额：{label}（amounts.{name}）")
            value = self.event.amounts[name]
            total += sign * value
            label = self.words.amounts[name].split("（")[0]
            parts.append(f"{'减' if sign < 0 else ''}{label} {yuan(value)}")
        total = max(total, ZERO)
        label = self.formula.base_label or "计算基数"
        detail = f"（{'，'.join(parts)}）" if len(parts) > 1 else ""
        self.steps.append(f"计算基数：{label} {yuan(total)}{detail}")
        self.base = total
        return total

    def raw_amount(self) -> Decimal:
        kind = self.formula.kind
        f = self.formula
        if kind == "rate":
            base = self.base_amount()
            rate = self.param("rate", f.rate, percent)
            raw = base * rate
            self.steps.append(f"按比例：{yuan(base)} × {percent(rate)} = {yuan(raw)}")
            return raw
        if kind == "tiered":
            return self.tiered(self.base_amount())
        if kind == "fixed":
            amount = self.param("amount", f.amount, yuan)
            if f.up_to:
                return self.up_to(amount, "定额上限")
            self.steps.append(f"定额：{yuan(amount)}")
            return amount
        if kind == "bracket":
            base = self.base_amount()
            bracket = next(b for b in f.brackets if b.up_to is None or base <= b.up_to)
            self.steps.append(f"分档：{yuan(base)} 属于“{bracket.label}”档，对应 {yuan(bracket.amount)}")
            return self.up_to(bracket.amount, "本档最高限额") if f.up_to else bracket.amount
        if kind == "yearly_fixed":
            return self.yearly_fixed()
        return self.yearly_rate()

    def up_to(self, ceiling: Decimal, label: str) -> Decimal:
        requested = self.event.amounts.get("requested")
        if requested is None:
            self.estimate = True
            self.steps.append(f"{label} {yuan(ceiling)}：未填写申请金额，按上限预估；实际金额由审核人按绩效核定")
            return ceiling
        amount = min(requested, ceiling)
        self.steps.append(f"{label} {yuan(ceiling)}：申请金额 {yuan(requested)} → {yuan(amount)}")
        return amount

    def tiered(self, base: Decimal) -> Decimal:
        before = ZERO
        if self.formula.accumulate == "year":
            found = self.prior("year")
            before = found.base if found else ZERO
            self.steps.append(f"{self.event.claim_year}年度此前已计交易额 {yuan(before)}，本次 {yuan(base)}，"
                              f"累计 {yuan(before + base)}")
        total, lower = ZERO, ZERO
        for tier in self.formula.tiers:
            upper = tier.up_to
            portion = max(ZERO, (before + base if upper is None else min(before + base, upper)) - max(before, lower))
            if portion:
                where = f"超过 {yuan(lower)} 部分" if upper is None else f"{yuan(lower)}—{yuan(upper)}（含）部分"
                self.steps.append(f"{where}：{yuan(portion)} × {percent(tier.rate)} = {yuan(portion * tier.rate)}")
                total += portion * tier.rate
            lower = upper if upper is not None else lower
        self.steps.append(f"分段合计：{yuan(total)}")
        return total

    def yearly_fixed(self) -> Decimal:
        f = self.formula
        amount = self.param("amount", f.amount, yuan)
        years = f.years
        if self.event.years:
            years = min(self.event.years, f.years)
            if self.event.years > f.years:
                self.steps.append(f"申报年数 {self.event.years} 年，支持期限不超过 {f.years} 年 → 按 {f.years} 年")
        start = self.event.claim_year
        self.instalments = [Instalment(start + i, round_fen(amount)) for i in range(years)]
        total = amount * years
        self.steps.append(f"每年 {yuan(amount)} × {years} 年（{start}—{start + years - 1}年）= {yuan(total)}")
        return total

    def yearly_rate(self) -> Decimal:
        f = self.formula
        since = self.event.since
        if since is None:
            raise _Stop("missing", "事件缺少起算日期（since）")
        index = self.event.claim_year - since.year + (0 if f.first_year == "next" else 1)
        start = since.year + (1 if f.first_year == "next" else 0)
        last = max(p.last for p in f.schedule)
        period = next((p for p in f.schedule if p.first <= index <= p.last), None)
        if period is None:
            raise _Stop("schedule", f"支持期为{start}—{start + last - 1}年（共{last}年），"
                                    f"申报年度{self.event.claim_year}年不在支持期内")
        self.steps.append(f"起算：{since.isoformat()}，{start}年为第1年；申报年度{self.event.claim_year}年为第{index}年，"
                          f"第{period.first}—{period.last}年按 {percent(period.rate)}")
        base = self.base_amount()
        raw = base * period.rate
        self.steps.append(f"按比例：{yuan(base)} × {percent(period.rate)} = {yuan(raw)}")
        return raw

    def apply_caps(self, raw: Decimal) -> Decimal:
        for cap in self.formula.caps:
            label = _scope_label(cap.per, self.event)
            found = self.prior(cap.per) if cap.per != "event" else Prior()
            before = found.amount if found else ZERO
            room = cap.amount - before
            if found is not None and cap.per != "event":
                self.prior_counted.append({"scope": cap.per, "label": label, "amount": before, "base": found.base})
            if room <= 0:
                raise _Stop("cap", f"已达{label}上限 {yuan(cap.amount)}（已计入 {yuan(before)}）")
            if raw > room:
                self.caps_applied.append(f"{label}上限 {yuan(cap.amount)}")
                self.steps.append(f"{label}上限 {yuan(cap.amount)}：已计入 {yuan(before)}，尚可 {yuan(room)} → "
                                  f"取 {yuan(room)}")
                raw = room
            else:
                self.steps.append(f"{label}上限 {yuan(cap.amount)}：已计入 {yuan(before)}，尚可 {yuan(room)}，"
                                  f"未超出")
        return raw
