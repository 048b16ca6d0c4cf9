"""The kinds and levels of innovation platforms, from data/platforms/kinds.yaml (read once per process)."""

from __future__ import annotations

import functools

from django.conf import settings

from techmarket.common.datafiles import FileModel, Label, load, read_yaml


class Level(FileModel):
    code: Label
    name: Label
    recognition: str = ""  # the policy vocabulary's recognition kind an approved platform of this level is


class Kind(FileModel):
    code: Label
    name: Label
    levels: list[str] = []  # the levels it comes in (empty: any)
    recognition: str = ""


class Kinds(FileModel):
    kinds: list[Kind]
    levels: list[Level]

    def kind(self, code: str) -> Kind | None:
        return next((k for k in self.kinds if k.code == code), None)

    def level(self, code: str) -> Level | None:
        return next((lv for lv in self.levels if lv.code == code), None)

    def kind_name(self, code: str) -> str:
        found = self.kind(code)
        return found.name if found else code

    def level_name(self, code: str) -> str:
        found = self.level(code)
        return found.name if found else code

    def recognition(self, kind: str, level: str) -> str:
        """The recognition kind (policy vocabulary) of a platform of this kind and level, or ""."""
        found_level, found_kind = self.level(level), self.kind(kind)
        if found_level and found_level.recognition:
            return found_level.recognition
        return found_kind.recognition if found_kind else ""


PATH = "platforms/kinds.yaml"


@functools.cache
def kinds() -> Kinds:
    path = settings.TECHMARKET_DATA_FILES / PATH
    data = load(Kinds, read_yaml(path), path.name)
    codes = {level.code for level in data.levels}
    for kind in data.kinds:
        unknown = set(kind.levels) - codes
        if unknown:
            raise ValueError(f"{path.name}: kind {kind.code}: unknown levels {sorted(unknown)}")
    return data


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, k.name) for k in kinds().kinds]


def level_choices() -> list[tuple[str, str]]:
    return [(lv.code, lv.name) for lv in kinds().levels]
