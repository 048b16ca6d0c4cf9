"""data/plantasks/tasks-2025.yaml: the plan's 19 tasks as the seed gives them, synced idempotently, and the
quarterly reporting cycle decided in docs/plantasks.md."""

import datetime
from pathlib import Path

import pytest

from techmarket.common.datafiles import DataFileError, load
from techmarket.indicators.services.periods import parse
from techmarket.plantasks.models import PlanTask, TaskUnit
from techmarket.plantasks.services import definitions

SEED = Path("/work/shared/seeds/002_30e21cf5df1fad33.txt")


def test_the_file_has_the_19_tasks_with_their_units():
    data = definitions.read()
    assert [task.number for task in data.tasks] == list(range(1, 20))
    assert data.plan.number == "青政〔2025〕13号" and data.plan.ends == datetime.date(2027, 12, 31)
    by_number = {task.number: task for task in data.tasks}
    assert by_number[14].lead == ["省委金融办", "人行青海省分行"]
    assert by_number[10].lead == ["省教育厅"] and by_number[10].cooperating == ["省科技厅", "省属各高校"]
    assert by_number[16].lead == ["省科技厅", "省发展改革委"]
    assert all("牽頭單位" in task.quote for task in data.tasks)


@pytest.mark.skipif(not SEED.exists(), reason="the seed plan is not on this machine")
def test_every_quote_is_the_seeds_text():
    seed = SEED.read_text(encoding="utf-8")
    for task in definitions.read().tasks:
        assert f"{task.number}. {task.quote}" in seed, task.number


def test_a_unit_named_twice_is_refused():
    raw = definitions.read().model_dump(mode="json")
    raw["tasks"][0]["cooperating"].append("省科技厅")
    with pytest.raises(DataFileError, match="named twice"):
        load(definitions.TaskFile, raw, "tasks-2025.yaml")


def test_sync_is_idempotent(db):
    counts = PlanTask.objects.count(), TaskUnit.objects.count()
    assert counts[0] == 19
    definitions.sync_tasks()
    definitions.sync_tasks()
    assert (PlanTask.objects.count(), TaskUnit.objects.count()) == counts
    assert TaskUnit.objects.filter(role=TaskUnit.Role.LEAD).count() == 22  # tasks 14, 15 and 16 have two


def test_the_cycle_is_quarterly_from_the_plans_issue_to_its_end():
    periods = definitions.periods()
    assert [p.key for p in periods][:3] == ["2025Q2", "2025Q3", "2025Q4"] and periods[-1].key == "2027Q4"
    assert len(periods) == 11
    assert definitions.due_date(parse("2026Q2")) == datetime.date(2026, 7, 15)
    assert [p.key for p in definitions.periods_due(datetime.date(2025, 7, 16))] == ["2025Q2"]
    assert definitions.periods_due(datetime.date(2025, 7, 15)) == []
