"""Evaluate search and matching on the seed catalogue against the judged sets of bench/eval/, cross-validated.

    .venv/bin/python bench/eval.py [--verbose] [--json] [--mode MODE] [--rebuild]
    .venv/bin/python bench/eval.py --calibrate      # make calibrate: fit data/matching/relevance.yaml on all

The judged queries are bench/eval/queries.yaml and queries-*.yaml; the listing-to-listing judgements are
bench/eval/pairs.yaml, merged with a second assessor's grades of pooled candidates (pairs-second.yaml).

Builds its own SQLite database under var/bench-eval (migrate, import the seed with embeddings computed
inline; reused on later runs when it holds the 177 seed listings with their vectors), re-analyses every
search document (so changes to the dictionary or synonyms count), then runs every query through the real
search service in each mode and prints:

- nDCG@10 (gain 2^grade - 1, over the judged grades 1–3),
- recall@10 (grade >= 2 counts as relevant),
- MRR (reciprocal rank of the first result with grade >= 2, over the first 100 results),
- precision and recall of the "no-good-match" verdict (positive class: queries marked no_answer), and the
  share of real queries told "no-good-match" and of off-topic ones told "match".

Every figure is cross-validated: queries (and pair sources) fall into FOLDS folds by a hash of their id; for
each fold the relevance models (bands, floor, verdict) are fitted on the other folds only, installed, and the
held-out fold is run through the real services (search in each mode, match of the text, match of the
listing). The search ranking's own constants are fixed in the code; listing-to-listing matching is ranked by the
listing model itself, so its ranking is fitted per fold too. The per-fold rows and the pooled held-out figures
are printed (docs/search-evaluation.md).
"""

import argparse
import json
import math
import shutil
import sys
from pathlib import Path

import calibration as fitting
from common import PROJECT_DIR, Timer, log, migrate, setup_django

DATA_DIR = PROJECT_DIR / "var" / "bench-eval"
QUERIES = PROJECT_DIR / "bench" / "eval" / "queries.yaml"
PAIRS = PROJECT_DIR / "bench" / "eval" / "pairs.yaml"
SECOND = PROJECT_DIR / "bench" / "eval" / "pairs-second.yaml"  # a second assessor's grades of pooled candidates
SEED_LISTINGS = 177
MODES = ("keyword", "semantic", "fused", "match")  # match: `techmarket match TEXT`, its ranked list
JUDGED = 50  # the results of a query its verdict rests on (search.JUDGED)
CUTOFF = 10
RELEVANT = 2  # the lowest grade counted as relevant for recall and MRR
DEPTH = 100


def load_queries(path: Path = QUERIES) -> list[dict]:
    """The judged queries: `path`, and when it is the shipped set, the other files of its directory
    (queries-*.yaml)."""
    import yaml

    queries = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    if path == QUERIES:
        for extra in sorted(path.parent.glob("queries-*.yaml")):
            queries += yaml.safe_load(extra.read_text(encoding="utf-8"))["queries"]
    return queries


def load_pairs(path: Path = PAIRS, second: Path = SECOND) -> list[dict]:
    """The judged pairs, each with `partners` merged from both assessors (merge_grades) and `first`, the
    first assessor's own grades."""
    import yaml

    pairs = yaml.safe_load(path.read_text(encoding="utf-8"))["pairs"] if path.exists() else []
    grades = load_second(second)
    for pair in pairs:
        first = {str(k): int(v) for k, v in (pair.get("partners") or {}).items()}
        pair["first"] = first
        pair["partners"] = merge_grades(first, grades.get(pair.get("id"), {}))
    return pairs


def load_second(path: Path = SECOND) -> dict[str, dict[str, int]]:
    """The second assessor's grades: {pair id: {listing reference: grade 0–3}}."""
    import yaml

    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("grades", {}) if path.exists() else {}


def check_second(grades: dict, pairs: list[dict]) -> list[str]:
    """What makes the second assessor's grades unusable: an unknown pair id, a grade outside 0–3."""
    ids = {str(p.get("id")) for p in pairs}
    problems = [f"second assessor: unknown pair id {pid}" for pid in grades if str(pid) not in ids]
    problems += [f"second assessor: {pid}: grades must be 0, 1, 2 or 3" for pid, judged in grades.items()
                 if any(g not in (0, 1, 2, 3) for g in (judged or {}).values())]
    return problems


