"""成果汇交 and annual reports: submitted by the unit to its supervisor, forwarded or returned, overdue after
30 March for the unit and its supervisor, reminders before the deadline, per-year totals."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from techmarket.achievements.errors import AchievementDuplicate, AchievementPermissionError
from techmarket.achievements.models import AnnualReport
from techmarket.achievements.services import reports
from techmarket.common.models import Notification
from tests.achievements import world as w

pytestmark = pytest.mark.django_db


def _input(world, year, **values):
    data = {"year": year, "contracts_count": 3, "contracts_amount": Decimal("500"), "income": Decimal("320"),
            "rewards": Decimal("160"), "summary": "转化合同 3 项。", "achievement_ids": []}
    data.update(values)
    return reports.ReportInput(**data)


def _today(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


def test_overdue_report_shown_to_unit_and_supervisor(client, monkeypatch):
    world = w.build()
    reports.set_supervisor(world.owner, world.university, world.supervisor)
    year = w.TODAY.year - 1
    _today(monkeypatch, datetime.date(w.TODAY.year, 3, 30))
    assert not reports.own_state(world.university.pk).overdue(datetime.date(w.TODAY.year, 3, 30))
    client.force_login(world.owner)
    assert 'id="own-overdue"' not in client.get("/achievements/reports/").content.decode()
    _today(monkeypatch, datetime.date(w.TODAY.year, 3, 31))
    assert [s.unit.organisation for s in reports.overdue()] == [world.university]
    page = client.get("/achievements/reports/").content.decode()
    assert 'id="own-overdue"' in page and f"{year} 年度报告已逾期未报送" in page
    client.force_login(world.supervisor_member)
    page = client.get("/achievements/reports/").content.decode()
    assert world.university.name in page and "逾期未报送" in page
    client.force_login(world.department)
    assert world.university.name in client.get("/achievements/reports/").content.decode()


def test_submit_forward_and_totals(monkeypatch):
    world = w.build()
    reports.set_supervisor(world.owner, world.university, world.supervisor)
    year = w.TODAY.year - 1
    achievement = w.achievement(world)
    report = reports.submit(world.owner, _input(world, year, achievement_ids=[achievement.pk]))
    assert report.status == AnnualReport.Status.SUBMITTED and list(report.achievements.all()) == [achievement]
    assert Notification.objects.filter(recipient=world.supervisor_member, topic="achievements.report").exists()
    with pytest.raises(AchievementDuplicate):
        reports.submit(world.owner, _input(world, year))
    with pytest.raises(AchievementPermissionError):
        reports.review(world.owner, report, forward=True)
    reports.review(world.supervisor_member, report, forward=False, note="请补充奖励明细。")
    report = reports.submit(world.owner, _input(world, year, rewards=Decimal("170")))
    reports.review(world.supervisor_member, report, forward=True)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.FORWARDED and AnnualReport.objects.count() == 1
    totals = reports.year_totals(year)
    assert totals["units"] == 1 and totals["contracts"] == 3 and totals["rewards"] == Decimal("170.00")
    assert not reports.own_state(world.university.pk, datetime.date(w.TODAY.year, 4, 2)).overdue(
        datetime.date(w.TODAY.year, 4, 2))


def test_reminders_before_the_deadline_once_a_day():
    world = w.build()
    reports.set_supervisor(world.owner, world.university, world.supervisor)
    day = datetime.date(w.TODAY.year, 3, 23)  # 7 days before 30 March
    assert reports.send_reminders(day) == 1
    assert reports.send_reminders(day) == 0
    note = Notification.objects.get(recipient=world.owner, topic="achievements.report")
    assert "7 天后截止" in note.title
    assert reports.send_reminders(datetime.date(w.TODAY.year, 3, 24)) == 0


def test_reminder_command(capsys):
    from django.core.management import call_command

    world = w.build()
    reports.set_supervisor(world.owner, world.university, world.supervisor)
    day = datetime.date(w.TODAY.year, 3, 30) - datetime.timedelta(days=30)
    call_command("remind_annual_reports", "--date", day.isoformat())
    assert "1 reminder(s) sent" in capsys.readouterr().out
