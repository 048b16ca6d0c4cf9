"""The policy facts provider: the facts an application rests on, taken from the platform's own records.

A domain that keeps records the policy rules look at (the market's registered contracts and the payments received
against them; recognitions and qualifications once their registers exist) registers a *source* here, in its
`<app>/policy_facts.py` (discovered when the project starts, as notification topics are):

    register_source(code, label, fetch, list_for)

- `fetch(key, user)` returns the `Record` with that key as the user may see it, or None when it does not exist or
  the user may not see it;
- `list_for(user)` returns the records the user's organisation may claim rewards from (newest first).

A register that vouches for a party's standing (a broker's qualification, a transfer institution's filing, a sanction
in force) registers a lookup with `register_standing(code, lookup)`: the parties of every event evaluated against the
database get their qualifications and blocks from the registers that know them, not from what the applicant
declares (`applications.resolve_parties`).

A `Record` carries the policy event built wholly from the record (docs/policy.md, "Events") and says which of the
event's fields the record vouches for. The policy domain never reads another domain's tables: it asks the source.
An application made from a record takes every fact from it (the applicant types none, so none can be changed);
the applicant declares only what no record holds, and the application says which facts were declared
(`Provenance`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from techmarket.common.errors import Refused

# What the fields of an event are called on the pages (the derivation's "facts" line).
FIELD_LABELS = {
    "type": "事件类型", "date": "日期", "kind": "类别", "amount": "金额", "amounts": "其他金额", "parties": "当事方",
    "flags": "条件事实", "project": "项目", "year": "申报年度", "since": "起算日期", "years": "年限",
    "parameters": "参数选择",
}
KEY_MAX = 40


class FactsError(Refused):
    """A record that cannot be claimed from; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Record:
    source: str  # the source's code, e.g. "market.contract"
    key: str  # the record's key within its source (its id, as text)
    label: str  # how a person names it: 技术合同《…》（登记号 …）
    url: str  # the record's page
    event: dict  # the policy event, every field taken from the record
    vouched: tuple[str, ...] = ()  # the event's fields the record vouches for (default: all it has)
    note: str = ""  # what the applicant should know (e.g. "合同尚未登记")
    organisation_ids: frozenset[int] = field(default_factory=frozenset)  # the parties' organisations
    # Evidence the record itself is (vocabulary.yaml `evidence` code → what the record shows, e.g. "登记号 …"):
    # those checklist items need no upload.
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def vouched_fields(self) -> tuple[str, ...]:
        return self.vouched or tuple(name for name in self.event if name in FIELD_LABELS)


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    fetch: Callable[[str, object], Record | None]
    list_for: Callable[[object], list[Record]]


_SOURCES: dict[str, Source] = {}


def register_source(code: str, label: str, fetch: Callable[[str, object], Record | None],
                    list_for: Callable[[object], list[Record]]) -> Source:
    """Declare a source of facts (idempotent for the same code and label)."""
    existing = _SOURCES.get(code)
    if existing is not None and existing.label != label:
        raise ValueError(f"policy facts source {code!r} registered twice with different labels")
    _SOURCES[code] = Source(code, label, fetch, list_for)
    return _SOURCES[code]


def sources() -> list[Source]:
    return list(_SOURCES.values())


@dataclass(frozen=True)
class Standing:
    """What a register says of a party on a date: the qualifications it holds (vocabulary `qualifications`) and
    why a sanction in force blocks rewards to it (Chinese sentences naming the sanction and its article)."""

    qualifications: frozenset[str] = frozenset()
    blocks: tuple[str, ...] = ()


StandingLookup = Callable[[str, str, "int | None", "datetime.date"], "Standing | None"]
_STANDINGS: dict[str, StandingLookup] = {}


def register_standing(code: str, lookup: StandingLookup) -> None:
    """Declare a register that vouches for parties' standing: `lookup(role, name, organisation_id, on)` returns the
    party's `Standing` on that date, or None when the register does not know the party."""
    _STANDINGS[code] = lookup


def standing_of(role: str, name: str, organisation_id: int | None, on: datetime.date) -> Standing | None:
    """The party's standing on `on`, merged over every register that knows it; None when none does."""
    found = [s for s in (lookup(role, name, organisation_id, on) for lookup in _STANDINGS.values()) if s is not None]
    if not found:
        return None
    return Standing(frozenset().union(*(s.qualifications for s in found)), tuple(b for s in found for b in s.blocks))


def record(source: str, key: str, user) -> Record:
    """The record `key` of `source` as `user` may see it; FactsError when there is none to see."""
    found = _SOURCES.get(source)
    if found is None or not key or len(key) > KEY_MAX:
        raise FactsError("未找到该记录。")
    result = found.fetch(key, user)
    if result is None:
        raise FactsError("未找到该记录，或您无权查看。")
    return result


def records_for(user) -> list[Record]:
    """Every record the user's organisation may claim rewards from, source by source."""
    return [item for source in _SOURCES.values() for item in source.list_for(user)]


@dataclass(frozen=True)
class Provenance:
    """Where an application's facts come from: a record (which fields it vouches for) and what was declared."""

    source: str = ""
    key: str = ""
    label: str = ""
    url: str = ""
    vouched: tuple[str, ...] = ()
    declared: tuple[str, ...] = ()
    evidence: dict[str, str] = field(default_factory=dict)  # checklist items the record vouches for

    @classmethod
    def from_record(cls, item: Record) -> Provenance:
        vouched = item.vouched_fields
        declared = tuple(name for name in item.event if name in FIELD_LABELS and name not in vouched)
        return cls(item.source, item.key, item.label, item.url, vouched, declared, dict(item.evidence))

    @classmethod
    def declared_event(cls, event: dict) -> Provenance:
        """An event typed by the applicant (the calculator): every fact is declared."""
        return cls(declared=tuple(name for name in event if name in FIELD_LABELS))

    def as_dict(self) -> dict:
        return {"source": self.source, "key": self.key, "label": self.label, "url": self.url,
                "vouched": list(self.vouched), "declared": list(self.declared), "evidence": dict(self.evidence)}

    @classmethod
    def from_dict(cls, data: dict | None) -> Provenance:
        data = data or {}
        return cls(data.get("source", ""), data.get("key", ""), data.get("label", ""), data.get("url", ""),
                   tuple(data.get("vouched", ())), tuple(data.get("declared", ())), dict(data.get("evidence", {})))

    @property
    def vouched_labels(self) -> list[str]:
        return [FIELD_LABELS[name] for name in self.vouched if name in FIELD_LABELS]

    @property
    def declared_labels(self) -> list[str]:
        return [FIELD_LABELS[name] for name in self.declared if name in FIELD_LABELS]
