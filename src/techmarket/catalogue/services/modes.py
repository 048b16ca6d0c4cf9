"""Normalising the 合作方式 cell to the vocabulary of data/taxonomy/cooperation_modes.yaml."""

import re
from dataclasses import dataclass

from techmarket.catalogue.models import CooperationMode

_SEPARATORS = re.compile(r"[\n/／;；,，]+|\s+")


@dataclass
class NormalisedModes:
    modes: list[CooperationMode]
    unknown: list[str]


def normalise_modes(raw: str, vocabulary: list[CooperationMode] | None = None) -> NormalisedModes:
    """Map each written mode to the vocabulary.

    A word broken across lines (联合 / 研发) is rejoined when the joined form is a known variant;
    a token listing several modes with 、 (中试试验、合作研发) is split when every part is known.
    """
    vocabulary = vocabulary if vocabulary is not None else list(CooperationMode.objects.all())
    by_variant = {variant: mode for mode in vocabulary for variant in mode.variants}
    tokens = [t for t in _SEPARATORS.split((raw or "").strip()) if t]
    found: list[CooperationMode] = []
    unknown: list[str] = []
    i = 0
    while i < len(tokens):
        joined = tokens[i] + tokens[i + 1] if i + 1 < len(tokens) else ""
        if joined in by_variant:
            matches, i = [by_variant[joined]], i + 2
        else:
            matches, i = _modes_in_token(tokens[i], by_variant), i + 1
            if not matches:
                unknown.append(tokens[i - 1])
        found += [m for m in matches if m not in found]
    return NormalisedModes(found, unknown)


def _modes_in_token(token: str, by_variant: dict[str, CooperationMode]) -> list[CooperationMode]:
    if token in by_variant:
        return [by_variant[token]]
    parts = [p for p in token.split("、") if p]
    if len(parts) > 1 and all(p in by_variant for p in parts):
        return [by_variant[p] for p in parts]
    return []
