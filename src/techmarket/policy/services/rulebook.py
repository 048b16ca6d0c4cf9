"""Reads the policy data files (data/policy: vocabulary.yaml, programmes.yaml, rules/*.yaml) through the models of
policy/schemas.py, checking every rule against the vocabulary so that a misspelt flag, role or kind fails here,
when the files are loaded, and never silently at run time. A bad file is refused with a `RuleFileError` naming
the file, the rule and the field. Pure Python: no Django. The format is described in docs/policy.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from techmarket.common.datafiles import DataFileError, load, read_yaml
from techmarket.policy.schemas import Document, Programme, ProgrammesFile, Rule, RuleFile, Vocabulary


class RuleFileError(DataFileError):
    """A policy data file that does not follow the format; the message names the file, the rule and the field."""


@dataclass(frozen=True)
class Rulebook:
    rules: tuple[Rule, ...]
    vocabulary: Vocabulary
    programmes: dict[str, Programme]
    documents: tuple[Document, ...]
    version: str  # a hash of every data file: changes whenever any rule, programme or word changes

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _read(path: Path) -> dict:
    data = read_yaml(path, RuleFileError)
    if not isinstance(data, dict):
        raise RuleFileError(f"{path.name}: expected a mapping at the top")
    return data


def _record(data: dict, key: str, name: str):
    """The record a pydantic error location falls in (`rule tm2016-art33-buyer`), and the rest of the location."""

    def record(loc: tuple) -> tuple[str, tuple]:
        if len(loc) >= 2 and loc[0] == key and isinstance(loc[1], int):
            item = (data.get(key) or [])[loc[1]]
            label = item.get(name, "?") if isinstance(item, dict) else "?"
            return f"{key.rstrip('s')} {label}", loc[2:]
        return "", loc

    return record


def _rule_file(path: Path, vocabulary: Vocabulary, programmes: dict) -> RuleFile:
    data = _read(path)
    parsed = load(RuleFile, data, path.name, context={"vocabulary": vocabulary, "programmes": programmes},
                  error=RuleFileError, record=_record(data, "rules", "id"))
    document = parsed.document
    document._file = path.name
    for rule, raw in zip(parsed.rules, data.get("rules") or [], strict=True):
        given = rule.model_fields_set
        rule.valid_from = rule.valid_from if "valid_from" in given else document.valid_from
        rule.valid_until = rule.valid_until if "valid_until" in given else document.valid_until
        validity = {"valid_from": rule.valid_from, "valid_until": rule.valid_until, "document": document.number}
        rule._document, rule._raw, rule._hash = document, raw, _digest([raw, validity])
    return parsed


def load_rulebook(directory: Path) -> Rulebook:
    """Every rule of `directory`/rules/*.yaml, checked against vocabulary.yaml and programmes.yaml."""
    directory = Path(directory)
    files = [directory / "vocabulary.yaml", directory / "programmes.yaml",
             *sorted((directory / "rules").glob("*.yaml"))]
    for path in files[:2]:
        if not path.exists():
            raise RuleFileError(f"{path}: missing")
    vocabulary = load(Vocabulary, _read(files[0]), files[0].name, error=RuleFileError)
    data = _read(files[1])
    listed = load(ProgrammesFile, data, files[1].name, error=RuleFileError, record=_record(data, "programmes", "code"))
    programmes = {programme.code: programme for programme in listed.programmes}
    rule_files = [_rule_file(path, vocabulary, programmes) for path in files[2:]]
    rules = [rule for rule_file in rule_files for rule in rule_file.rules]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleFileError(f"{rule.document.file}: rule id {rule.id} is used twice")
        seen.add(rule.id)
    by_id = {rule.id: rule for rule in rules}
    for rule in rules:
        unknown = [rule_id for rule_id in rule.succeeded_by if rule_id not in by_id or rule_id == rule.id]
        if unknown:
            raise RuleFileError(f"{rule.document.file}: rule {rule.id}: succeeded_by names unknown rules {unknown}")
        rule._successors = tuple(by_id[rule_id] for rule_id in rule.succeeded_by)
    version = hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()[:16]
    return Rulebook(tuple(rules), vocabulary, programmes, tuple(f.document for f in rule_files), version)
