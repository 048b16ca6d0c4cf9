"""The registration rules as data: contract types, their parties' roles and sides, who registers each type, the
periods of the procedure and their sources (data/market/registration.yaml, data/market/review_flags.yaml), read
through the models of market/schemas.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

from techmarket.common.datafiles import FileModel, Source, load, read_yaml
from techmarket.market.schemas import RegistrationFile, ReviewFlagsFile, SourceRef

SELLER, BUYER, INTERMEDIARY = "seller", "buyer", "intermediary"


def data_file(name: str) -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "market" / name


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    side: str


@dataclass(frozen=True)
class ContractType:
    code: str
    name: str
    group: str
    policy_kind: str
    registering_role: str
    roles: dict[str, Role]
    source: Source | None
    notes: str = ""

    @property
    def registering_role_name(self) -> str:
        return self.roles[self.registering_role].name

    def role(self, code: str) -> Role | None:
        return self.roles.get(code)


@dataclass(frozen=True)
class Rules:
    version: int
    types: dict[str, ContractType]
    sides: dict[str, str]
    procedure: dict[str, Source]
    decision_days: int
    reconsideration_request_days: int
    reconsideration_decision_days: int
    flags: dict = field(default_factory=dict)

    def type(self, code: str) -> ContractType | None:
        return self.types.get(code)

    def type_name(self, code: str) -> str:
        contract_type = self.types.get(code)
        return contract_type.name if contract_type else code

    def role_name(self, type_code: str, role_code: str) -> str:
        contract_type = self.types.get(type_code)
        role = contract_type.role(role_code) if contract_type else None
        return role.name if role else role_code

    def side_of(self, type_code: str, role_code: str) -> str:
        contract_type = self.types.get(type_code)
        role = contract_type.role(role_code) if contract_type else None
        return role.side if role else ""

    def type_choices(self) -> list[tuple[str, str]]:
        return [(t.code, t.name) for t in self.types.values()]

    def role_choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Roles grouped by contract type, for a select; the same code may appear under several types."""
        return [(t.name, [(code, role.name) for code, role in t.roles.items()]) for t in self.types.values()]


def read(name: str, model: type[FileModel], context: dict | None = None):
    """data/market/`name` validated by `model` (market/schemas.py); a DataFileError names the file and field."""
    data = read_yaml(data_file(name))
    return load(model, data, name, context={} if context is None else context, record=_record(data))


RECORDS = {"contract_types": "contract type", "registries": "registry"}


def _record(data):
    """The record a location falls in: `contract_types[2]` is `contract type licensing`."""

    def record(loc: tuple) -> tuple[str, tuple]:
        if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data, dict):
            item = (data.get(loc[0]) or [])[loc[1]]
            code = item.get("code", "?") if isinstance(item, dict) else "?"
            return f"{RECORDS.get(loc[0], loc[0])} {code}", loc[2:]
        return "", loc

    return record


def _source(ref: SourceRef | None, documents: dict) -> Source | None:
    if ref is None:
        return None
    document = documents[ref.document]
    return Source(document=document.title, number=document.number, article=ref.article, excerpt=ref.excerpt)


@cache
def rules() -> Rules:
    raw = read("registration.yaml", RegistrationFile)
    common = {code: Role(code, role.name, role.side) for code, role in raw.common_roles.items()}
    types = {}
    for item in raw.contract_types:
        roles = {code: Role(code, role.name, role.side) for code, role in item.roles.items()}
        for code, role in common.items():
            roles.setdefault(code, role)
        types[item.code] = ContractType(
            code=item.code, name=item.name, group=item.group, policy_kind=item.policy_kind,
            registering_role=item.registering_role, roles=roles, source=_source(item.source, raw.documents),
            notes=item.notes,
        )
    return Rules(
        version=raw.version, types=types, sides=raw.sides,
        procedure={key: _source(value, raw.documents) for key, value in raw.procedure.items()},
        decision_days=raw.periods.decision_days,
        reconsideration_request_days=raw.periods.reconsideration_request_days,
        reconsideration_decision_days=raw.periods.reconsideration_decision_days,
        flags=read("review_flags.yaml", ReviewFlagsFile).model_dump(),
    )
