"""data/docking/contract-registration.yaml: the columns of the registered-contracts file for the national
registration system, read through pydantic models (docs/docking.md). The one file to change when the official
format is known."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from django.conf import settings
from pydantic import Field, model_validator

from techmarket.common.datafiles import FileModel, Label, load, read_yaml

# The values the platform provides for each registered contract (services/contracts.py, `source_values`).
SOURCES = (
    "number", "registry_name", "registry_code", "registered_on", "status", "title", "contract_type", "type_name",
    "signed_on", "total_amount", "technology_amount", "certified_amount", "top_field_name", "top_field_code",
    "field_name", "field_code", "seller_names", "seller_credit_codes", "seller_locations", "seller_roles",
    "buyer_names", "buyer_credit_codes", "buyer_locations", "buyer_roles", "intermediary_names",
    "registering_party", "made_on_platform", "listings",
)


class FileFormat(FileModel):
    encoding: Literal["utf-8", "utf-8-sig", "gb18030"] = "utf-8-sig"
    delimiter: str = Field(",", min_length=1, max_length=1)
    list_separator: str = Field("；", min_length=1, max_length=3)


class Column(FileModel):
    column: Label
    source: Literal[SOURCES]  # type: ignore[valid-type]
    type: Literal["text", "date", "amount", "bool", "list"]
    required: bool = False
    values: dict[str, str] = {}

    @model_validator(mode="after")
    def _one_to_one(self):
        if len(set(self.values.values())) != len(self.values):
            raise ValueError(f"column {self.column}: two codes are written the same way")
        return self

    def write(self, code: str) -> str:
        return self.values.get(code, code)

    def read(self, text: str) -> str:
        return {written: code for code, written in self.values.items()}.get(text, text)


class Mapping(FileModel):
    version: Literal[1]
    file: FileFormat
    columns: list[Column] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        for attribute in ("column", "source"):
            names = [getattr(c, attribute) for c in self.columns]
            twice = {n for n in names if names.count(n) > 1}
            if twice:
                raise ValueError(f"{attribute} used twice: {', '.join(sorted(twice))}")
        return self


def path() -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "docking" / "contract-registration.yaml"


@lru_cache(maxsize=1)
def mapping() -> Mapping:
    file = path()
    return load(Mapping, read_yaml(file), file.name)
