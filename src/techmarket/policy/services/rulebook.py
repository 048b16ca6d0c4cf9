"""Reads the policy data files (data/policy: vocabulary.yaml, programmes.yaml, rules/*.yaml) into frozen
dataclasses, checking every rule against the vocabulary so that a misspelt flag, role or kind fails here, when the
files are loaded, and never silently at run time. Pure Python: no Django. The format is described in docs/policy.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

FORMULA_KINDS = {
    # kind: (required keys, optional keys)
    "rate": ({"base", "rate"}, {"base_label", "caps", "once"}),
    "tiered": ({"base", "tiers"}, {"base_label", "accumulate", "caps", "once"}),
    "fixed": ({"amount"}, {"up_to", "caps", "once"}),
    "yearly_fixed": ({"amount", "years"}, {"once"}),
    "yearly_rate": ({"base", "schedule", "first_year"}, {"base_label", "caps", "once"}),
    "bracket": ({"base", "brackets"}, {"base_label", "up_to", "caps", "once"}),
}
SCOPES = {"event", "project", "year", "beneficiary"}
RULE_KEYS = {"id", "title", "article", "excerpt", "see_also", "programme", "payer", "events", "beneficiary",
             "conditions", "formula", "notes", "valid_from", "valid_until"}
REQUIRED_RULE_KEYS = {"id", "title", "article", "excerpt", "programme", "payer", "events", "beneficiary", "formula"}


def clean_text(value) -> str:
    """Text as written across YAML lines: whitespace between two Chinese characters (a line break folded into a
    space) is dropped, other runs of whitespace become one space."""
    text = " ".join(str(value or "").split())
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


class RuleFileError(ValueError):
    """A policy data file that does not follow the format; the message names the file and the rule."""


# --- Values ------------------------------------------------------------------------------------------------


def to_decimal(value, where: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise RuleFileError(f"{where}: expected an amount, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RuleFileError(f"{where}: {value!r} is not a number") from None
    if not number.is_finite():
        raise RuleFileError(f"{where}: {value!r} is not a finite number")
    return number


def to_date(value, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleFileError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class Param:
    """A rate or an amount. Where the text is vague it carries what the text says (`text`, e.g. "30%—40%" or
    "150万元左右"), the documented `default` and, for a range, its bounds: an event may then choose a value inside
    them. `values` are dated values (OpenFisca style): the one in force on the event's date is used."""

    default: Decimal
    low: Decimal | None = None
    high: Decimal | None = None
    text: str = ""
    note: str = ""
    values: tuple[tuple[dt.date, Decimal], ...] = ()

    @property
    def is_range(self) -> bool:
        return self.low is not None

    @property
    def is_vague(self) -> bool:
        return bool(self.text)

    def value_on(self, day: dt.date) -> Decimal:
        current = self.default
        for since, value in self.values:
            if since <= day:
                current = value
        return current


