"""The shapes of policy data, as pydantic models: the rule files of data/policy (vocabulary.yaml, programmes.yaml,
rules/*.yaml) and the events the engine evaluates (docs/policy.md). The loader (services/rulebook.py), the pages,
the API and the `rewards` command all validate through these models. Pure Python: no Django.

Rule-file models check the words they use against the vocabulary passed as validation context
(`{"vocabulary": ..., "programmes": ...}`); event models check them against the rulebook (`{"book": ...}`).
Problems with events carry a Chinese message for users and an English one for the command line (`problem`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    StrictBool,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from techmarket.common.bounds import EARLIEST_DATE, LATEST_DATE, MAX_AMOUNT
from techmarket.common.datafiles import FileModel, Label, Required, Source, Text

# --- Rule files --------------------------------------------------------------------------------------------

FORMULA_KINDS = {
    # kind: (required keys, optional keys)
    "rate": ({"base", "rate"}, {"base_label", "caps", "once"}),
    "tiered": ({"base", "tiers"}, {"base_label", "accumulate", "caps", "once"}),
    "fixed": ({"amount"}, {"up_to", "caps", "once"}),
    "yearly_fixed": ({"amount", "years"}, {"once"}),
    "yearly_rate": ({"base", "schedule", "first_year"}, {"base_label", "caps", "once"}),
    "bracket": ({"base", "brackets"}, {"base_label", "up_to", "caps", "once"}),
}
Scope = Literal["event", "project", "year", "beneficiary"]


def _context(info: ValidationInfo, key: str):
    return (info.context or {}).get(key)


class Vocabulary(FileModel):
    """vocabulary.yaml: the words events and rules are made of, with their Chinese labels."""

    event_types: dict[str, str]
    roles: dict[str, str]
    flags: dict[str, str]
    kinds_by_type: dict[str, dict[str, str]] = Field(alias="kinds")
    amounts: dict[str, str]
    evidence: dict[str, str]
    qualifications: dict[str, str] = {}

    @property
    def kinds(self) -> dict[str, str]:
        return {code: label for kinds in self.kinds_by_type.values() for code, label in kinds.items()}

    @model_validator(mode="after")
    def _kinds_belong_to_event_types(self):
        unknown = sorted(set(self.kinds_by_type) - set(self.event_types))
        if unknown:
            raise ValueError(f"kinds of unknown event types {unknown}")
        codes = [code for kinds in self.kinds_by_type.values() for code in kinds]
        if len(codes) != len(set(codes)):
            raise ValueError("a kind is listed under two event types")
        return self


class Budget(FileModel):
    year: int
    amount: Decimal | None = None
    source: str = ""


class Programme(FileModel):
    code: Label
    name: Label
    payer: str = ""
    source: str = ""
    budgets: tuple[Budget, ...] = ()

    @field_validator("budgets", mode="before")
    @classmethod
    def _none_is_empty(cls, value):
        return value or ()

    @field_validator("budgets")
    @classmethod
    def _one_budget_a_year(cls, budgets):
        if len({b.year for b in budgets}) != len(budgets):
            raise ValueError("a year is listed twice")
        return budgets


class ProgrammesFile(FileModel):
    """programmes.yaml."""

    programmes: list[Programme] = []


class Document(FileModel):
    """The source document of a rule file: every rule of the file cites it."""

    code: Label
    title: Label
    number: Label
    issuer: str = ""
    issued: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    validity: Required
    version: Annotated[str, BeforeValidator(str)] = "1"
    _file: str = PrivateAttr(default="")

    @property
    def file(self) -> str:
        return self._file


class Param(FileModel):
    """A rate or an amount: a number, or a vague one that carries what the text says (`text`, e.g. "30%—40%"),
    its documented `default` (`note`) and, for a range, its bounds that an event may choose inside; or dated
    `values` (OpenFisca style): the one in force on the event's date is used."""

    default: Decimal | None = None
    range: tuple[Decimal, Decimal] | None = None
    text: str = ""
    note: str = ""
    values: Annotated[dict[dt.date, Decimal], Field(min_length=1)] = {}

    @model_validator(mode="before")
    @classmethod
    def _a_number_is_the_default(cls, data):
        return data if isinstance(data, dict) else {"default": data}

    @model_validator(mode="after")
    def _check(self):
        if self.default is None:
            if not self.values:
                raise ValueError("a parameter needs a default or dated values")
            self.default = self.dated[0][1]
        if self.range and not self.range[0] <= self.default <= self.range[1]:
            raise ValueError(f"default {self.default} is outside the range {self.range[0]}–{self.range[1]}")
        if (self.range or "text" in self.model_fields_set) and not self.note:
            raise ValueError("a vague parameter must document its default in `note`")
        return self

    @property
    def dated(self) -> list[tuple[dt.date, Decimal]]:
        return sorted(self.values.items())

    @property
    def low(self) -> Decimal | None:
        return self.range[0] if self.range else None

    @property
    def high(self) -> Decimal | None:
        return self.range[1] if self.range else None

    @property
    def is_range(self) -> bool:
        return self.range is not None

    @property
    def is_vague(self) -> bool:
        return bool(self.text)

    def value_on(self, day: dt.date) -> Decimal:
        current = self.default
        for since, value in self.dated:
            if since <= day:
                current = value
        return current


