"""data/prefectures/markets.yaml: each prefecture's featured fields and the specialised sub-markets by field,
read through pydantic models (docs/prefectures.md). Changing a market is an edit of the file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from django.conf import settings
from pydantic import Field, model_validator

from techmarket.common.datafiles import FileModel, Label, Required, load, read_yaml

Code = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9.-]*$")


class Specialised(FileModel):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Label
    field: str = Code
    description: Required


class MarketsFile(FileModel):
    version: Literal[1]
    featured: dict[str, list[str]]
    specialised: list[Specialised] = []

    @model_validator(mode="after")
    def _unique(self):
        codes = [market.code for market in self.specialised]
        if len(set(codes)) != len(codes):
            raise ValueError("a specialised market's code is used twice")
        for region, fields in self.featured.items():
            if len(set(fields)) != len(fields):
                raise ValueError(f"featured {region}: a field is named twice")
        return self

    def specialised_market(self, code: str) -> Specialised | None:
        return next((market for market in self.specialised if market.code == code), None)


def data_file() -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "prefectures" / "markets.yaml"


def read(path: Path | None = None) -> MarketsFile:
    path = path or data_file()
    return load(MarketsFile, read_yaml(path), path.name)


@lru_cache(maxsize=1)
def markets() -> MarketsFile:
    return read()
