"""Recognising a table's header row from the vocabulary of header words kept as data (data/imports/headers.yaml).

Compilations circulate with their own header words (需求名称 instead of 项目名称, 联系人 | 联系电话 instead of
联系方式), full-width characters, line breaks inside cells and merged header cells. A header cell is folded
(`fold_header`) and looked up among the words of each column; a mapping given by the person importing (the CLI's
`--mapping FILE`, the staff page's choices) names the columns of header words the vocabulary does not know, or
says to leave them out.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from pydantic import BaseModel, ConfigDict

from techmarket.common.datafiles import load, read_yaml

IGNORE = "ignore"  # a mapping's value for a column to leave out
KINDS = ("demand", "offer")
_NOTE = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_NOT_WORD = re.compile(r"[\W_]+")


class _Column(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    required: bool = False
    words: list[str]
    kinds: dict[str, str] = {}


class _Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid")
    columns: dict[str, _Column]
    sub_words: list[str] = []


@dataclass(frozen=True)
class Vocabulary:
    words: dict[str, str]  # folded word → column key
    kinds: dict[str, str]  # folded word → listing kind
    labels: dict[str, str]  # column key → its usual header word (messages, the staff page)
    required: tuple[str, ...]
    sub_words: frozenset[str]


def vocabulary_path() -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "imports" / "headers.yaml"


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    path = vocabulary_path()
    data = load(_Vocabulary, read_yaml(path), path.name)
    words, kinds = {}, {}
    for key, column in data.columns.items():
        for word in column.words:
            folded = fold_header(word)
            if words.get(folded, key) != key:
                raise ValueError(f"{path.name}: header word {word} is given for {words[folded]} and {key}")
            words[folded] = key
        for word, kind in column.kinds.items():
            if kind not in KINDS or fold_header(word) not in words:
                raise ValueError(f"{path.name}: kind of {word} must be one of {KINDS} and the word listed")
            kinds[fold_header(word)] = kind
    return Vocabulary(
        words=words, kinds=kinds, labels={key: c.label for key, c in data.columns.items()},
        required=tuple(key for key, c in data.columns.items() if c.required),
        sub_words=frozenset(fold_header(w) for w in data.sub_words),
    )


def column_keys() -> list[str]:
    return list(vocabulary().labels)


def fold_header(value) -> str:
    """A header cell as compared: NFKC (full-width → half-width), a parenthesised note dropped, whitespace, line
    breaks and punctuation removed, Latin letters lower-cased."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = _NOTE.sub("", text)
    return _NOT_WORD.sub("", text).lower()


def normalise_mapping(mapping: dict | None) -> dict[str, str]:
    """A person's mapping {header word: column key or "ignore"} with folded words; unknown keys are refused."""
    keys = set(column_keys()) | {IGNORE}
    result = {}
    for word, key in (mapping or {}).items():
        key = str(key).strip()
        if key not in keys:
            raise ValueError(f"mapping of “{word}”: {key} is not a column (one of {', '.join(sorted(keys))})")
        if fold_header(word):
            result[fold_header(word)] = key
    return result


@dataclass
class HeaderMatch:
    columns: dict[str, list[int]]  # column key → the indexes of the cells it is read from, left to right
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (index, header text as written)
    kind: str = ""  # demand/offer when the title's header word says so

    @property
    def missing(self) -> list[str]:
        return [key for key in vocabulary().required if key not in self.columns]

    @property
    def complete(self) -> bool:
        return not self.missing


def match_header(cells: list, mapping: dict[str, str] | None = None) -> HeaderMatch | None:
    """The columns a row names when it looks like a header row (it names at least two columns, title or
    description among them), else None. Repeated text (python-docx repeats a merged cell in every grid column
    it spans) names the same column again; the cells' texts are joined when a row is read."""
    vocab = vocabulary()
    mapping = mapping or {}
    columns: dict[str, list[int]] = {}
    unknown: list[tuple[int, str]] = []
    kind = ""
    for index, cell in enumerate(cells):
        folded = fold_header(cell)
        if not folded:
            continue
        key = mapping.get(folded) or vocab.words.get(folded)
        if key is None:
            unknown.append((index, " ".join(str(cell).split())))
            continue
        if key == IGNORE:
            continue
        columns.setdefault(key, []).append(index)
        if key == "title" and folded in vocab.kinds:
            kind = vocab.kinds[folded]
    if len(columns) < 2 or not ({"title", "description"} & columns.keys()):
        return None
    if len(unknown) > len(columns):  # a row of text that happens to hold two header words
        return None
    return HeaderMatch(columns, unknown, kind)


def is_sub_header(cells: list, header: HeaderMatch) -> bool:
    """A second header row under merged cells: every non-empty cell repeats its column's header word (a cell
    merged down, as python-docx gives it) or is a sub-header word (联系人, 电话 under 联系方式)."""
    vocab = vocabulary()
    texts = [fold_header(c) for c in cells]
    if not any(texts):
        return False
    return all(not t or t in vocab.sub_words or t in vocab.words for t in texts)


def spread_merged(cells: list, sub_header: list | None) -> list:
    """Header cells with the text of a merged cell copied into the empty cells it spans: an empty header cell
    with a sub-header word under it belongs to the merged cell on its left (openpyxl keeps only the first cell's
    value)."""
    result = list(cells)
    if not sub_header:
        return result
    result += [None] * (len(sub_header) - len(result))  # openpyxl may leave trailing empty cells out
    for index in range(1, len(result)):
        if not fold_header(result[index]) and index < len(sub_header) and fold_header(sub_header[index]):
            result[index] = result[index - 1]
    return result
