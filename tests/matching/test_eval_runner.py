"""The search evaluation tool (bench/eval.py, `make eval`): its measures on hand-computed cases, a run of the
real search over a small judged set, and its check of an evaluation set (the shipped set is checked by the
tool itself before every run)."""

import importlib.util
import math
import sys
from pathlib import Path

import pytest

from techmarket.catalogue.models import Listing

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def tool():
    sys.path.insert(0, str(BENCH))  # the tool imports its sibling `common`
    try:
        spec = importlib.util.spec_from_file_location("bench_eval", BENCH / "eval.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH))


def test_measures_of_one_query(tool):
    entry = {"id": "q", "query": "q", "judgements": {"a": 3, "b": 2, "c": 1}}
    perfect = tool.score_query(entry, ["a", "b", "c", "x"])
    assert perfect["ndcg"] == pytest.approx(1.0) and perfect["recall"] == 1.0 and perfect["rr"] == 1.0
    late = tool.score_query(entry, ["x", "c", "b"])
    ideal = 7 + 3 / math.log2(3) + 1 / math.log2(4)
    assert late["ndcg"] == pytest.approx((1 / math.log2(3) + 3 / math.log2(4)) / ideal)
    assert late["recall"] == 0.5  # b of the relevant a and b
    assert late["rr"] == pytest.approx(1 / 3)  # b, the first relevant, third
    assert late["grades"] == [0, 1, 2]
    assert tool.score_query(entry, [])["ndcg"] == 0.0


@pytest.mark.django_db
def test_a_run_over_a_small_judged_set(tool):
    queries = [
        {"id": "lithium", "query": "盐湖提锂",  # the seed's six demands on lithium from the salt lakes
         "judgements": {f"innovation/hightech/{n}": 2 for n in (17, 35, 39, 40, 55, 77)}},
        {"id": "nonsense", "query": "Xyzzyqvorpal", "no_answer": True},
    ]
    report = tool.evaluate(queries, "fused")
    assert report["mode"] == "fused"
    lithium = next(row for row in report["queries"] if row["id"] == "lithium")
    assert lithium["verdict"] == "match" and lithium["grades"][:3] == [2, 2, 2]
    assert report["mrr"] == 1.0 and report["recall@10"] >= 0.5 and report["ndcg@10"] > 0.6
    assert report["no_match"] == {"tp": 1, "fp": 0, "fn": 0, "tn": 1}
    assert report["no_match_precision"] == report["no_match_recall"] == 1.0


@pytest.mark.django_db
def test_the_check_of_an_evaluation_set(tool):
    references = set(Listing.objects.values_list("reference", flat=True))
    good = [{"id": "a", "query": "盐湖提锂", "judgements": {"innovation/hightech/17": 3}},
            {"id": "b", "query": "量子计算", "no_answer": True}]
    assert tool.check_queries(good, references) == []
    bad = good + [
        {"id": "a", "query": "牦牛", "judgements": {"innovation/hightech/17": 2}},  # id used twice
        {"id": "c", "query": "盐湖提锂", "judgements": {"innovation/hightech/17": 2}},  # query used twice
        {"id": "d", "query": "藏药", "judgements": {"innovation/hightech/17": 4}},
        {"id": "e", "query": "枸杞", "judgements": {"innovation/hightech/17": 1}},
        {"id": "f", "query": "光伏", "judgements": {"no/such/listing": 3}},
        {"id": "g", "query": "牧草"},
        {"id": "h", "query": "石墨烯", "no_answer": True, "judgements": {"innovation/hightech/17": 2}},
    ]
    problems = tool.check_queries(bad, references)
    assert problems == [
        "duplicate id a",
        "duplicate query 盐湖提锂",
        "d: grades must be 1, 2 or 3",
        "e: no relevant (grade >= 2) listing",
        "f: judged listings not in the catalogue: no/such/listing",
        "g: no judgements and not marked no_answer",
        "h: marked no_answer but has judgements",
    ]


def test_two_assessors_grades_merge_by_the_rule_fixed_in_advance(tool, tmp_path):
    # Both graded: the mean rounded up (the first's unlisted is its 0); only the first: its grade; 0s left out.
    first = {"a": 3, "b": 2, "c": 1}
    assert tool.merge_grades(first, {"a": 0, "b": 3, "d": 1, "e": 0, "f": 2}) == {"a": 2, "b": 3, "c": 1, "d": 1,
                                                                                  "f": 1}
    (tmp_path / "pairs.yaml").write_text(
        "pairs:\n  - id: p1\n    source: s\n    partners:\n      a: 3\n      b: 1\n", encoding="utf-8")
    (tmp_path / "second.yaml").write_text("grades:\n  p1:\n    b: 3\n    c: 2\n  p9:\n    a: 4\n", encoding="utf-8")
    pairs = tool.load_pairs(tmp_path / "pairs.yaml", tmp_path / "second.yaml")
    assert pairs[0]["first"] == {"a": 3, "b": 1}
    assert pairs[0]["partners"] == {"a": 3, "b": 2, "c": 1}
    assert tool.check_second(tool.load_second(tmp_path / "second.yaml"), pairs) == [
        "second assessor: unknown pair id p9", "second assessor: p9: grades must be 0, 1, 2 or 3"]