def parse_param(raw, where: str) -> Param:
    if not isinstance(raw, dict):
        return Param(default=to_decimal(raw, where))
    unknown = set(raw) - {"default", "range", "text", "note", "values"}
    if unknown:
        raise RuleFileError(f"{where}: unknown keys {sorted(unknown)}")
    values: tuple = ()
    if "values" in raw:
        if not isinstance(raw["values"], dict) or not raw["values"]:
            raise RuleFileError(f"{where}: values must map dates to numbers")
        values = tuple(sorted((to_date(day, where), to_decimal(v, where)) for day, v in raw["values"].items()))
    if "default" in raw:
        default = to_decimal(raw["default"], f"{where}.default")
    elif values:
        default = values[0][1]
    else:
        raise RuleFileError(f"{where}: a parameter needs a default or dated values")
    low = high = None
    if "range" in raw:
        bounds = raw["range"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise RuleFileError(f"{where}.range: expected [low, high]")
        low, high = (to_decimal(b, f"{where}.range") for b in bounds)
        if not low <= default <= high:
            raise RuleFileError(f"{where}: default {default} is outside the range {low}–{high}")
    if (low is not None or "text" in raw) and not raw.get("note"):
        raise RuleFileError(f"{where}: a vague parameter must document its default in `note`")
    return Param(default=default, low=low, high=high, text=str(raw.get("text", "")),
                 note=str(raw.get("note", "")), values=values)


# --- Rules -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    title: str
    number: str
    article: str
    excerpt: str

    def citation(self) -> str:
        return f"《{self.title}》（{self.number}）{self.article}"


@dataclass(frozen=True)
class Document:
    code: str
    title: str
    number: str
    issuer: str
    issued: dt.date | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    validity: str
    version: str
    file: str


@dataclass(frozen=True)
class Condition:
    test: str  # "flag", "not_flag" or "kind"
    value: str | tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Cap:
    amount: Decimal
    per: str


@dataclass(frozen=True)
class Tier:
    up_to: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class Bracket:
    up_to: Decimal | None
    amount: Decimal
    label: str


@dataclass(frozen=True)
class Period:
    first: int
    last: int
    rate: Decimal


@dataclass(frozen=True)
class Formula:
    kind: str
    base: tuple[tuple[int, str], ...] = ()
    base_label: str = ""
    rate: Param | None = None
    amount: Param | None = None
    tiers: tuple[Tier, ...] = ()
    accumulate: str | None = None
    brackets: tuple[Bracket, ...] = ()
    schedule: tuple[Period, ...] = ()
    first_year: str = "same"
    years: int | None = None
    caps: tuple[Cap, ...] = ()
    once: str | None = None
    up_to: bool = False

    def params(self) -> dict[str, Param]:
        return {name: p for name, p in (("rate", self.rate), ("amount", self.amount)) if p is not None}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    document: Document
    article: str
    excerpt: str
    see_also: tuple[Source, ...]
    programme: str
    payer: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    events: tuple[str, ...]
    beneficiary: tuple[str, ...]
    conditions: tuple[Condition, ...]
    formula: Formula
    notes: str
    raw: dict = field(compare=False, repr=False)
    hash: str = ""

    @property
    def source(self) -> Source:
        return Source(self.document.title, self.document.number, self.article, self.excerpt)


@dataclass(frozen=True)
class Vocabulary:
    event_types: dict[str, str]
    roles: dict[str, str]
    flags: dict[str, str]
    kinds_by_type: dict[str, dict[str, str]]
    amounts: dict[str, str]

    @property
    def kinds(self) -> dict[str, str]:
        return {code: label for kinds in self.kinds_by_type.values() for code, label in kinds.items()}


@dataclass(frozen=True)
class Budget:
    year: int
    amount: Decimal | None
    source: str


@dataclass(frozen=True)
class Programme:
    code: str
    name: str
    payer: str
    source: str
    budgets: tuple[Budget, ...]


@dataclass(frozen=True)
class Rulebook:
    rules: tuple[Rule, ...]
    vocabulary: Vocabulary
    programmes: dict[str, Programme]
    documents: tuple[Document, ...]
    version: str  # a hash of every data file: changes whenever any rule, programme or word changes

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RuleFileError(f"{path.name}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise RuleFileError(f"{path.name}: expected a mapping at the top")
    return data


def _vocabulary(data: dict) -> Vocabulary:
    try:
        words = {key: dict(data[key]) for key in ("event_types", "roles", "flags", "amounts")}
        kinds = {event_type: dict(kinds) for event_type, kinds in data["kinds"].items()}
    except (KeyError, TypeError, ValueError) as error:
        raise RuleFileError(f"vocabulary.yaml: missing or malformed section {error}") from None
    if set(kinds) - set(words["event_types"]):
        unknown = sorted(set(kinds) - set(words["event_types"]))
        raise RuleFileError(f"vocabulary.yaml: kinds of unknown event types {unknown}")
    codes = [code for values in kinds.values() for code in values]
    if len(codes) != len(set(codes)):
        raise RuleFileError("vocabulary.yaml: a kind is listed under two event types")
    return Vocabulary(kinds_by_type=kinds, **words)


def _programmes(data: dict) -> dict[str, Programme]:
    programmes = {}
    for item in data.get("programmes") or []:
        where = f"programmes.yaml: {item.get('code')}"
        budgets = tuple(
            Budget(int(b["year"]), None if b.get("amount") is None else to_decimal(b["amount"], where),
                   str(b.get("source", "")))
            for b in item.get("budgets") or []
        )
        if len({b.year for b in budgets}) != len(budgets):
            raise RuleFileError(f"{where}: a year is listed twice")
        programmes[item["code"]] = Programme(item["code"], item["name"], item.get("payer", ""),
                                             item.get("source", ""), budgets)
    return programmes


def _base(raw, where: str, vocabulary: Vocabulary) -> tuple[tuple[int, str], ...]:
    terms = raw if isinstance(raw, list) else [raw]
    base = []
    for term in terms:
        term = str(term).strip()
        sign, name = (-1, term[1:].strip()) if term.startswith("-") else (1, term)
        if name not in vocabulary.amounts:
            raise RuleFileError(f"{where}.base: unknown amount {name!r}")
        base.append((sign, name))
    if not base or base[0][0] != 1:
        raise RuleFileError(f"{where}.base: must start with an amount that is added")
    return tuple(base)


def _formula(raw: dict, where: str, vocabulary: Vocabulary) -> Formula:
    if not isinstance(raw, dict) or raw.get("kind") not in FORMULA_KINDS:
        raise RuleFileError(f"{where}: kind must be one of {sorted(FORMULA_KINDS)}")
    kind = raw["kind"]
    required, optional = FORMULA_KINDS[kind]
    keys = set(raw) - {"kind"}
    if required - keys:
        raise RuleFileError(f"{where}: {kind} needs {sorted(required - keys)}")
    if keys - required - optional:
        raise RuleFileError(f"{where}: {kind} does not take {sorted(keys - required - optional)}")
    values: dict = {"kind": kind}
    if "base" in raw:
        values["base"] = _base(raw["base"], where, vocabulary)
        values["base_label"] = str(raw.get("base_label", ""))
    for name in ("rate", "amount"):
        if name in raw:
            values[name] = parse_param(raw[name], f"{where}.{name}")
    if "tiers" in raw:
        tiers = tuple(Tier(None if t.get("up_to") is None else to_decimal(t["up_to"], where),
                           to_decimal(t["rate"], where)) for t in raw["tiers"])
        bounds = [t.up_to for t in tiers[:-1]]
        if not tiers or tiers[-1].up_to is not None or None in bounds or bounds != sorted(bounds):
            raise RuleFileError(f"{where}.tiers: ascending `up_to` bounds, the last tier open")
        values["tiers"] = tiers
    if "accumulate" in raw:
        if raw["accumulate"] != "year":
            raise RuleFileError(f"{where}.accumulate: only `year` is supported")
        values["accumulate"] = "year"
    if "brackets" in raw:
        brackets = tuple(Bracket(None if b.get("up_to") is None else to_decimal(b["up_to"], where),
                                 to_decimal(b["amount"], where), str(b.get("label", ""))) for b in raw["brackets"])
        bounds = [b.up_to for b in brackets[:-1]]
        if not brackets or brackets[-1].up_to is not None or None in bounds or bounds != sorted(bounds):
            raise RuleFileError(f"{where}.brackets: ascending `up_to` bounds, the last bracket open")
        values["brackets"] = brackets
    if "schedule" in raw:
        values["schedule"] = tuple(Period(int(p["years"][0]), int(p["years"][1]), to_decimal(p["rate"], where))
                                   for p in raw["schedule"])
    if "first_year" in raw:
        if raw["first_year"] not in ("same", "next"):
            raise RuleFileError(f"{where}.first_year: `same` or `next`")
        values["first_year"] = raw["first_year"]
    if "years" in raw:
        values["years"] = int(raw["years"])
    if "caps" in raw:
        caps = []
        for cap in raw["caps"]:
            if cap.get("per") not in SCOPES:
                raise RuleFileError(f"{where}.caps: per must be one of {sorted(SCOPES)}")
            caps.append(Cap(to_decimal(cap["amount"], where), cap["per"]))
        values["caps"] = tuple(caps)
    if "once" in raw:
        if raw["once"] not in SCOPES - {"event"}:
            raise RuleFileError(f"{where}.once: one of project, year, beneficiary")
        values["once"] = raw["once"]
    if "up_to" in raw:
        values["up_to"] = bool(raw["up_to"])
    return Formula(**values)


def _conditions(raw, where: str, vocabulary: Vocabulary, events: tuple[str, ...]) -> tuple[Condition, ...]:
    conditions = []
    for item in raw or []:
        label = item.get("label")
        if "flag" in item or "not_flag" in item:
            test = "flag" if "flag" in item else "not_flag"
            flag = item[test]
            if flag not in vocabulary.flags:
                raise RuleFileError(f"{where}: unknown flag {flag!r}")
            default = vocabulary.flags[flag] if test == "flag" else f"非{vocabulary.flags[flag]}"
            conditions.append(Condition(test, flag, label or default))
        elif "kind" in item:
            kinds = tuple(item["kind"])
            allowed = {k for event in events for k in vocabulary.kinds_by_type.get(event, {})}
            unknown = [k for k in kinds if k not in allowed]
            if unknown:
                raise RuleFileError(f"{where}: kinds {unknown} are not kinds of {list(events)}")
            default = "类型为" + "或".join(vocabulary.kinds[k] for k in kinds)
            conditions.append(Condition("kind", kinds, label or default))
        else:
            raise RuleFileError(f"{where}: a condition is `flag`, `not_flag` or `kind`")
    return tuple(conditions)


def _source(raw: dict, where: str) -> Source:
    try:
        return Source(raw["title"], raw["number"], raw["article"], clean_text(raw["excerpt"]))
    except (KeyError, TypeError):
        raise RuleFileError(f"{where}: see_also entries need title, number, article and excerpt") from None


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _document(raw: dict, path: Path) -> Document:
    where = f"{path.name}: document"
    try:
        return Document(
            code=raw["code"], title=raw["title"], number=raw["number"], issuer=raw.get("issuer", ""),
            issued=to_date(raw.get("issued"), where), valid_from=to_date(raw.get("valid_from"), where),
            valid_until=to_date(raw.get("valid_until"), where), validity=clean_text(raw["validity"]),
            version=str(raw.get("version", "1")), file=path.name,
        )
    except KeyError as error:
        raise RuleFileError(f"{where}: missing {error}") from None


def _rule(raw: dict, document: Document, path: Path, vocabulary: Vocabulary, programmes: dict) -> Rule:
    where = f"{path.name}: rule {raw.get('id', '?')}"
    if not isinstance(raw, dict) or REQUIRED_RULE_KEYS - set(raw):
        raise RuleFileError(f"{where}: missing {sorted(REQUIRED_RULE_KEYS - set(raw or {}))}")
    if set(raw) - RULE_KEYS:
        raise RuleFileError(f"{where}: unknown keys {sorted(set(raw) - RULE_KEYS)}")
    if raw["programme"] not in programmes:
        raise RuleFileError(f"{where}: programme {raw['programme']!r} is not in programmes.yaml")
    events = tuple(raw["events"])
    roles = tuple(raw["beneficiary"])
    for name, known, values in (("event type", vocabulary.event_types, events), ("role", vocabulary.roles, roles)):
        unknown = [v for v in values if v not in known]
        if unknown or not values:
            raise RuleFileError(f"{where}: unknown or missing {name} {unknown}")
    if not str(raw["excerpt"]).strip() or not str(raw["article"]).strip():
        raise RuleFileError(f"{where}: every rule cites its article and quotes an excerpt")
    valid_from = to_date(raw["valid_from"], where) if "valid_from" in raw else document.valid_from
    valid_until = to_date(raw["valid_until"], where) if "valid_until" in raw else document.valid_until
    validity = {"valid_from": valid_from, "valid_until": valid_until, "document": document.number}
    return Rule(
        id=raw["id"], title=raw["title"], document=document, article=raw["article"],
        excerpt=clean_text(raw["excerpt"]),
        see_also=tuple(_source(s, where) for s in raw.get("see_also") or []),
        programme=raw["programme"], payer=raw["payer"], valid_from=valid_from, valid_until=valid_until,
        events=events, beneficiary=roles, conditions=_conditions(raw.get("conditions"), where, vocabulary, events),
        formula=_formula(raw["formula"], f"{where}: formula", vocabulary),
        notes=clean_text(raw.get("notes")), raw=raw, hash=_digest([raw, validity]),
    )


def load_rulebook(directory: Path) -> Rulebook:
    """Every rule of `directory`/rules/*.yaml, checked against vocabulary.yaml and programmes.yaml."""
    directory = Path(directory)
    files = [directory / "vocabulary.yaml", directory / "programmes.yaml",
             *sorted((directory / "rules").glob("*.yaml"))]
    for path in files[:2]:
        if not path.exists():
            raise RuleFileError(f"{path}: missing")
    vocabulary = _vocabulary(_read(files[0]))
    programmes = _programmes(_read(files[1]))
    rules: list[Rule] = []
    documents = []
    for path in files[2:]:
        data = _read(path)
        if set(data) - {"document", "rules", "definitions"} or "document" not in data:
            raise RuleFileError(f"{path.name}: top-level keys are document, rules and definitions")
        document = _document(data["document"], path)
        documents.append(document)
        rules += [_rule(raw, document, path, vocabulary, programmes) for raw in data.get("rules") or []]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleFileError(f"{rule.document.file}: rule id {rule.id} is used twice")
        seen.add(rule.id)
    version = hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()[:16]
    return Rulebook(tuple(rules), vocabulary, programmes, tuple(documents), version)
