"""The registration rules as data: contract types, their parties' roles and sides, who registers each type, the
periods of the procedure and their sources (data/market/registration.yaml, data/market/review_flags.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

SELLER, BUYER, INTERMEDIARY = "seller", "buyer", "intermediary"


def data_file(name: str) -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "market" / name


@dataclass(frozen=True)
class Source:
    document: str
    number: str
    article: str
    excerpt: str

    def __str__(self) -> str:
        return f"《{self.document}》（{self.number}）{self.article}"


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


def _source(raw: dict | None, documents: dict) -> Source | None:
    if not raw:
        return None
    document = documents[raw["document"]]
    return Source(document["title"], document["number"], raw["article"], " ".join(raw["excerpt"].split()))


@cache
def rules() -> Rules:
    raw = yaml.safe_load(data_file("registration.yaml").read_text(encoding="utf-8"))
    documents = raw["documents"]
    sides = raw["sides"]
    common = {code: Role(code, item["name"], item["side"]) for code, item in (raw.get("common_roles") or {}).items()}
    types = {}
    for item in raw["contract_types"]:
        roles = {code: Role(code, role["name"], role["side"]) for code, role in item["roles"].items()}
        for code, role in common.items():
            roles.setdefault(code, role)
        if item["registering_role"] not in roles:
            raise ValueError(f"{item['code']}: registering_role {item['registering_role']} is not one of its roles")
        for role in roles.values():
            if role.side not in sides:
                raise ValueError(f"{item['code']}: role {role.code} has unknown side {role.side}")
        types[item["code"]] = ContractType(
            code=item["code"], name=item["name"], group=item["group"], policy_kind=item["policy_kind"],
            registering_role=item["registering_role"], roles=roles,
            source=_source(item.get("source"), documents), notes=" ".join((item.get("notes") or "").split()),
        )
    periods = raw["periods"]
    flags = yaml.safe_load(data_file("review_flags.yaml").read_text(encoding="utf-8"))
    for threshold in flags["threshold_clusters"]["thresholds"]:
        threshold["amount"] = Decimal(str(threshold["amount"]))
    flags["threshold_clusters"]["band"] = Decimal(str(flags["threshold_clusters"]["band"]))
    return Rules(
        version=raw["version"], types=types, sides=sides,
        procedure={key: _source(value, documents) for key, value in raw["procedure"].items()},
        decision_days=int(periods["decision_days"]),
        reconsideration_request_days=int(periods["reconsideration_request_days"]),
        reconsideration_decision_days=int(periods["reconsideration_decision_days"]),
        flags=flags,
    )
