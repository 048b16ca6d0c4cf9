"""Events: what the engine evaluates, validated by the models of policy/schemas.py against the rulebook. A bad
event is refused with an `EventError` whose `zh` is shown on the pages and in the API, and whose English text
goes to the command line. Pure Python: no Django."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel, TypeAdapter, ValidationError

from techmarket.common.datafiles import field_path
from techmarket.common.errors import InvalidInput
from techmarket.policy.schemas import EventIn, PriorIn

PRIORS = TypeAdapter(list[PriorIn])


class EventError(InvalidInput, ValueError):
    """An event that cannot be evaluated. `zh` (the domain error's `message`) is shown to users, the English text
    (`str()`) to the command line."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh)
        self.zh = zh
        self.en = en

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    organisation_id: int | None = None
    qualifications: frozenset[str] = frozenset()  # held on the event's date (declared, or from a register)
    blocks: tuple[str, ...] = ()  # why a sanction in force on the event's date blocks rewards to this party
    vouched: bool = False  # the qualifications and blocks come from a register of the platform

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
        data["parties"] = [{"role": p.role, "name": p.name,
                            **({"organisation_id": p.organisation_id} if p.organisation_id else {}),
                            **({"qualifications": sorted(p.qualifications)} if p.qualifications else {})}
                           for p in self.parties]
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


def _party_error(number: int, book) -> EventError:
    return EventError(f"第{number + 1}个当事方须有已知角色 role 和名称 name。",
                      f"parties[{number}] needs a known role ({', '.join(book.vocabulary.roles)}) and a name")


def _prior_error(number: int) -> EventError:
    return EventError(f"第{number + 1}条既有记录须有 rule 和 amount。", f"prior[{number}] needs rule and amount")


def event_error(error: ValidationError, book, prefix: tuple = ()) -> EventError:
    """The first problem of a failed validation in words: unknown fields first, then in the order of the
    fields. `prefix` is where the validated value stands (("prior",) for the prior entries)."""
    errors = error.errors(include_url=False)
    unknown = [str(e["loc"][-1]) for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1]
    if unknown:
        return EventError(f"事件含有未知字段：{', '.join(unknown)}。", f"unknown event fields: {', '.join(unknown)}")
    first = errors[0]
    loc, kind = (*prefix, *first["loc"]), first["type"]
    where = field_path(loc)
    if kind == "event":
        zh, en = first["ctx"]["zh"], first["ctx"]["en"]
        if first["ctx"].get("located"):
            return EventError(f"{where} {zh}", f"{where} {en}")
        return EventError(zh, f"prior[{loc[1]}]: {en}" if loc[:1] == ("prior",) and len(loc) > 1 else en)
    if loc[:1] == ("parties",) and len(loc) >= 2 and (len(loc) == 2 or loc[2] in ("role", "name")):
        return _party_error(loc[1], book)
    if loc[:1] == ("prior",) and len(loc) >= 2 and (len(loc) == 2 or kind == "missing"):
        return _prior_error(loc[1])
    if not loc:
        return EventError("事件须为 JSON 对象。", "an event must be a JSON object")
    if kind == "missing" and loc == ("date",):
        return EventError("事件须有日期 date。", "an event needs a date")
    if loc[0] == "flags" and len(loc) == 2:
        return EventError(f"标记 {loc[1]} 须为 true 或 false。", f"flag {loc[1]} must be true or false")
    words = {"dict_type": ("须为对象", "must be an object"), "list_type": ("须为列表", "must be a list"),
             "string_type": ("须为文本", "must be text"), "missing": ("不能为空", "is required")}
    zh, en = words.get(kind, (f"有误（{first['msg']}）", first["msg"]))
    return EventError(f"{where} {zh}。", f"{where} {en}")


def validate(model: type[BaseModel], data, book) -> BaseModel:
    """`data` validated by `model` against the rulebook; an EventError naming the first problem."""
    try:
        return model.model_validate(data, context={"book": book})
    except ValidationError as error:
        raise event_error(error, book) from None


def to_event(data: EventIn) -> Event:
    return Event(
        type=data.type, date=data.date, kind=data.kind or "", amounts=data.amounts or {},
        parties=tuple(Party(p.role, p.name, p.organisation_id, frozenset(p.qualifications))
                      for p in data.parties or ()),
        flags=frozenset(name for name, value in (data.flags or {}).items() if value), project=data.project,
        year=data.year, since=data.since, years=data.years, parameters=data.parameters or {},
    )


def parse_event(data, book) -> Event:
    """An `Event` from its JSON form (docs/policy.md, "Events"), checked against the rulebook's vocabulary."""
    return to_event(validate(EventIn, data, book))


def parse_prior(items, book) -> list[PriorIn]:
    """Prior ledger entries in their JSON form (docs/policy.md): each names a rule of the rulebook."""
    try:
        return PRIORS.validate_python(items or [], context={"book": book})
    except ValidationError as error:
        raise event_error(error, book, prefix=("prior",)) from None
