"""Reviewed data files (YAML under data/) read through pydantic models, and the `Source` every rule cites.

A file that does not follow its model is refused with a `DataFileError` naming the file, the record and the
field, in English (the message is for developers and CI). Pure Python: no Django, no domain app.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError


def fold_text(value) -> str:
    """Text as written across YAML lines: whitespace between two Chinese characters (a line break folded into a
    space) is dropped, other runs of whitespace become one space."""
    text = " ".join(str(value or "").split())
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


# Text of a data file: `Label` as written and not blank (a code, a title, an article), `Text` folded across lines
# as `fold_text` does, `Required` folded and not empty (an excerpt).
Label = Annotated[str, AfterValidator(_not_blank)]
Text = Annotated[str, BeforeValidator(fold_text)]
Required = Annotated[str, BeforeValidator(fold_text), AfterValidator(_not_blank)]


class FileModel(BaseModel):
    """A record of a data file: unknown keys are refused (a typo never silently drops a setting)."""

    model_config = ConfigDict(extra="forbid")


class Source(FileModel):
    """The text a rule rests on: a document (title and number), an article and an excerpt of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: Label = Field(validation_alias=AliasChoices("document", "title"))  # the document's title
    number: Label
    article: Label
    excerpt: Required

    def citation(self) -> str:
        return f"《{self.document}》（{self.number}）{self.article}"

    def __str__(self) -> str:
        return self.citation()

    def as_dict(self) -> dict:
        return {"document": self.document, "number": self.number, "article": self.article, "excerpt": self.excerpt}


class DataFileError(ValueError):
    """A data file that does not follow its format; the message names the file, the record and the field."""


def field_path(loc) -> str:
    """A pydantic error location as written in the file: `rules[3].formula.caps[0].amount`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def describe(error: dict) -> str:
    """One pydantic error in words: what is wrong, and where when the location is below the record."""
    kind = error["type"]
    if kind == "missing":
        return "a required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    message = error["msg"]
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def read_yaml(path: Path, error=DataFileError) -> Any:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot be read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise error(f"{Path(path).name}: not valid YAML: {exc}") from None


def load(model: type[BaseModel], data, name: str, *, context: dict | None = None, error=DataFileError,
         record=None):
    """`data` (read from the file `name`) validated by `model`; the first problem raised as `error`.
    `record(loc)` may name the record a location belongs to and return the rest of the location, e.g.
    ("rule tm2016-art33-buyer", ("formula", "rate"))."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        where, rest = record(loc) if record else ("", loc)
        path = field_path(rest)
        parts = [name, where, f"{describe(first)} (field {path})" if path else describe(first)]
        raise error(": ".join(part for part in parts if part)) from None
