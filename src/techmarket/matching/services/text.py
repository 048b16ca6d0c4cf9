"""Chinese text analysis for search and matching.

normalise → segment (rjieba, with the domain dictionary) → drop stopwords → add synonym canonicals.
Concepts (data/matching/concepts.yaml) group the words of one area of work (a class and its members, a
material and what it is made into); `concepts_in` names those a text is about, for listing-to-listing matching.
Traditional characters are folded to simplified (the 2025 action plan is in traditional characters and
users type both), full-width letters and digits to half-width, Latin letters to lower case.
The same analysis runs on documents and on queries, so both meet in the same terms.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import ahocorasick
import opencc
import rjieba
import yaml
from django.conf import settings
from pydantic import Field, StringConstraints, model_validator

from techmarket.common.datafiles import FileModel, load, read_yaml

_WORD = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]")
_LOCK = threading.Lock()
_CONVERTER = opencc.OpenCC("t2s")


def _data(name: str) -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "matching" / name


def _lines(path: Path) -> list[str]:
    return [ln.split("#", 1)[0].strip() for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.split("#", 1)[0].strip()]


@dataclass(frozen=True)
class Vocabulary:
    stopwords: frozenset[str]
    canonical: dict[str, str]  # synonym → its group's canonical term
    groups: dict[str, tuple[str, ...]]  # canonical → the group's terms
    dictionary: frozenset[str]
    concepts: dict[str, tuple[str, ...]]  # concept → its terms
    concept_finder: ahocorasick.Automaton  # every concept term → the concepts it belongs to


_VOCABULARY: Vocabulary | None = None


def vocabulary() -> Vocabulary:
    """The dictionary, synonyms and stopwords, loaded once per process, after which the segmenter knows the
    domain terms. Loaded under a lock and published only when complete: the segmenter must not cut while
    words are being added (rjieba refuses: "Already borrowed"), as two threads of a new process would."""
    global _VOCABULARY
    if _VOCABULARY is None:
        with _LOCK:
            if _VOCABULARY is None:
                _VOCABULARY = _load_vocabulary()
    return _VOCABULARY


def _load_vocabulary() -> Vocabulary:
    from techmarket.catalogue.services.reference_data import taxonomy_data

    groups = {}
    canonical = {}
    for group in yaml.safe_load(_data("synonyms.yaml").read_text(encoding="utf-8"))["groups"]:
        terms = tuple(normalise(str(t)) for t in group)
        groups[terms[0]] = terms
        for term in terms:
            canonical[term] = terms[0]
    terms = set(_lines(_data("dictionary.txt")))
    terms |= {normalise(kw) for field in taxonomy_data() for area in field["areas"] for kw in area["keywords"]}
    terms |= set(canonical)
    for term in sorted(terms):
        if len(term) > 1 and _WORD.search(term):
            rjieba.add_word(term, 2000, None)
    concepts = _load_concepts()
    return Vocabulary(frozenset(_lines(_data("stopwords.txt"))), canonical, groups, frozenset(terms),
                      concepts, _concept_finder(concepts))


# A word of a concept: as texts write it, two to twelve characters, no spaces.
ConceptTerm = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=12, pattern=r"^\S+$")]


class Concept(FileModel):
    name: ConceptTerm
    terms: list[ConceptTerm] = Field(min_length=2, max_length=40)


class Concepts(FileModel):
    concepts: list[Concept]

    @model_validator(mode="after")
    def _names_unique(self):
        names = [normalise(c.name) for c in self.concepts]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"concept names must be unique: {', '.join(twice)}")
        return self


def _load_concepts() -> dict[str, tuple[str, ...]]:
    """concepts.yaml: each concept's terms, normalised, its name first (a term of its own)."""
    file = _data("concepts.yaml")
    return {normalise(entry.name): tuple(dict.fromkeys(normalise(t) for t in (entry.name, *entry.terms)))
            for entry in load(Concepts, read_yaml(file), file.name).concepts}


def normalise(text: str) -> str:
    """Simplified characters, half-width letters and digits, lower case."""
    return _CONVERTER.convert(unicodedata.normalize("NFKC", text or "")).lower()


def description(text: str) -> str:
    """The description of a search document's text (its title is the first line)."""
    return text.split("\n", 1)[1] if "\n" in text else text


def segment(text: str) -> list[str]:
    """Words of `text` in order, as the search segmenter cuts them (long words and their parts)."""
    vocabulary()
    return [w for w in rjieba.cut_for_search(normalise(text)) if _WORD.search(w)]


def analyse(text: str) -> list[str]:
    """The index terms of a text, in order, with repeats: words without stopwords, plus canonical forms
    of synonyms right after the word they stand for."""
    vocab = vocabulary()
    out = []
    for word in segment(text):
        if word in vocab.stopwords:
            continue
        out.append(word)
        canonical = vocab.canonical.get(word)
        if canonical and canonical != word:
            out.append(canonical)
    return out


def _concept_finder(concepts: dict[str, tuple[str, ...]]) -> ahocorasick.Automaton:
    owners: dict[str, list[str]] = {}
    for concept, terms in concepts.items():
        for term in terms:
            owners.setdefault(term, []).append(concept)
    finder = ahocorasick.Automaton()
    for term, names in owners.items():
        finder.add_word(term, tuple(names))
    finder.make_automaton()
    return finder


def concepts_in(text: str) -> list[str]:
    """The concepts `text` is about: those with a term in it (as written, not as segmented: a text about
    多房棘球蚴 is about 包虫病 however the segmenter cuts it), in the file's order."""
    vocab = vocabulary()
    text = normalise(text)
    found = {name for _, names in vocab.concept_finder.iter(text) for name in names} if text else set()
    return [concept for concept in vocab.concepts if concept in found]


def query_terms(query: str) -> list[str]:
    """The distinct terms of a query, in the order typed."""
    seen = []
    for term in analyse(query):
        if term not in seen:
            seen.append(term)
    return seen


def display_terms(query: str) -> list[str]:
    """The words a person would recognise as theirs (for explanations and highlighting)."""
    return [t for t in dict.fromkeys(segment(query)) if t not in vocabulary().stopwords]


def whole_words(terms: list[str], text: str) -> list[str]:
    """Of `terms` (index terms of `text`, in order), those a person reads as words of it: words of the
    segmenter's precise cut or of the domain dictionary and synonyms, never a fragment the search cut adds
    (化镁 of 氢氧化镁), and none inside another one kept."""
    vocab = vocabulary()
    precise = {w for w in rjieba.cut(normalise(text))} if text else set()
    kept = [t for t in dict.fromkeys(terms) if t in precise or t in vocab.dictionary]
    return [t for t in kept if not any(t != other and t in other for other in kept)]
