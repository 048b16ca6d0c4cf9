"""Fitting the relevance models of src/techmarket/matching/services/relevance.py from judged results.

Pure numpy, no Django: bench/eval.py gathers the examples (one per judged result: its features, whether a
person judged it relevant, the query it answers) and uses these functions per cross-validation fold, and
once on everything for `make calibrate`.

- `fit_logistic`: an L2-regularised logistic regression by Newton's method (a handful of features, a few
  thousand examples: a dozen iterations).
- `choose_floor`: the relevance floor, from the best probability of each query's judged results: the cut
  that makes the fewest verdict errors, off-topic queries told "match" and real ones told "no-good-match"
  weighing the same per query of their class; the middle of the widest such gap.
- `choose_strong`: the lowest probability from which at least STRONG_PRECISION of the results are relevant.
- Without off-topic subjects to separate (the listing pairs), the floor is where FLOOR_PRECISION are.
"""

import hashlib

import numpy as np

FOLDS = 5
L2 = 1.0
STRONG_PRECISION = 0.8
FLOOR_PRECISION = 0.5


def fold_of(identifier: str, folds: int = FOLDS) -> int:
    """A stable fold for an id (the same on every machine and run)."""
    return int(hashlib.sha1(identifier.encode("utf-8")).hexdigest(), 16) % folds


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 50) -> np.ndarray:
    """Weights (bias first) of a logistic regression of y (0/1) on the columns of x; the bias is not
    penalised."""
    a = np.hstack([np.ones((len(x), 1)), np.asarray(x, dtype=np.float64)])
    y = np.asarray(y, dtype=np.float64)
    w = np.zeros(a.shape[1])
    penalty = np.eye(a.shape[1]) * l2
    penalty[0, 0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -50, 50)))
        gradient = a.T @ (p - y) + penalty @ w
        hessian = (a * (p * (1 - p))[:, None]).T @ a + penalty + np.eye(a.shape[1]) * 1e-9
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64).reshape(-1, len(w) - 1)
    return 1.0 / (1.0 + np.exp(-np.clip(w[0] + x @ w[1:], -50, 50)))


def choose_floor(best_real: list[float], best_none: list[float]) -> float:
    """The cut on each query's best probability that best separates real queries (≥ cut: "match") from
    off-topic ones (< cut: "no-good-match")."""
    real, none = np.asarray(best_real), np.asarray(best_none)
    values = np.unique(np.concatenate([real, none, [0.0, 1.0]]))
    cuts = (values[:-1] + values[1:]) / 2
    if not len(cuts):
        return 0.5

    def error(cut):
        missed = (real < cut).mean() if len(real) else 0.0
        false = (none >= cut).mean() if len(none) else 0.0
        return missed + false

    errors = np.array([error(c) for c in cuts])
    best = np.flatnonzero(np.isclose(errors, errors.min()))
    # The widest run of equally good cuts: its middle (not its edge, where the next query tips the verdict).
    runs, start = [], best[0]
    for previous, current in zip(best, best[1:], strict=False):
        if current != previous + 1:
            runs.append((start, previous))
            start = current
    runs.append((start, best[-1]))
    low, high = max(runs, key=lambda r: values[r[1] + 1] - values[r[0]])
    return float(np.clip((values[low] + values[high + 1]) / 2, 0.02, 0.98))


def precision_cut(probabilities: np.ndarray, labels: np.ndarray, precision: float) -> float:
    """The lowest probability from which at least `precision` of the results are relevant."""
    order = np.argsort(-probabilities)
    p, y = probabilities[order], labels[order]
    share = np.cumsum(y) / np.arange(1, len(y) + 1)
    ok = np.flatnonzero(share >= precision)
    return float(np.clip(p[ok[-1]] if len(ok) else 0.98, 0.02, 0.98))


def choose_strong(probabilities: np.ndarray, labels: np.ndarray, floor: float) -> float:
    """The lowest probability (above the floor) from which at least STRONG_PRECISION of results are relevant."""
    return float(np.clip(max(precision_cut(probabilities, labels, STRONG_PRECISION), floor + 0.05), 0.05, 0.98))


def model(names: tuple[str, ...], examples: list[dict], queries: dict[str, dict]) -> dict:
    """A model for relevance.yaml from examples {query, features, label}: weights, bias, strong and floor.
    `queries` says of each query id whether it is off-topic (`none`) and which of its examples count for its
    verdict (its judged results)."""
    x = np.array([[e["features"][n] for n in names] for e in examples], dtype=np.float64)
    y = np.array([e["label"] for e in examples], dtype=np.float64)
    w = fit_logistic(x, y)
    p = predict(w, x) if len(x) else np.zeros(0)
    best: dict[str, float] = {}
    for e, prob in zip(examples, p, strict=True):
        best[e["query"]] = max(best.get(e["query"], 0.0), float(prob))
    real = [best.get(q, 0.0) for q, info in queries.items() if not info["none"]]
    none = [best.get(q, 0.0) for q, info in queries.items() if info["none"]]
    # Without off-topic subjects (the listing pairs) the verdict has nothing to separate: the floor is then
    # where half the results above it are relevant (a third let a PV-recycling demand "match" a polysilicon patent).
    floor = choose_floor(real, none) if none else precision_cut(p, y, FLOOR_PRECISION)
    strong = choose_strong(p, y, floor)
    weights = {n: round(float(v), 4) for n, v in zip(names, w[1:], strict=True)}
    return {"bias": round(float(w[0]), 4), "weights": weights, "strong": round(strong, 4), "floor": round(floor, 4)}