class Cap(FileModel):
    amount: Decimal
    per: Scope


class Tier(FileModel):
    up_to: Decimal | None = None
    rate: Decimal


class Bracket(FileModel):
    up_to: Decimal | None = None
    amount: Decimal
    label: str = ""


class Period(FileModel):
    years: tuple[int, int]  # [first, last], counted from 1
    rate: Decimal

    @property
    def first(self) -> int:
        return self.years[0]

    @property
    def last(self) -> int:
        return self.years[1]


def _ascending(items, what: str):
    bounds = [item.up_to for item in items[:-1]]
    if not items or items[-1].up_to is not None or None in bounds or bounds != sorted(bounds):
        raise ValueError(f"ascending `up_to` bounds, the last {what} open")
    return items


class Formula(FileModel):
    """How a rule computes its amount; the keys each kind takes are listed in FORMULA_KINDS."""

    kind: Literal["rate", "tiered", "fixed", "yearly_fixed", "yearly_rate", "bracket"]
    base: tuple[tuple[int, str], ...] = ()  # (sign, amount name): `[amount, -costs]`
    base_label: str = ""
    rate: Param | None = None
    amount: Param | None = None
    tiers: tuple[Tier, ...] = ()
    accumulate: Literal["year"] | None = None
    brackets: tuple[Bracket, ...] = ()
    schedule: tuple[Period, ...] = ()
    first_year: Literal["same", "next"] = "same"
    years: int | None = None
    caps: tuple[Cap, ...] = ()
    once: Literal["project", "year", "beneficiary"] | None = None
    up_to: bool = False

    @model_validator(mode="before")
    @classmethod
    def _keys_of_the_kind(cls, data):
        if isinstance(data, dict) and data.get("kind") in FORMULA_KINDS:
            required, optional = FORMULA_KINDS[data["kind"]]
            keys = set(data) - {"kind"}
            if required - keys:
                raise ValueError(f"{data['kind']} needs {sorted(required - keys)}")
            if keys - required - optional:
                raise ValueError(f"{data['kind']} does not take {sorted(keys - required - optional)}")
        return data

    @field_validator("base", mode="before")
    @classmethod
    def _terms(cls, raw, info: ValidationInfo):
        vocabulary = _context(info, "vocabulary")
        base = []
        for term in raw if isinstance(raw, list) else [raw]:
            term = str(term).strip()
            sign, name = (-1, term[1:].strip()) if term.startswith("-") else (1, term)
            if vocabulary is not None and name not in vocabulary.amounts:
                raise ValueError(f"unknown amount {name!r}")
            base.append((sign, name))
        if not base or base[0][0] != 1:
            raise ValueError("must start with an amount that is added")
        return tuple(base)

    @field_validator("tiers")
    @classmethod
    def _tiers_ascend(cls, tiers):
        return _ascending(tiers, "tier")

    @field_validator("brackets")
    @classmethod
    def _brackets_ascend(cls, brackets):
        return _ascending(brackets, "bracket")

    def params(self) -> dict[str, Param]:
        return {name: p for name, p in (("rate", self.rate), ("amount", self.amount)) if p is not None}


