"""data/plantasks/tasks-2025.yaml: the plan's 19 tasks as the seed gives them, synced idempotently, and the
quarterly reporting cycle decided in docs/plantasks.md."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from techmarket.common.datafiles import DataFileError, load
from techmarket.indicators.services.periods import parse
from techmarket.plantasks.models import PlanTask, TaskUnit
from techmarket.plantasks.services import definitions, progress

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
    assert PlanTask.objects.filter(plan_code="action-2025").count() == 19
    assert PlanTask.objects.filter(plan_code="action-2016").count() == 17
    definitions.sync_tasks()
    definitions.sync_tasks()
    assert (PlanTask.objects.count(), TaskUnit.objects.count()) == counts
    leads = TaskUnit.objects.filter(role=TaskUnit.Role.LEAD, task__plan_code="action-2025")
    assert leads.count() == 22  # tasks 14, 15 and 16 have two


# -- the 2016 action plan's annex ------------------------------------------------------------------------------

ANNEX_SEED = Path("/work/shared/seeds/000_1f4d2bd00740fea0.txt")
ANNEX = Path(settings.TECHMARKET_DATA_FILES) / "plantasks" / "tasks-2016.yaml"


def test_the_annex_has_its_tasks_with_units_and_deadlines():
    data = definitions.read(ANNEX)
    assert data.plan.code == "action-2016" and data.plan.number == "青政办〔2016〕218号"
    assert data.reporting is None and data.plan.ends == datetime.date(2021, 12, 31)
    assert [task.number for task in data.tasks] == [*range(1, 17), 18]  # the annex skips 17
    by_number = {task.number: task for task in data.tasks}
    assert by_number[1].lead == ["省科技厅"] and by_number[1].cooperating == ["省有关部门"]  # 省科技厅会同省有关部门
    assert by_number[13].lead == ["省人才办", "省科技厅"]
    assert by_number[3].deadline == datetime.date(2017, 6, 30) and by_number[3].schedule == "2017年6月底前完成"
    assert by_number[2].deadline == datetime.date(2017, 12, 31)
    assert by_number[9].deadline is None and by_number[9].schedule == "持续推进"
    assert len(by_number[16].lead) == 6


@pytest.mark.skipif(not ANNEX_SEED.exists(), reason="the seed compilation is not on this machine")
def test_every_annex_row_is_the_seeds_text():
    seed = ANNEX_SEED.read_text(encoding="utf-8")
    for task in definitions.read(ANNEX).tasks:
        units = "、".join(task.lead)
        if task.cooperating:
            units += "会同" + "、".join(task.cooperating)
        assert f"\t{task.number}\n\t{task.quote}\n\t{units}\n\t{task.schedule}\n" in seed, task.number


def test_the_annex_is_synced_with_its_deadlines_and_is_not_dispatched(db):
    task = PlanTask.objects.get(plan_code="action-2016", number=3)
    assert task.deadline == datetime.date(2017, 6, 30) and task.schedule == "2017年6月底前完成"
    assert [u.name for u in task.units.all()] == ["省委组织部", "省教育厅", "省科技厅", "省财政厅"]
    statuses = progress.statuses(parse("2026Q2"), datetime.date(2026, 7, 20))
    assert {s.unit.task.plan_code for s in statuses} == {"action-2025"}  # the annex is not reported on quarterly
    [annex] = progress.other_plans(datetime.date(2026, 7, 20))
    states = {item.task.number: item.state_label for item in annex.tasks}
    assert states[3] == "已到期" and states[9] == "持续推进" and len(states) == 17


def test_the_cycle_is_quarterly_from_the_plans_issue_to_its_end():
    periods = definitions.periods()
    assert [p.key for p in periods][:3] == ["2025Q2", "2025Q3", "2025Q4"] and periods[-1].key == "2027Q4"
    assert len(periods) == 11
    assert definitions.due_date(parse("2026Q2")) == datetime.date(2026, 7, 15)
    assert [p.key for p in definitions.periods_due(datetime.date(2025, 7, 16))] == ["2025Q2"]
    assert definitions.periods_due(datetime.date(2025, 7, 15)) == []
