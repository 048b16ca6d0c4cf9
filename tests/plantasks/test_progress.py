"""Reviewers assign who reports for a unit; a unit's user reports a quarter with evidence, once; overdue
reports are flagged and their users reminded through the notification centre, once per unit and quarter."""

from io import StringIO

import pytest
from django.core.management import call_command

from techmarket.common.audit import history_for
from techmarket.common.errors import Conflict, NotAllowed
from techmarket.common.models import Notification
from techmarket.common.uploads import UploadError
from techmarket.indicators.services.periods import parse
from techmarket.plantasks.models import ProgressReport, UnitMember
from techmarket.plantasks.services import progress
from tests.plantasks.conftest import AFTER_Q2, pdf_upload

Q2 = parse("2026Q2")


def test_a_reviewer_assigns_a_user_once_and_the_log_says_so(reviewer, member, unit):
    lead = unit(6, "省科技厅")
    first = progress.assign(reviewer, lead, member.username)
    assert progress.assign(reviewer, lead, member.username) == first
    assert UnitMember.objects.filter(unit=lead).count() == 1
    assert [(e.action, e.actor) for e in history_for(lead)] == [("assign", reviewer)]
    progress.unassign(reviewer, lead, member.pk)
    assert not UnitMember.objects.filter(unit=lead).exists()
    assert [e.action for e in history_for(lead)] == ["assign", "unassign"]


def test_only_reviewers_assign(member, outsider, unit):
    with pytest.raises(NotAllowed):
        progress.assign(member, unit(6, "省科技厅"), outsider.username)


def test_a_unit_user_reports_a_quarter_once(unit_user, unit):
    user = unit_user(6, "省科技厅", "lead-user1")
    lead = unit(6, "省科技厅")
    report = progress.submit(user, lead, Q2, "上线技术交易平台", pdf_upload("evidence"), AFTER_Q2)
    again = progress.submit(user, lead, Q2, "上线技术交易平台", pdf_upload("evidence"), AFTER_Q2)
    assert again == report and ProgressReport.objects.filter(unit=lead).count() == 1
    with pytest.raises(Conflict):
        progress.submit(user, lead, Q2, "另一份进展", pdf_upload("evidence"), AFTER_Q2)
    assert [(e.action, e.to_value) for e in history_for(report)] == [("submit", "2026年第2季度")]
    assert report.evidence.read().startswith(b"%PDF")


def test_reports_are_refused_to_others_for_future_quarters_and_without_evidence(unit_user, outsider, unit):
    user = unit_user(6, "省科技厅", "lead-user1")
    with pytest.raises(NotAllowed):
        progress.submit(outsider, unit(6, "省科技厅"), Q2, "进展", pdf_upload(), AFTER_Q2)
    with pytest.raises(NotAllowed):
        progress.submit(user, unit(7, "省科技厅"), Q2, "进展", pdf_upload(), AFTER_Q2)
    with pytest.raises(progress.TaskError):
        progress.submit(user, unit(6, "省科技厅"), parse("2026Q4"), "进展", pdf_upload(), AFTER_Q2)
    with pytest.raises(progress.TaskError):
        progress.submit(user, unit(6, "省科技厅"), parse("2024Q4"), "进展", pdf_upload(), AFTER_Q2)
    with pytest.raises(UploadError):
        progress.submit(user, unit(6, "省科技厅"), Q2, "进展", None, AFTER_Q2)
    assert not ProgressReport.objects.exists()


def test_a_lead_units_missing_report_is_overdue_a_cooperating_units_is_not(unit_user, unit):
    user = unit_user(6, "省科技厅", "lead-user1")
    statuses = {(s.unit.task.number, s.unit.name): s for s in progress.statuses(Q2, AFTER_Q2)}
    assert statuses[(6, "省科技厅")].state_label == "逾期未报"
    assert statuses[(6, "省数据局")].state == "optional"
    progress.submit(user, unit(6, "省科技厅"), Q2, "进展", pdf_upload(), AFTER_Q2)
    overdue = {(s.period.key, s.unit.task.number, s.unit.name) for s in progress.overdue(AFTER_Q2)}
    assert ("2026Q2", 6, "省科技厅") not in overdue and ("2026Q2", 7, "省科技厅") in overdue
    assert ("2026Q3", 7, "省科技厅") not in overdue  # not due yet
    assert all(s.unit.is_lead for s in progress.overdue(AFTER_Q2))


def test_remind_tasks_tells_the_units_users_once(unit_user, unit):
    user = unit_user(14, "省委金融办", "finance-user1")
    out = StringIO()
    call_command("remind_tasks", "--date", AFTER_Q2.isoformat(), stdout=out)
    mine = Notification.objects.filter(recipient=user, topic="plantasks.overdue")
    # every due quarter from 2025Q2 to 2026Q2 is missing: five reminders, each linking to the report form
    assert mine.count() == 5 and "reminder(s) sent" in out.getvalue()
    assert all(n.link.startswith(f"/plantasks/units/{unit(14, '省委金融办').pk}/report/") for n in mine)
    call_command("remind_tasks", "--date", AFTER_Q2.isoformat(), stdout=StringIO())
    assert mine.count() == 5
    assert [e.action for e in history_for(unit(14, "省委金融办"))] == ["assign"] + ["remind"] * 5
