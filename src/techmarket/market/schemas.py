"""The shapes of the market's data files, as pydantic models: data/market/registration.yaml (contract types, roles
and sides, the procedure and its sources, the periods), review_flags.yaml and registries.yaml (docs/market.md).
services/rules.py and services/registries.py load the files through them; a file that does not follow its model
is refused naming the file, the record and the field. Pure Python: no Django."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from techmarket.common.datafiles import FileModel, Label, Required, Text


class DocumentRef(FileModel):
    title: Label
    number: Label


class SourceRef(FileModel):
    """An article of one of the file's `documents`, by its key, with an excerpt."""

    document: str
    article: Label
    excerpt: Required

    @field_validator("document")
    @classmethod
    def _listed(cls, key, info: ValidationInfo):
        documents = (info.context or {}).get("documents")
        if documents is not None and key not in documents:
            raise ValueError(f"{key!r} is not one of the documents {sorted(documents)}")
        return key


class RoleSpec(FileModel):
    name: Label
    side: str


class ContractTypeSpec(FileModel):
    code: Label
    name: Label
    group: Label
    policy_kind: Label
    registering_role: str
    roles: Annotated[dict[str, RoleSpec], Field(min_length=2)]
    source: SourceRef | None = None
    notes: Text = ""


class Periods(FileModel):
    decision_days: Annotated[int, Field(ge=1)]
    reconsideration_request_days: Annotated[int, Field(ge=1)]
    reconsideration_decision_days: Annotated[int, Field(ge=1)]


class RegistrationFile(FileModel):
    """registration.yaml."""

    version: int
    documents: dict[str, DocumentRef]
    procedure: dict[str, SourceRef]
    periods: Periods
    sides: dict[str, str]
    common_roles: dict[str, RoleSpec] = {}
    contract_types: Annotated[list[ContractTypeSpec], Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _documents_first(cls, data, info: ValidationInfo):
        """The documents are known before the sources that cite them are checked."""
        if isinstance(data, dict) and isinstance(data.get("documents"), dict) and info.context is not None:
            info.context["documents"] = data["documents"]
        return data

    @model_validator(mode="after")
    def _roles_and_sides(self):
        for contract_type in self.contract_types:
            roles = {**self.common_roles, **contract_type.roles}
            if contract_type.registering_role not in roles:
                raise ValueError(f"{contract_type.code}: registering_role {contract_type.registering_role} is not "
                                 "one of its roles")
            for code, role in roles.items():
                if role.side not in self.sides:
                    raise ValueError(f"{contract_type.code}: role {code} has unknown side {role.side}")
        return self


class Threshold(FileModel):
    amount: Decimal
    label: Label
    source: Label


class Outlier(FileModel):
    ratio: Annotated[Decimal, Field(gt=1)]
    min_peers: Annotated[int, Field(ge=1)]


class ThresholdClusters(FileModel):
    band: Annotated[Decimal, Field(gt=0, lt=1)]
    window_days: Annotated[int, Field(ge=1)]
    min_contracts: Annotated[int, Field(ge=2)]
    thresholds: list[Threshold]


class ReviewFlagsFile(FileModel):
    """review_flags.yaml."""

    version: int
    round_trip_days: Annotated[int, Field(ge=1)]
    outlier: Outlier
    threshold_clusters: ThresholdClusters


class RegistrySpec(FileModel):
    code: Label
    name: Label
    region: Label
    number_code: Annotated[str, BeforeValidator(str), Field(pattern=r"^\d\d$")]
    provincial: bool = False


class RegistryConditions(FileModel):
    """第十五条: what a registry needs (services/registries.unmet_conditions)."""

    document: Label
    article: Label
    excerpt: str
    min_registrars: Annotated[int, Field(ge=1, le=100)]


class RegistriesFile(FileModel):
    """registries.yaml."""

    conditions: RegistryConditions
    registries: Annotated[list[RegistrySpec], Field(min_length=1)]