def merge_grades(first: dict[str, int], second: dict[str, int]) -> dict[str, int]:
    """The rule fixed before the second assessor's grades were read: a listing both graded (the first
    assessor read the whole catalogue, so one it left out is its 0) gets the mean of the two grades rounded
    up; one only the first graded keeps its grade. Listings graded 0 are left out."""
    merged = dict(first)
    for ref, grade in second.items():
        merged[str(ref)] = math.ceil((first.get(str(ref), 0) + int(grade)) / 2)
    return {ref: grade for ref, grade in merged.items() if grade > 0}


def check_queries(queries: list[dict], references: set[str]) -> list[str]:
    """What is wrong with an evaluation set, as messages (none: the set is usable). `references` are the
    catalogue's listing references; every judged one must be among them."""
    problems = []
    ids = [str(q.get("id", "")) for q in queries]
    texts = [str(q.get("query", "")).strip() for q in queries]
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    problems += [f"duplicate query {t}" for t in sorted({t for t in texts if t and texts.count(t) > 1})]
    for q, qid, text in zip(queries, ids, texts, strict=True):
        judgements = q.get("judgements") or {}
        if not qid or not text:
            problems.append(f"{qid or '?'}: id and query are required")
        if q.get("no_answer"):
            if judgements:
                problems.append(f"{qid}: marked no_answer but has judgements")
            continue
        if not judgements:
            problems.append(f"{qid}: no judgements and not marked no_answer")
            continue
        if not all(isinstance(g, int) and 1 <= g <= 3 for g in judgements.values()):
            problems.append(f"{qid}: grades must be 1, 2 or 3")
        elif max(judgements.values()) < RELEVANT:
            problems.append(f"{qid}: no relevant (grade >= {RELEVANT}) listing")
        unknown = sorted(str(ref) for ref in judgements if str(ref) not in references)
        if unknown:
            problems.append(f"{qid}: judged listings not in the catalogue: {', '.join(unknown)}")
    return problems


