"""One relevance judgement for search and matching.

Every result of the search page, the matches panels, the API and the CLI gets the same thing: the
probability that a person would call it relevant (judged grade ≥ 2 of bench/eval), from a logistic model
of what the engine measured about it, and a confidence band a person can read (强 / 中 / 弱). The answer's
verdict follows from it: "match" when at least one result reaches the relevance floor (the 中 cut-off),
"no-good-match" otherwise. So one text gets one verdict wherever it is asked.

Each kind of subject has its own model:

- `text`: something typed or posted (a search, `match TEXT`): the share of its words a result covers
  (idf-weighted, search._Coverage), the query-to-passage cosine, how long the text is (a long problem
  description shares a smaller part of its words with even the right answer, so both measures count
  differently for it), and the result's rank.
- `words`: the same for keyword mode, which ranks by words alone and computes no embedding: coverage and
  length only.
- `listing`: a listing matched against the others: the passage-to-passage cosine, the candidate's keyword
  score for the listing's most telling terms (BM25 of a "more like this" query, as a share of the best
  candidate's), whether they are in the same field, and whether the candidate is of the kind that answers it
  (offers for a demand, demands for an offer), and how much of what the listing is about the candidate is
  about too (BM25 of the listing's concepts among the candidate's, data/matching/concepts.yaml: a class of
  herbs, the alloys a master alloy goes into). Its probability also ranks the candidates.

The weights and cut-offs are data (data/matching/relevance.yaml), written by `make calibrate` from the judged
sets of bench/eval; `make eval` measures them cross-validated (docs/search-evaluation.md)."""

from contextlib import contextmanager
from functools import cache
from pathlib import Path

import numpy as np
from django.conf import settings
from pydantic import Field

from techmarket.common.datafiles import FileModel, load, read_yaml

BANDS = ("strong", "medium", "weak")
BAND_LABELS = {"strong": "强", "medium": "中", "weak": "弱"}
TEXT_FEATURES = ("coverage", "similarity", "length", "coverage_long", "similarity_long", "rank")
WORDS_FEATURES = ("coverage", "length", "coverage_long", "rank")
LISTING_FEATURES = ("similarity", "keywords", "same_field", "answers", "concepts")
LONG_TEXT = 60  # characters at which a text counts as fully "long" (the length feature is 0 … 1)
SIMILARITY_ORIGIN = 0.85  # cosines are measured from here, in hundredths, so weights stay readable


class Model(FileModel):
    bias: float = Field(ge=-100, le=100)
    weights: dict[str, float]
    strong: float = Field(gt=0, lt=1)  # probability from which a result is 强
    floor: float = Field(gt=0, lt=1)  # probability from which it is 中: the relevance floor

    def band(self, probability: float) -> str:
        if probability >= self.strong:
            return "strong"
        return "medium" if probability >= self.floor else "weak"


class Calibration(FileModel):
    note: str = ""
    text: Model  # a text, judged by its words and its meaning
    words: Model  # a text in keyword mode, judged by its words alone (no embedding is computed)
    listing: Model


def path() -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "matching" / "relevance.yaml"


_override: list[Calibration] = []


@cache
def _shipped() -> Calibration:
    file = path()
    return load(Calibration, read_yaml(file), file.name)


def calibration() -> Calibration:
    return _override[-1] if _override else _shipped()


@contextmanager
def override(models: Calibration | dict):
    """Judge with other models for a while (bench/eval.py's folds; tests). Not for serving: answers already
    cached by search() keep the judgement they were made with."""
    _override.append(models if isinstance(models, Calibration) else Calibration.model_validate(models))
    try:
        yield
    finally:
        _override.pop()


def _cosines(similarity) -> np.ndarray:
    """Cosines as the models read them: hundredths above SIMILARITY_ORIGIN (0 where none was computed)."""
    similarity = np.asarray(similarity, dtype=np.float64)
    return np.where(similarity != 0, (similarity - SIMILARITY_ORIGIN) * 100, 0.0)


def text_features(coverage: float, similarity: float, text: str, rank: int) -> dict[str, float]:
    """A result's features for the text and words models; `rank` counts from 0 in the ranking (one row of
    text_columns, so the evaluation fits exactly what the product computes)."""
    return {name: float(values[0]) for name, values in text_columns([coverage], [similarity], text, [rank]).items()}


def text_columns(coverage, similarity, text: str, ranks) -> dict[str, np.ndarray]:
    """text_features for many results at once (arrays in rank order)."""
    length = min(len(text.strip()), LONG_TEXT) / LONG_TEXT
    cosine = _cosines(similarity)
    coverage = np.asarray(coverage, dtype=np.float64)
    return {"coverage": coverage, "similarity": cosine, "length": np.full(len(coverage), length),
            "coverage_long": coverage * length, "similarity_long": cosine * length,
            "rank": np.log1p(np.asarray(ranks, dtype=np.float64))}


def listing_columns(similarity, keywords, same_field, answers, concepts) -> dict[str, np.ndarray]:
    """The listing model's features of many candidates at once (arrays): cosine, keyword share (0 … 1), same
    field (1, 0.5 for the same top field, 0), answers (0 or 1) and the BM25 of the listing's concepts among the
    candidate's, as a share of the best candidate's (0 … 1)."""
    return {"similarity": _cosines(similarity), "keywords": np.asarray(keywords, dtype=np.float64),
            "same_field": np.asarray(same_field, dtype=np.float64), "answers": np.asarray(answers, dtype=np.float64),
            "concepts": np.asarray(concepts, dtype=np.float64)}


def judge_all(subject: str, columns: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The probability that a person calls each result relevant, and its band, for a `text`, `words` or
    `listing` subject (`columns`: each feature's values, one per result)."""
    model = getattr(calibration(), subject)
    n = len(next(iter(columns.values()))) if columns else 0
    z = np.full(n, model.bias) + sum(w * columns[name] for name, w in model.weights.items())
    p = 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))
    bands = np.where(p >= model.strong, "strong", np.where(p >= model.floor, "medium", "weak"))
    return p, bands


def verdict(bands: list[str]) -> str:
    """The answer's verdict from its results' bands: a match when one reaches the floor."""
    return "match" if any(b in ("strong", "medium") for b in bands) else "no-good-match"


def band_label(band: str) -> str:
    return BAND_LABELS.get(band, "")
