"""The search evaluation set (bench/eval/queries.yaml) is well formed and judges real seed listings."""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from techmarket.catalogue.models import Listing

QUERIES = Path(__file__).resolve().parents[2] / "bench" / "eval" / "queries.yaml"


@pytest.fixture(scope="module")
def queries():
    return yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]


def test_queries_have_unique_ids_and_text(queries):
    assert len(queries) >= 45
    ids = [q["id"] for q in queries]
    assert len(ids) == len(set(ids))
    assert all(str(q["query"]).strip() for q in queries)
    assert len({q["query"] for q in queries}) == len(queries)


def test_judgements_are_graded_1_to_3(queries):
    for q in queries:
        if q.get("no_answer"):
            continue
        judgements = q.get("judgements") or {}
        assert judgements, f"{q['id']} has no judgements and is not marked no_answer"
        assert all(isinstance(g, int) and 1 <= g <= 3 for g in judgements.values()), q["id"]
        assert max(judgements.values()) >= 2, f"{q['id']} has no relevant (grade >= 2) listing"


def test_at_least_ten_queries_have_no_answer(queries):
    no_answer = [q for q in queries if q.get("no_answer")]
    assert len(no_answer) >= 10
    assert all(not q.get("judgements") for q in no_answer)


def test_queries_include_traditional_colloquial_and_synonym_wordings(queries):
    styles = Counter(q.get("style", "plain") for q in queries)
    assert styles["traditional"] >= 3 and styles["colloquial"] >= 3 and styles["synonym"] >= 3


@pytest.mark.django_db
def test_judged_references_exist_in_the_seed(queries):
    references = set(Listing.objects.values_list("reference", flat=True))
    assert len(references) == 177
    judged = {str(ref) for q in queries for ref in (q.get("judgements") or {})}
    assert judged <= references, sorted(judged - references)