def check_pairs(pairs: list[dict], references: set[str]) -> list[str]:
    """What is wrong with the listing-to-listing judgements (none: usable)."""
    problems = []
    ids = [str(p.get("id", "")) for p in pairs]
    problems += [f"duplicate pair id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for pair, pid in zip(pairs, ids, strict=True):
        partners = pair.get("partners") or {}
        if pair.get("source") not in references:
            problems.append(f"{pid}: source {pair.get('source')} not in the catalogue")
        if not partners or max(partners.values()) < RELEVANT:
            problems.append(f"{pid}: no partner of grade >= {RELEVANT}")
        unknown = sorted(str(ref) for ref in partners if str(ref) not in references)
        if unknown:
            problems.append(f"{pid}: judged listings not in the catalogue: {', '.join(unknown)}")
    return problems


def prepare_database(rebuild: bool) -> None:
    """The seed, imported and embedded, in DATA_DIR; documents re-analysed with the current vocabulary."""
    if rebuild and DATA_DIR.exists():
        shutil.rmtree(DATA_DIR)
    setup_django(DATA_DIR, jobs="inline")
    from django.conf import settings

    from techmarket.catalogue.importers.loader import import_file
    from techmarket.catalogue.models import Listing
    from techmarket.matching.models import SearchDocument
    from techmarket.matching.services.documents import rebuild_all
    from techmarket.matching.services.jobs import embed_pending

    migrate()
    embedded = SearchDocument.objects.filter(vector__isnull=False).count()
    if Listing.objects.count() != SEED_LISTINGS or embedded != SEED_LISTINGS:
        timer = Timer()
        log(f"Importing the seed into {DATA_DIR} (embedding {SEED_LISTINGS} listings, about a minute)…")
        import_file(Path(settings.TECHMARKET_SEED_FILE))
        log(f"  done in {timer.seconds:.0f} s")
    # Terms depend on the dictionary and synonyms: rebuild them (vectors are kept when the text is unchanged).
    embed_pending(rebuild_all())
    count = SearchDocument.objects.filter(vector__isnull=False, public=True).count()
    if count != SEED_LISTINGS:
        sys.exit(f"expected {SEED_LISTINGS} embedded public documents, found {count}; try --rebuild")


def dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def score_query(entry: dict, refs: list[str]) -> dict:
    judgements = {str(k): int(v) for k, v in (entry.get("judgements") or {}).items()}
    grades = [judgements.get(ref, 0) for ref in refs]
    ideal = dcg(sorted(judgements.values(), reverse=True)[:CUTOFF])
    relevant = {ref for ref, g in judgements.items() if g >= RELEVANT}
    first = next((i for i, g in enumerate(grades) if g >= RELEVANT), None)
    return {
        "ndcg": dcg(grades[:CUTOFF]) / ideal if ideal else 0.0,
        "recall": len(relevant & set(refs[:CUTOFF])) / len(relevant) if relevant else None,
        "rr": 1.0 / (first + 1) if first is not None else 0.0,
        "grades": grades[:CUTOFF],
    }


def _clear_answers() -> None:
    from techmarket.matching.services.search import forget_answers

    forget_answers()


def run_query(entry: dict, mode: str):
    """(the references of the ranked results, the verdict) of one query in one mode, by the real services."""
    if mode == "match":
        from techmarket.matching.services.match import match_text

        result = match_text(entry["query"], limit=CUTOFF)
        return [m.reference for m in result.ranked], result.verdict, result.ranked
    from techmarket.matching.services.search import search

    result = search(entry["query"], limit=DEPTH, mode=mode)
    return [hit.reference for hit in result.hits], result.verdict, result.hits


def evaluate(queries: list[dict], mode: str) -> dict:
    """Figures of one mode over `queries` with the relevance models installed now."""
    _clear_answers()
    per_query = []
    tp = fp = fn = tn = 0
    for entry in queries:
        refs, verdict, hits = run_query(entry, mode)
        no_answer = bool(entry.get("no_answer"))
        said_none = verdict == "no-good-match"
        tp += no_answer and said_none
        fp += not no_answer and said_none
        fn += no_answer and not said_none
        tn += not no_answer and not said_none
        row = {"id": entry["id"], "query": entry["query"], "no_answer": no_answer, "verdict": verdict,
               "top": [(h.reference, h.title, round(h.score, 4), getattr(h, "coverage", 0.0),
                        getattr(h, "similarity", 0.0)) for h in hits[:5]]}
        if not no_answer:
            row.update(score_query(entry, refs))
            row["judgements"] = entry["judgements"]
        per_query.append(row)
    return summarise(mode, per_query, tp, fp, fn, tn)


def summarise(mode: str, per_query: list[dict], tp: int, fp: int, fn: int, tn: int) -> dict:
    answerable = [r for r in per_query if not r["no_answer"]]
    recalls = [r["recall"] for r in answerable if r.get("recall") is not None]
    return {
        "mode": mode,
        "ndcg@10": sum(r["ndcg"] for r in answerable) / len(answerable) if answerable else 0.0,
        "recall@10": sum(recalls) / len(recalls) if recalls else 0.0,
        "mrr": sum(r["rr"] for r in answerable) / len(answerable) if answerable else 0.0,
        "no_match_precision": tp / (tp + fp) if tp + fp else 0.0,
        "no_match_recall": tp / (tp + fn) if tp + fn else 0.0,
        "real_told_none": fp / (fp + tn) if fp + tn else 0.0,
        "no_match": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "queries": per_query,
    }


# --- cross-validation ---------------------------------------------------------------------------------

def gather_text(queries: list[dict], mode: str) -> list[dict]:
    """One example per judged result (the first JUDGED of each query, in rank order): its features for the
    relevance model, whether it was judged relevant, and its query. The features do not depend on the models."""
    from techmarket.matching.services import relevance

    _clear_answers()
    examples = []
    for entry in queries:
        _, _, hits = run_query(entry, mode)
        ranked = sorted(hits, key=lambda h: -h.score)[:JUDGED]  # the rank order, before the floor's partition
        judged = {str(k): int(v) for k, v in (entry.get("judgements") or {}).items()}
        for rank, hit in enumerate(ranked):
            examples.append({"query": entry["id"], "label": int(judged.get(hit.reference, 0) >= RELEVANT),
                             "features": relevance.text_features(hit.coverage, hit.similarity, entry["query"], rank)})
    return examples


def gather_pairs(pairs: list[dict]) -> list[dict]:
    """The same for listing-to-listing matching: every candidate of each source (match.candidate_columns: the
    listings sharing meaning or words with it, its own organisations' left out), with the features the listing
    model reads. They do not depend on the model (which also ranks them)."""
    from techmarket.catalogue.models import Listing
    from techmarket.matching.services import match as matching
    from techmarket.matching.services.engine import EngineFilters, get_engine

    engine = get_engine()
    examples = []
    for pair in pairs:
        listing = Listing.objects.get(reference=pair["source"])
        subject = matching._subject_for_listing(engine, listing)
        filters = EngineFilters(exclude_ids=(listing.pk,), exclude_organisations=tuple(subject.org_ids))
        candidates, _, columns = matching.candidate_columns(engine, subject, filters, engine.filter_mask(filters))
        judged = {str(k): int(v) for k, v in pair["partners"].items()}
        for i, slot in enumerate(candidates.tolist()):
            label = int(judged.get(engine.meta[slot]["reference"], 0) >= RELEVANT)
            examples.append({"query": pair["id"], "label": label,
                             "features": {name: float(values[i]) for name, values in columns.items()}})
    return examples


def fit(text: list[dict], words: list[dict], listing: list[dict], queries: list[dict], pairs: list[dict],
        note: str = "") -> dict:
    """relevance.yaml's content, fitted on these examples."""
    from techmarket.matching.services import relevance

    info = {q["id"]: {"none": bool(q.get("no_answer"))} for q in queries}
    pair_info = {p["id"]: {"none": False} for p in pairs}
    return {"note": note,
            "text": fitting.model(relevance.TEXT_FEATURES, text, info),
            "words": fitting.model(relevance.WORDS_FEATURES, words, info),
            "listing": fitting.model(relevance.LISTING_FEATURES, listing, pair_info) if listing else
            fitting_default_listing()}


def fitting_default_listing() -> dict:
    from techmarket.matching.services import relevance

    return relevance.calibration().listing.model_dump()


def evaluate_pairs(pairs: list[dict]) -> tuple[dict, dict]:
    """match_listing's ranked list of each source, scored against the merged judgements and against the
    first assessor's alone."""
    from techmarket.catalogue.models import Listing
    from techmarket.matching.services.match import match_listing

    rows, first_rows = [], []
    for pair in pairs:
        result = match_listing(Listing.objects.get(reference=pair["source"]), limit=CUTOFF)
        refs = [m.reference for m in result.ranked]
        for judgements, out in ((pair["partners"], rows), (pair.get("first", pair["partners"]), first_rows)):
            row = score_query({"judgements": judgements}, refs)
            row.update({"id": pair["id"], "verdict": result.verdict, "no_answer": False,
                        "top": [(m.reference, m.title, m.score, 0.0, 0.0) for m in result.ranked[:5]],
                        "judgements": judgements, "query": pair["source"]})
            out.append(row)
    fp = sum(r["verdict"] == "no-good-match" for r in rows)
    return (summarise("pairs", rows, 0, fp, 0, len(rows) - fp),
            summarise("pairs-first", first_rows, 0, fp, 0, len(rows) - fp))


def cross_validate(queries: list[dict], pairs: list[dict], modes: tuple[str, ...]) -> dict:
    """Per fold: the models fitted on the other folds, the held-out fold's figures in each mode; and the
    figures pooled over every held-out query."""
    from techmarket.matching.services import relevance

    text = gather_text(queries, "fused")
    words = gather_text(queries, "keyword")
    listing = gather_pairs(pairs)
    fold = {q["id"]: fitting.fold_of(q["id"]) for q in queries}
    fold.update({p["id"]: fitting.fold_of(p["id"]) for p in pairs})
    folds, pooled = [], {mode: [] for mode in (*modes, "pairs", "pairs-first")}
    for k in range(fitting.FOLDS):
        def train(examples, k=k):
            return [e for e in examples if fold[e["query"]] != k]
        models = fit(train(text), train(words), train(listing), [q for q in queries if fold[q["id"]] != k],
                     [p for p in pairs if fold[p["id"]] != k])
        held = [q for q in queries if fold[q["id"]] == k]
        held_pairs = [p for p in pairs if fold[p["id"]] == k]
        with relevance.override(models):
            reports = {mode: evaluate(held, mode) for mode in modes}
            if held_pairs:
                reports["pairs"], reports["pairs-first"] = evaluate_pairs(held_pairs)
        for mode, report in reports.items():
            pooled[mode] += report["queries"]
        folds.append({"fold": k, "queries": len(held), "pairs": len(held_pairs), "models": models,
                      "reports": reports})
    _clear_answers()
    if all(p["partners"] == p.get("first", p["partners"]) for p in pairs):  # no second assessor: one row
        pooled.pop("pairs-first")
        for f in folds:
            f["reports"].pop("pairs-first", None)
    overall = {}
    for mode, rows in pooled.items():
        c = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for r in rows:
            none, said = r["no_answer"], r["verdict"] == "no-good-match"
            c["tp" if none and said else "fp" if said else "fn" if none else "tn"] += 1
        overall[mode] = summarise(mode, rows, c["tp"], c["fp"], c["fn"], c["tn"])
    return {"folds": folds, "overall": overall}


def print_cv(cv: dict, n_real: int, n_none: int, n_pairs: int) -> None:
    print(f"Cross-validated evaluation ({fitting.FOLDS} folds; every model fitted on the other folds): "
          f"{n_real} judged queries, {n_none} off-topic, {n_pairs} listings with judged partners "
          f"(seed catalogue, {SEED_LISTINGS} listings)")
    print(f"{'mode':<12}{'fold':>6}{'n':>5}{'nDCG@10':>9}{'R@10':>8}{'MRR':>8}{'real→none':>11}{'off→none':>10}")
    for mode, report in cv["overall"].items():
        for f in cv["folds"]:
            r = f["reports"].get(mode)
            if r:
                _row(mode, str(f["fold"]), r)
        _row(mode, "all", report, bold=True)
    print("real→none: share of real queries told \"no-good-match\" (target ≤ 5 %); off→none: share of "
          "off-topic queries told so (target ≥ 90 %).\npairs: against both assessors' grades merged "
          "(bench/eval/pairs-second.yaml); pairs-first: the same lists against the first assessor's alone.")


def _row(mode: str, fold: str, r: dict, bold: bool = False) -> None:
    c = r["no_match"]
    off = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
    n = len(r["queries"])
    print(f"{mode if bold else '':<12}{fold:>6}{n:>5}{r['ndcg@10']:>9.3f}{r['recall@10']:>8.3f}{r['mrr']:>8.3f}"
          f"{r['real_told_none']:>11.1%}{off:>10.1%}")


def calibrate(queries: list[dict], pairs: list[dict]) -> dict:
    """relevance.yaml fitted on every judged query and pair (what ships; its figures are in-sample)."""
    import yaml

    from techmarket.matching.services import relevance

    models = fit(gather_text(queries, "fused"), gather_text(queries, "keyword"), gather_pairs(pairs), queries, pairs,
                 note=f"Written by `make calibrate` (bench/eval.py --calibrate) from {len(queries)} judged queries "
                      f"and {len(pairs)} judged sources of bench/eval; do not edit by hand.")
    relevance.Calibration.model_validate(models)
    relevance.path().write_text(yaml.safe_dump(models, allow_unicode=True, sort_keys=False), encoding="utf-8")
    relevance._shipped.cache_clear()
    return models


def print_table(reports: list[dict], n_answerable: int, n_none: int, header: bool = True) -> None:
    if header:
        print(f"Search evaluation: {n_answerable} judged queries, {n_none} with no good answer "
              f"(seed catalogue, {SEED_LISTINGS} listings)")
    print(f"{'mode':<10}{'nDCG@10':>9}{'R@10':>8}{'MRR':>8}{'none-P':>9}{'none-R':>9}   verdicts tp/fp/fn/tn")
    for r in reports:
        c = r["no_match"]
        print(f"{r['mode']:<10}{r['ndcg@10']:>9.3f}{r['recall@10']:>8.3f}{r['mrr']:>8.3f}"
              f"{r['no_match_precision']:>9.3f}{r['no_match_recall']:>9.3f}   "
              f"{c['tp']}/{c['fp']}/{c['fn']}/{c['tn']}")
    if header:
        print("none-P / none-R: precision / recall of the \"no-good-match\" verdict "
              "(positive class: queries the catalogue has no answer for).")


def print_failures(report: dict) -> None:
    print(f"\n[{report['mode']}] failures")
    for r in report["queries"]:
        wrong_verdict = (r["verdict"] == "no-good-match") != r["no_answer"]
        weak = not r["no_answer"] and (r["ndcg"] < 0.6 or (r["recall"] is not None and r["recall"] < 1))
        if not (wrong_verdict or weak):
            continue
        flags = []
        if wrong_verdict:
            flags.append(f"verdict {r['verdict']}")
        if not r["no_answer"]:
            flags.append(f"nDCG {r['ndcg']:.2f} R@10 {r['recall'] if r['recall'] is not None else '-'} "
                         f"grades {''.join(str(g) for g in r['grades'])}")
        print(f"  {r['id']:<32} {r['query'][:40]}  ({'; '.join(flags)})")
        judged = r.get("judgements", {})
        for ref, title, _score, coverage, similarity in r["top"]:
            print(f"      {judged.get(ref, 0)} {ref:<26} cov {coverage:.2f} sim {similarity:.3f}  {title[:30]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="print the queries each mode gets wrong")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--mode", choices=MODES, action="append", help="only these modes (repeatable)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the evaluation database from scratch")
    parser.add_argument("--calibrate", action="store_true",
                        help="fit data/matching/relevance.yaml on every judged query and pair, then evaluate")
    args = parser.parse_args()

    queries, pairs = load_queries(), load_pairs()
    prepare_database(args.rebuild)
    from techmarket.catalogue.models import Listing

    references = set(Listing.objects.values_list("reference", flat=True))
    problems = check_queries(queries, references) + check_pairs(pairs, references) + check_second(
        load_second(), pairs)
    if problems:
        sys.exit("bench/eval is not usable:\n  " + "\n  ".join(problems))
    if args.calibrate:
        models = calibrate(queries, pairs)
        log(f"wrote {Path('data/matching/relevance.yaml')}: " + json.dumps(
            {k: v for k, v in models.items() if k != "note"}, ensure_ascii=False))
    modes = tuple(args.mode or MODES)
    cv = cross_validate(queries, pairs, modes)
    n_none = sum(bool(q.get("no_answer")) for q in queries)
    if args.json:
        keys = ("ndcg@10", "recall@10", "mrr", "no_match_precision", "no_match_recall", "real_told_none", "no_match")
        out = {"queries": len(queries), "no_answer_queries": n_none, "pairs": len(pairs), "folds": fitting.FOLDS,
               "modes": {m: {k: (round(r[k], 4) if isinstance(r[k], float) else r[k]) for k in keys}
                         for m, r in cv["overall"].items()},
               "per_fold": [{"fold": f["fold"], "models": f["models"],
                             "modes": {m: round(r["ndcg@10"], 4) for m, r in f["reports"].items()}}
                            for f in cv["folds"]]}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    print_cv(cv, len(queries) - n_none, n_none, len(pairs))
    search_modes = [m for m in modes if m != "match"]
    if "fused" in modes and "match" in modes:
        same = sum(a["verdict"] == b["verdict"] for a, b in zip(
            sorted(cv["overall"]["fused"]["queries"], key=lambda r: r["id"]),
            sorted(cv["overall"]["match"]["queries"], key=lambda r: r["id"]), strict=True))
        print(f"search (fused) and match give the same verdict for {same} of {len(queries)} queries")
    if args.verbose:
        for mode in (*search_modes, *(["match"] if "match" in modes else []), "pairs"):
            if mode in cv["overall"]:
                print_failures(cv["overall"][mode])


if __name__ == "__main__":
    main()
