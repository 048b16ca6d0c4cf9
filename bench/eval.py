"""Evaluate search on the seed catalogue against the judged queries of bench/eval/queries.yaml.

    .venv/bin/python bench/eval.py [--verbose] [--json] [--mode MODE] [--rebuild]

Builds its own SQLite database under var/bench-eval (migrate, import the seed with embeddings computed
inline; reused on later runs when it holds the 177 seed listings with their vectors), re-analyses every
search document (so changes to the dictionary or synonyms count), then runs every query through the real
search service in each mode and prints:

- nDCG@10 (gain 2^grade - 1, over the judged grades 1–3),
- recall@10 (grade >= 2 counts as relevant),
- MRR (reciprocal rank of the first result with grade >= 2, over the first 100 results),
- precision and recall of the "no-good-match" verdict (positive class: queries marked no_answer).
"""

import argparse
import json
import math
import shutil
import sys
from pathlib import Path

from common import PROJECT_DIR, Timer, log, migrate, setup_django

DATA_DIR = PROJECT_DIR / "var" / "bench-eval"
QUERIES = PROJECT_DIR / "bench" / "eval" / "queries.yaml"
SEED_LISTINGS = 177
MODES = ("keyword", "semantic", "fused")
CUTOFF = 10
RELEVANT = 2  # the lowest grade counted as relevant for recall and MRR
DEPTH = 100


def load_queries(path: Path = QUERIES) -> list[dict]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]


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


def evaluate(queries: list[dict], mode: str) -> dict:
    from techmarket.matching.services.search import search

    per_query = []
    tp = fp = fn = tn = 0
    for entry in queries:
        result = search(entry["query"], limit=DEPTH, mode=mode)
        refs = [hit.reference for hit in result.hits]
        no_answer = bool(entry.get("no_answer"))
        said_none = result.verdict == "no-good-match"
        tp += no_answer and said_none
        fp += not no_answer and said_none
        fn += no_answer and not said_none
        tn += not no_answer and not said_none
        row = {"id": entry["id"], "query": entry["query"], "no_answer": no_answer, "verdict": result.verdict,
               "top": [(h.reference, h.title, round(h.score, 4), h.coverage, h.similarity) for h in result.hits[:5]]}
        if not no_answer:
            row.update(score_query(entry, refs))
            row["judgements"] = entry["judgements"]
        per_query.append(row)
    answerable = [r for r in per_query if not r["no_answer"]]
    recalls = [r["recall"] for r in answerable if r["recall"] is not None]
    return {
        "mode": mode,
        "ndcg@10": sum(r["ndcg"] for r in answerable) / len(answerable),
        "recall@10": sum(recalls) / len(recalls),
        "mrr": sum(r["rr"] for r in answerable) / len(answerable),
        "no_match_precision": tp / (tp + fp) if tp + fp else 0.0,
        "no_match_recall": tp / (tp + fn) if tp + fn else 0.0,
        "no_match": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "queries": per_query,
    }


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
        print(f"  {r['id']:<32} {r['query']}  ({'; '.join(flags)})")
        judged = r.get("judgements", {})
        for ref, title, _score, coverage, similarity in r["top"]:
            print(f"      {judged.get(ref, 0)} {ref:<26} cov {coverage:.2f} sim {similarity:.3f}  {title[:30]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="print the queries each mode gets wrong")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--mode", choices=MODES, action="append", help="only these modes (repeatable)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the evaluation database from scratch")
    args = parser.parse_args()

    queries = load_queries()
    prepare_database(args.rebuild)
    from techmarket.catalogue.models import Listing

    problems = check_queries(queries, set(Listing.objects.values_list("reference", flat=True)))
    if problems:
        sys.exit(f"{QUERIES} is not usable:\n  " + "\n  ".join(problems))
    reports = [evaluate(queries, mode) for mode in (args.mode or MODES)]
    n_none = sum(bool(q.get("no_answer")) for q in queries)
    if args.json:
        keys = ("ndcg@10", "recall@10", "mrr", "no_match_precision", "no_match_recall", "no_match")
        out = {"queries": len(queries), "no_answer_queries": n_none,
               "modes": {r["mode"]: {k: (round(r[k], 4) if isinstance(r[k], float) else r[k]) for k in keys}
                         for r in reports}}
        if args.verbose:
            for r in reports:
                out["modes"][r["mode"]]["per_query"] = [
                    {k: v for k, v in q.items() if k in ("id", "verdict", "ndcg", "recall", "rr", "grades")}
                    for q in r["queries"]]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    print_table(reports, len(queries) - n_none, n_none)
    holdout = [q for q in queries if q.get("holdout")]
    if holdout:
        n_none = sum(bool(q.get("no_answer")) for q in holdout)
        print(f"\nHeld-out subset (written after tuning, never tuned on): {len(holdout) - n_none} judged, "
              f"{n_none} with no good answer")
        print_table([evaluate(holdout, r["mode"]) for r in reports], len(holdout) - n_none, n_none, header=False)
    if args.verbose:
        for report in reports:
            print_failures(report)


if __name__ == "__main__":
    main()