class Condition(FileModel):
    """One of `flag` (must be true), `not_flag` (must not be true) or `kind` (one of), with an optional label."""

    flag: str | None = None
    not_flag: str | None = None
    kind: tuple[str, ...] | None = None
    label: str = ""

    @property
    def test(self) -> str:
        return "flag" if self.flag else "not_flag" if self.not_flag else "kind"

    @property
    def value(self) -> str | tuple[str, ...]:
        return self.flag or self.not_flag or self.kind

    @model_validator(mode="after")
    def _one_test_of_known_words(self, info: ValidationInfo):
        if [self.flag, self.not_flag, self.kind].count(None) != 2:
            raise ValueError("a condition is `flag`, `not_flag` or `kind`")
        vocabulary = _context(info, "vocabulary")
        if vocabulary is None:
            return self
        if self.test != "kind":
            if self.value not in vocabulary.flags:
                raise ValueError(f"unknown flag {self.value!r}")
            label = vocabulary.flags[self.value]
            self.label = self.label or (label if self.test == "flag" else f"非{label}")
        elif not self.label and all(k in vocabulary.kinds for k in self.kind):
            self.label = "类型为" + "或".join(vocabulary.kinds[k] for k in self.kind)
        return self


class Rule(FileModel):
    """A rule of a rule file: what it pays, to whom, on which events and conditions, citing its article."""

    id: Label
    title: Label
    article: Label
    excerpt: Required
    see_also: tuple[Source, ...] = ()  # other documents stating the same money (paid once)
    programme: str
    payer: Label
    events: Annotated[tuple[str, ...], Field(min_length=1)]
    # What a reviewer needs to see before approving (vocabulary.yaml `evidence`); a platform record may vouch for
    # an item, the applicant uploads the rest.
    evidence: Annotated[tuple[str, ...], Field(min_length=1)]
    beneficiary: Annotated[tuple[str, ...], Field(min_length=1)]
    conditions: tuple[Condition, ...] = ()
    # role → qualifications (vocabulary `qualifications`) a party paid in that role must hold on the event's date.
    party_requires: dict[str, tuple[str, ...]] = {}
    formula: Formula
    notes: Text = ""
    valid_from: dt.date | None = None  # absent: the document's
    valid_until: dt.date | None = None
    # Rules in force after this one's validity ends that pay for the same thing (ids; checked when loading).
    succeeded_by: tuple[str, ...] = ()
    _document: Document | None = PrivateAttr(default=None)
    _successors: tuple[Rule, ...] = PrivateAttr(default=())
    _raw: dict = PrivateAttr(default_factory=dict)
    _hash: str = PrivateAttr(default="")

    @field_validator("see_also", "conditions", "succeeded_by", mode="before")
    @classmethod
    def _none_is_empty(cls, value):
        return value or ()

    @field_validator("programme")
    @classmethod
    def _known_programme(cls, value, info: ValidationInfo):
        programmes = _context(info, "programmes")
        if programmes is not None and value not in programmes:
            raise ValueError(f"programme {value!r} is not in programmes.yaml")
        return value

    @field_validator("events", "beneficiary", "evidence")
    @classmethod
    def _known_words(cls, values, info: ValidationInfo):
        vocabulary = _context(info, "vocabulary")
        known, what = {"events": ("event_types", "event type"), "beneficiary": ("roles", "role"),
                       "evidence": ("evidence", "evidence")}[info.field_name]
        unknown = [v for v in values if vocabulary is not None and v not in getattr(vocabulary, known)]
        if unknown:
            raise ValueError(f"unknown {what} {unknown}")
        return values

    @field_validator("party_requires")
    @classmethod
    def _known_qualifications(cls, value, info: ValidationInfo):
        vocabulary = _context(info, "vocabulary")
        if vocabulary is None:
            return value
        for role, codes in value.items():
            if role not in vocabulary.roles:
                raise ValueError(f"unknown role {role!r}")
            unknown = [code for code in codes if code not in vocabulary.qualifications]
            if unknown:
                raise ValueError(f"unknown qualification {unknown}")
        return value

    @model_validator(mode="after")
    def _kinds_of_its_events(self, info: ValidationInfo):
        vocabulary = _context(info, "vocabulary")
        if vocabulary is None:
            return self
        allowed = {k for event in self.events for k in vocabulary.kinds_by_type.get(event, {})}
        for condition in self.conditions:
            unknown = [k for k in condition.kind or () if k not in allowed]
            if unknown:
                raise ValueError(f"kinds {unknown} are not kinds of {list(self.events)}")
        return self

    @property
    def document(self) -> Document:
        return self._document

    @property
    def raw(self) -> dict:
        return self._raw

    @property
    def hash(self) -> str:
        return self._hash

    @property
    def successors(self) -> tuple[Rule, ...]:
        return self._successors

    @property
    def source(self) -> Source:
        return Source(document=self.document.title, number=self.document.number, article=self.article,
                      excerpt=self.excerpt)


