"""The policy engine: evaluates one event against every rule of the rulebook.

For each rule it returns either awards (amount, derivation steps a person can follow, caps applied, the amounts
already counted under the same cap, the source article) or the reason it does not apply (results.py). Caps that
span events are checked against a `PriorLookup`, "what has been committed so far", passed in by the caller: the
in-memory `Ledger` (tables, the CLI, the API) or the database ledger (applications), both in ledger.py. Events
are parsed and validated in events.py. The evaluation is pure Python, with exact `Decimal` money in yuan,
rounded once per award to the fen (ROUND_HALF_UP). See docs/policy.md.
"""

from __future__ import annotations

from decimal import Decimal

from techmarket.policy.schemas import Formula, Param, Rule, Vocabulary
from techmarket.policy.services.events import Event, Party
from techmarket.policy.services.ledger import NO_PRIOR, Ledger, Prior, PriorLookup
from techmarket.policy.services.results import ZERO, Award, Instalment, NotApplied, Result, percent, round_fen, yuan
from techmarket.policy.services.rulebook import Rulebook

SCOPE_LABELS = {"event": "每次", "project": "每个项目", "year": "{year}年度", "beneficiary": "每个单位累计"}


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


def _in_force_instead(rule: Rule, event: Event) -> str:
    """What pays instead of a rule whose validity ended before the event: its successors in force on the event's
    date, or that there is none."""
    current = [r for r in rule.successors
               if (r.valid_from is None or r.valid_from <= event.date)
               and (r.valid_until is None or event.date <= r.valid_until)]
    if current:
        return "现行接续条款：" + "；".join(f"{r.title}（{r.source.citation()}）" for r in current)
    return "目前没有接续的现行条款"


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
        return not_applied("period", f"该条款有效期至{rule.valid_until.isoformat()}，事件日期{day}不在有效期内；"
                                     + _in_force_instead(rule, event))
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
    return [_standing_refusal(rule, party, words)
            or _compute(rule, event, party, words, prior, steps + _qualification_steps(rule, party, words))
            for party in parties]


def _qualification_steps(rule: Rule, party: Party, words: Vocabulary) -> list[str]:
    held = rule.party_requires.get(party.role, ())
    if not held:
        return []
    source = "平台登记记录" if party.vouched else "事件载明"
    return [f"{party.name}在事件日期具备" + "、".join(words.qualifications[c] for c in held) + f" ✓（{source}）"]


def _standing_refusal(rule: Rule, party: Party, words: Vocabulary):
    """A party a sanction in force blocks, or one without a qualification the rule requires of its role, is not
    paid; the reason says which, and whether a register of the platform or only the event says so."""
    if party.blocks:
        return NotApplied(rule.id, rule.title, "sanction", "；".join(party.blocks), rule.source, party.name)
    missing = [code for code in rule.party_requires.get(party.role, ()) if code not in party.qualifications]
    if not missing:
        return None
    needed = "、".join(words.qualifications[code] for code in missing)
    source = "平台登记记录显示" if party.vouched else "事件未载明且平台登记中查无记录，"
    return NotApplied(rule.id, rule.title, "qualification",
                      f"{source}{party.name}在事件日期不具备{needed}", rule.source, party.name)


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
