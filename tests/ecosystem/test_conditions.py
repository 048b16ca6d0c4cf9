"""第二十条 at, just below and just above each threshold, for both kinds of institution; the 30-day windows of
第二十二条 and 第二十四条 one day inside and outside; the JSON-in/JSON-out command."""

import datetime
import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from techmarket.common.errors import InvalidInput
from techmarket.ecosystem.services import conditions
from tests.ecosystem.conftest import figures

KINDS = ["independent", "internal"]
STAFF = {"independent": 10, "internal": 6}


def codes(data):
    return [u.code for u in conditions.unmet(data)]


@pytest.mark.parametrize("kind", KINDS)
def test_at_every_threshold_all_conditions_are_met(kind):
    assert conditions.unmet(figures(kind)) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("delta, met", [(-1, False), (0, True), (1, True)])
def test_full_time_staff_threshold_by_kind(kind, delta, met):
    staff = STAFF[kind] + delta
    found = conditions.unmet(figures(kind, full_time_staff=staff, st_staff=staff))
    assert [u.code for u in found] == ([] if met else ["full-time-staff"])
    if not met:
        assert found[0].message == f"第二十条：专职从业人员须不少于10人（内设机构不少于6人），申报 {staff} 人"
        assert found[0].threshold == STAFF[kind]


def test_the_independent_threshold_applies_to_an_independent_institution_of_seven():
    assert codes(figures("independent", full_time_staff=7, st_staff=7)) == ["full-time-staff"]
    assert codes(figures("internal", full_time_staff=7, st_staff=7)) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("years, met", [("1.9", False), ("2", True), ("2.1", True)])
def test_business_years(kind, years, met):
    found = conditions.unmet(figures(kind, business_years=years))
    assert [u.code for u in found] == ([] if met else ["business-years"])
    if not met:
        assert "第二十条" in found[0].message and "申报 1.9 年" in found[0].message


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cases, met", [(0, False), (1, True), (2, True)])
def test_successful_cases(kind, cases, met):
    assert codes(figures(kind, successful_cases=cases)) == ([] if met else ["successful-cases"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("college, total, met", [(79, 100, False), (80, 100, True), (81, 100, True),
                                                  (3, 4, False), (4, 5, True), (0, 0, False)])
def test_managers_with_college_education(kind, college, total, met):
    found = conditions.unmet(figures(kind, managers_total=total, managers_college=college))
    assert [u.code for u in found] == ([] if met else ["managers-college"])
    if not met:
        assert found[0].message.startswith("第二十条：管理人员中具有大专以上学历的须占80%以上，申报 ")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("share, met", [(59, False), (60, True), (61, True)])
def test_st_staff_share(kind, share, met):
    found = conditions.unmet(figures(kind, full_time_staff=100, st_staff=share))
    assert [u.code for u in found] == ([] if met else ["st-staff"])
    if not met:
        assert found[0].message == "第二十条：科技人员须不低于从业人员总数的60%，申报 59/100 人（59%）"


def test_several_unmet_conditions_are_all_named():
    found = conditions.unmet(figures("internal", business_years=1, full_time_staff=5, st_staff=2))
    assert [u.code for u in found] == ["business-years", "full-time-staff", "st-staff"]
    assert all(u.article == "第二十条" for u in found)


@pytest.mark.parametrize("change, word", [
    ({"kind": "branch"}, "机构类型"), ({"full_time_staff": -1}, "专职从业人员"), ({"st_staff": "十"}, "科技人员"),
    ({"managers_college": 6}, "大专"), ({"st_staff": 11}, "科技人员"), ({"full_time_staff": 10**9}, "专职从业人员"),
    ({"successful_cases": 1.5}, "成功案例"), ({"business_years": None}, "年限"), ({"managers_total": True}, "管理人员"),
])
def test_bad_figures_are_refused_with_their_name(change, word):
    with pytest.raises(InvalidInput) as raised:
        conditions.unmet(figures(**change))
    assert word in raised.value.message


@pytest.mark.parametrize("kind, article", [("filing", "第二十二条"), ("change", "第二十四条")])
@pytest.mark.parametrize("days, late", [(29, 0), (30, 0), (31, 1), (45, 15)])
def test_thirty_day_windows(kind, article, days, late):
    since = datetime.date(2026, 1, 31)
    window = conditions.window(kind, since, since + datetime.timedelta(days=days))
    assert window.article == article
    assert window.due_on == datetime.date(2026, 3, 2)
    assert window.days_late == late
    assert ("逾期" in window.message) == bool(late)


def run(payload, *args) -> tuple[dict, int]:
    out = io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.StringIO(payload if isinstance(payload, str) else json.dumps(payload))
    try:
        call_command("check_institution", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.stdin = stdin
    return json.loads(out.getvalue()), code


def test_cli_eligible_from_stdin():
    answer, code = run(figures("internal"))
    assert code == 0 and answer == {"eligible": True, "unmet": []}


def test_cli_unmet_from_a_file_with_the_filing_window(tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(figures("independent", full_time_staff=9, st_staff=6, founded_on="2026-01-01",
                                       filed_on="2026-02-01")), encoding="utf-8")
    answer, code = run("", str(path))
    assert code == 0 and answer["eligible"] is False
    assert answer["unmet"] == [{
        "article": "第二十条", "condition": "专职从业人员须不少于10人（内设机构不少于6人）", "value": 9,
        "threshold": 10, "unit": "人", "message": "第二十条：专职从业人员须不少于10人（内设机构不少于6人），申报 9 人"}]
    assert answer["filing"]["article"] == "第二十二条"
    assert answer["filing"]["days_late"] == 1 and answer["filing"]["due_on"] == "2026-01-31"


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", json.dumps(figures(kind="x")),
                                     json.dumps(figures(founded_on="2026-13-01"))])
def test_cli_bad_input_gives_an_error_and_status_2(payload):
    answer, code = run(payload)
    assert code == 2 and set(answer) == {"error"}


def test_cli_through_the_techmarket_command():
    result = subprocess.run([sys.executable, "-m", "techmarket", "check_institution", "-"],
                            input=json.dumps(figures("internal", full_time_staff=5, st_staff=5)),
                            capture_output=True, text=True, timeout=60)
    answer = json.loads(result.stdout)
    assert result.returncode == 0 and answer["eligible"] is False
    assert answer["unmet"][0]["message"].endswith("申报 5 人")