class RuleFile(FileModel):
    """rules/*.yaml: one source document and its rules; `definitions` holds YAML anchors the rules refer to."""

    document: Document
    rules: list[Rule] = []
    definitions: Any = None

    @field_validator("rules", mode="before")
    @classmethod
    def _none_is_empty(cls, value):
        return value or []


# --- Events ------------------------------------------------------------------------------------------------


def problem(zh: str, en: str, located: bool = False) -> PydanticCustomError:
    """An event problem: `zh` for users, `en` for the command line; a `located` one is prefixed with the field
    (`amounts.amount 须为非负金额。`)."""
    return PydanticCustomError("event", "{en}", {"zh": zh, "en": en, "located": located})


def _money(value) -> Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        raise problem("须为金额。", "must be an amount", located=True)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise problem(f"不是有效金额：{value!r}。", f"is not a valid amount: {value!r}", located=True) from None
    if not number.is_finite() or number < 0:
        raise problem("须为非负金额。", "must be a non-negative amount", located=True)
    if number > MAX_AMOUNT:
        raise problem("超过上限：金额不能超过 1000 亿元（100,000,000,000.00 元）。",
                      "exceeds the limit of 100,000,000,000.00 yuan", located=True)
    return number


def _day(value) -> dt.date:
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise problem("须为日期（YYYY-MM-DD）。", "must be a date (YYYY-MM-DD)", located=True) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise problem("须在 1985 年 1 月 1 日至 2100 年 12 月 31 日之间。", "must be between 1985-01-01 and 2100-12-31",
                      located=True)
    return day


def _whole(low: int, high: int):
    """A check of a whole number from `low` to `high` (an integer, or a string of one)."""

    def check(value) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise problem("须为整数。", "must be an integer", located=True)
        try:
            number = int(value)
        except ValueError:
            raise problem("须为整数。", "must be an integer", located=True) from None
        if not low <= number <= high:
            raise problem(f"须在 {low}—{high} 之间。", f"must be between {low} and {high}", located=True)
        return number

    return check


def _integer(low: int, high: int):
    return Annotated[int, PlainValidator(_whole(low, high)),
                     WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})]


