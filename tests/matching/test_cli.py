"""`techmarket search` and `techmarket match`: JSON and readable output, errors in English."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

RESULT_KEYS = {"reference", "kind", "title", "score", "explanation"}
LITHIUM = {f"innovation/hightech/{n}" for n in (17, 35, 39, 40, 55, 77)}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_search_json():
    data = json.loads(run("search", "盐湖提锂", "--json"))
    assert data["verdict"] == "match" and data["query"] == "盐湖提锂"
    assert data["results"] and data["total"] >= len(data["results"])
    for item in data["results"]:
        assert RESULT_KEYS <= set(item)
        assert isinstance(item["score"], float) and item["explanation"]
    assert {item["reference"] for item in data["results"][:3]} <= LITHIUM


def test_search_json_reports_an_absent_topic():
    data = json.loads(run("search", "手机游戏开发", "--json"))
    assert data["verdict"] == "no-good-match" and data["verdict_reason"]


def test_match_json_for_a_listing_reference():
    data = json.loads(run("match", "innovation/hightech/17", "--json", "--limit", "3"))
    assert data["subject"]["reference"] == "innovation/hightech/17"
    assert data["verdict"] == "match"
    assert set(data["results"]) == {"offers", "related"}
    related = data["results"]["related"]
    assert 0 < len(related) <= 3
    for item in related + data["results"]["offers"]:
        assert RESULT_KEYS <= set(item) and item["explanation"]
    assert {item["reference"] for item in related} <= LITHIUM
    assert all(o["name"] and o["explanation"] for o in data["organisations"])


def test_match_json_for_a_text():
    data = json.loads(run("match", "量子计算芯片设计", "--json"))
    assert data["subject"]["reference"] == ""
    assert data["verdict"] == "no-good-match" and data["verdict_reason"]


def test_match_readable_table():
    out = run("match", "innovation/hightech/17", "--limit", "2")
    assert "verdict: match" in out
    assert "Related listings (2)" in out
    assert "innovation/hightech/77" in out or "innovation/hightech/35" in out
    assert "共同关键词" in out and "Organisations" in out


def test_match_without_input_is_an_error():
    with pytest.raises(CommandError, match="empty"):
        call_command("match", "   ")


def test_analyse_shows_the_cut_and_the_concepts():
    """`techmarket analyse` prints the words, the index terms and the concepts a text names, or says it names none."""
    out = run("analyse", "多房棘球蚴疫苗")
    lines = dict(line.split(":", 1) for line in out.splitlines())
    assert "包虫病" in lines["concepts"].strip().split(" / ")
    assert "疫苗" in lines["terms"]
    assert run("analyse", "今天天气").splitlines()[-1].endswith("(none)")
