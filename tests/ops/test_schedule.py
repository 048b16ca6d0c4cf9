"""Scheduled jobs: declared once, each slot run once (two schedulers never run it twice), inline without extra
servers by default; the scheduler command runs what is due."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from techmarket.ops import schedule
from techmarket.ops.models import ScheduledRun

pytestmark = pytest.mark.django_db


def test_every_job_names_an_existing_command():
    from django.core.management import get_commands

    commands = get_commands()
    assert {job.command[0] for job in schedule.JOBS} <= set(commands)
    names = {job.name for job in schedule.JOBS}
    assert {"expire-listings", "remind-intents", "deadline-alerts", "registrations-report", "backup"} <= names


def test_slots():
    job = schedule.Job("x", ("expire_listings",), "", daily_at=datetime.time(1, 0))
    tz = timezone.get_current_timezone()
    assert job.slot(datetime.datetime(2026, 3, 2, 0, 30, tzinfo=tz)) == datetime.datetime(2026, 3, 1, 1, 0, tzinfo=tz)
    assert job.slot(datetime.datetime(2026, 3, 2, 1, 0, tzinfo=tz)) == datetime.datetime(2026, 3, 2, 1, 0, tzinfo=tz)
    hourly = schedule.Job("y", ("reindex",), "", every=datetime.timedelta(hours=1))
    assert hourly.slot(datetime.datetime(2026, 3, 2, 5, 59, tzinfo=datetime.UTC)).hour == 5


def test_the_scheduler_runs_due_jobs_once(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TECHMARKET_JOBS = "inline"
    monkeypatch.setattr(schedule, "JOBS", [job for job in schedule.JOBS if job.name != "backup"])
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    runs = {run.job: run for run in ScheduledRun.objects.all()}
    assert set(runs) == {job.name for job in schedule.JOBS}
    assert {run.status for run in runs.values()} == {"done"}, {r.job: r.output[-500:] for r in runs.values()}
    assert "listing(s) expired" in runs["expire-listings"].output
    assert list((tmp_path / "reports").glob("registrations-*.xlsx"))
    assert list((tmp_path / "reports").glob("indicators-*.json"))
    call_command("scheduler", "--once", stdout=io.StringIO())  # nothing new is due
    assert ScheduledRun.objects.count() == len(runs)
    # A second scheduler that saw the same slot due records nothing.
    job = schedule.JOBS[0]
    assert schedule.enqueue(job, job.slot(timezone.now())) is None