# Amounts in yuan: decimal strings (commas allowed) or numbers, from 0 to ¥100,000,000,000.00.
Money = Annotated[Decimal, PlainValidator(_money),
                  WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number", "minimum": 0}]})]
Day = Annotated[dt.date, PlainValidator(_day), WithJsonSchema({"type": "string", "format": "date"})]
OptionalDay = Annotated[dt.date | None, PlainValidator(lambda value: _day(value) if value else None),
                        WithJsonSchema({"type": ["string", "null"], "format": "date"})]
Year = _integer(1949, 2200)
OrganisationId = Annotated[int | None, PlainValidator(lambda value: _whole(1, 2**53)(value) if value else None),
                           WithJsonSchema({"type": ["integer", "null"], "minimum": 1})]
Stripped = Annotated[str, BeforeValidator(lambda value: str(value or "").strip())]


class PartyIn(BaseModel):
    """A party of an event: its role, its name and, when known, its directory organisation."""

    role: str
    name: Annotated[str, BeforeValidator(lambda value: str(value).strip() if value is not None else ""),
                    Field(min_length=1)]
    organisation_id: OrganisationId = None
    # Standings the event declares (a register, when it knows the party, decides instead: policy facts).
    qualifications: tuple[str, ...] = ()

    @field_validator("role")
    @classmethod
    def _known_role(cls, role, info: ValidationInfo):
        book = _context(info, "book")
        if book is not None and role not in book.vocabulary.roles:
            raise ValueError(f"unknown role {role!r}")
        return role

    @field_validator("qualifications")
    @classmethod
    def _known_qualifications(cls, codes, info: ValidationInfo):
        book = _context(info, "book")
        unknown = [code for code in codes if book is not None and code not in book.vocabulary.qualifications]
        if unknown:
            raise ValueError(f"unknown qualification {unknown}")
        return tuple(dict.fromkeys(codes))


class EventIn(BaseModel):
    """An event as JSON (docs/policy.md, "Events"). Unknown fields are refused by name; the words (type, kind,
    amounts, roles, flags) and chosen parameters are checked against the rulebook given as context."""

    model_config = ConfigDict(extra="forbid")

    type: str | None = Field(default=None, validate_default=True)
    date: Day
    kind: str | None = None
    amount: Money | None = None  # the main amount: the same as amounts.amount
    amounts: dict[str, Money | None] | None = None
    parties: list[PartyIn] | None = None
    flags: dict[str, StrictBool] | None = None
    project: Stripped = ""
    year: Year | None = None
    since: OptionalDay = None
    years: _integer(1, 100) | None = None
    parameters: dict[str, dict[str, Money] | None] | None = None

    @model_validator(mode="before")
    @classmethod
    def _amount_is_amounts_amount(cls, data):
        if isinstance(data, dict) and data.get("amount") is not None and isinstance(data.get("amounts") or {}, dict):
            data = {**data, "amounts": {"amount": data["amount"], **(data.get("amounts") or {})}, "amount": None}
        return data

    @field_validator("type", mode="plain")
    @classmethod
    def _known_type(cls, value, info: ValidationInfo):
        words = _context(info, "book").vocabulary
        if not isinstance(value, str) or value not in words.event_types:
            raise problem(f"未知的事件类型：{value!r}。",
                          f"type must be one of {', '.join(words.event_types)} (got {value!r})")
        return value

    @field_validator("kind")
    @classmethod
    def _kind_of_the_type(cls, kind, info: ValidationInfo):
        kind = kind or ""
        event_type = info.data.get("type")
        if kind and event_type:
            words = _context(info, "book").vocabulary
            kinds = words.kinds_by_type.get(event_type, {})
            if kind not in kinds:
                raise problem(f"类型 kind {kind!r} 不适用于“{words.event_types[event_type]}”事件。",
                              f"kind {kind!r} is not one of {', '.join(kinds) or 'none'} for {event_type}")
        return kind

    @field_validator("amounts", "flags")
    @classmethod
    def _known_names(cls, values, info: ValidationInfo):
        known = getattr(_context(info, "book").vocabulary, info.field_name)
        for name in values or {}:
            if name not in known:
                zh, en = {"amounts": ("金额名称", "amount"), "flags": ("事件标记", "flag")}[info.field_name]
                raise problem(f"未知的{zh}：{name}。", f"unknown {en} {name!r}")
        return {name: value for name, value in (values or {}).items() if value is not None}

    @field_validator("parameters")
    @classmethod
    def _ranged_parameters(cls, raw, info: ValidationInfo):
        """Values an event chooses for a rule's ranged parameters ("30%—40%"): only inside the range."""
        book = _context(info, "book")
        chosen: dict[str, dict[str, Decimal]] = {}
        for rule_id, values in (raw or {}).items():
            try:
                params = book.rule(rule_id).formula.params()
            except KeyError:
                raise problem(f"parameters 中的条款不存在：{rule_id}。", f"parameters: no rule {rule_id!r}") from None
            for name, number in (values or {}).items():
                param = params.get(name)
                if param is None or not param.is_range:
                    raise problem(f"条款 {rule_id} 的参数 {name} 不可选择。",
                                  f"parameters: {rule_id}.{name} is not a ranged parameter")
                if not param.low <= number <= param.high:
                    raise problem(f"条款 {rule_id} 的参数 {name} 须在 {param.low}—{param.high} 之间。",
                                  f"parameters: {rule_id}.{name} must be between {param.low} and {param.high}")
                chosen.setdefault(rule_id, {})[name] = number
        return chosen


class PriorIn(BaseModel):
    """An award already committed that shares caps with the events: rule, beneficiary (name) or
    organisation_id, amount, and optionally base, project, year."""

    rule: str
    amount: Money
    beneficiary: Annotated[str, BeforeValidator(lambda value: str(value or ""))] = ""
    organisation_id: int | None = None
    project: Stripped = ""
    year: Year | None = None
    base: Money | None = None

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, rule_id, info: ValidationInfo):
        try:
            _context(info, "book").rule(rule_id)
        except KeyError:
            raise problem(f"既有记录中的条款不存在：{rule_id}。", f"no rule {rule_id!r}") from None
        return rule_id


class RewardsIn(EventIn):
    """The body of POST /api/policy/rewards: an event, plus the awards already committed that share its caps."""

    prior: list[PriorIn] | None = None


class BatchIn(BaseModel):
    """A file of the `rewards` command holding several events: evaluated in order, sharing caps."""

    model_config = ConfigDict(extra="forbid")

    events: list[Any]
    prior: list[Any] | None = None
