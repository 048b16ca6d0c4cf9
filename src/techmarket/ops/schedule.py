"""The platform's scheduled jobs, declared once (docs/operations.md, "Scheduled jobs").

`techmarket scheduler` runs them: every interval it finds the jobs whose latest slot (a daily time, Asia/Shanghai,
or a fixed interval) has no run yet, records one run per slot (a unique constraint: two schedulers never run a
slot twice), and hands it to the job backend (TECHMARKET_JOBS): with `rq`, a job on the Redis queue that
`techmarket jobs_worker` processes; otherwise the scheduler runs it itself, one after another. No extra server is
needed by default. A slot missed while nothing ran is run once when the scheduler next looks (not once per missed
day). Each run gets a request id (`sched-<job>-<run>`) on its log lines; its output is kept with the run.
"""

from __future__ import annotations

import io
import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from techmarket.common import request_id
from techmarket.ops.models import ScheduledRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    command: tuple[str, ...]  # a `techmarket` command and its arguments; {reports} and {date} are filled in
    description: str
    daily_at: time | None = None  # local time (TIME_ZONE)
    every: timedelta | None = None
    stdout_to: str = ""  # keep the command's output in this file too ({reports}, {date})

    def slot(self, now: datetime) -> datetime:
        """The latest time at or before `now` this job was due."""
        if self.every is not None:
            step = int(self.every.total_seconds())
            return datetime.fromtimestamp(int(now.timestamp()) // step * step, tz=now.tzinfo)
        local = timezone.localtime(now)
        due = local.replace(hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0)
        return due if due <= local else due - timedelta(days=1)


JOBS = [
    Job("expire-listings", ("expire_listings",), "过期需求与成果下架（有效期已过）", daily_at=time(1, 0)),
    Job("apply-sanctions", ("apply_sanctions",), "到期生效的撤销处理决定（技术转移机构、创新平台）",
        daily_at=time(0, 20)),
    Job("backup", ("backup",), "备份数据库、上传文件与密钥（保留最近若干份）", daily_at=time(2, 30)),
    Job("remind-intents", ("remind_intents",), "提醒未答复的定向发布合作意向", daily_at=time(8, 0)),
    Job("deadline-alerts", ("remind_registrations",), "技术合同登记办理期限提醒（5 日内到期或已逾期）",
        daily_at=time(8, 30)),
    Job("annual-report-reminders", ("remind_annual_reports",), "科技成果转化年度报告报送与转报提醒",
        daily_at=time(8, 40)),
    Job("registrations-report", ("export_registrations", "{reports}/registrations-{date}.xlsx"),
        "技术合同登记台账（Excel）", daily_at=time(6, 0)),
    Job("indicators-report", ("indicators", "--json"), "指标监测数据（JSON）", daily_at=time(6, 10),
        stdout_to="{reports}/indicators-{date}.json"),
    Job("search-repair", ("reindex", "--missing", "--quiet"), "检索索引自检修复（缺失或过期的文档）",
        every=timedelta(hours=1)),
]
BY_NAME = {job.name: job for job in JOBS}


def _fill(value: str) -> str:
    reports = settings.DATA_DIR / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    return value.format(reports=reports, date=timezone.localdate().isoformat())


def due(now: datetime | None = None) -> list[tuple[Job, datetime]]:
    now = now or timezone.now()
    slots = [(job, job.slot(now)) for job in JOBS]
    taken = set(ScheduledRun.objects.filter(due_at__in=[slot for _, slot in slots]).values_list("job", "due_at"))
    return [(job, slot) for job, slot in slots if (job.name, slot) not in taken]


def enqueue(job: Job, slot: datetime) -> ScheduledRun | None:
    """Record the slot's run (None if another scheduler did) and hand it to the backend."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, due_at=slot)
            run.request_id = f"sched-{job.name}-{run.pk}"
            run.save(update_fields=["request_id"])
    except IntegrityError:
        return None
    if getattr(settings, "TECHMARKET_JOBS", "inline") == "rq":
        from techmarket.matching.services.jobs import rq_queue

        with request_id.bound(run.request_id):
            rq_queue().enqueue("techmarket.ops.schedule.execute", run.pk, meta=request_id.job_meta(),
                               job_timeout=6 * 3600)
            log.info("queued scheduled job %s for %s", job.name, slot.isoformat())
    else:
        execute(run.pk)
    return run


def execute(run_id: int) -> str:
    """Run a recorded run (once: a run already started elsewhere is left alone); returns its status."""
    started = timezone.now()
    if not ScheduledRun.objects.filter(pk=run_id, status=ScheduledRun.Status.QUEUED).update(
            status=ScheduledRun.Status.RUNNING, started_at=started):
        return "skipped"
    run = ScheduledRun.objects.get(pk=run_id)
    job = BY_NAME.get(run.job)
    output = io.StringIO()
    with request_id.bound(run.request_id or request_id.get() or request_id.new()):
        log.info("scheduled job %s started", run.job)
        try:
            if job is None:
                raise LookupError(f"no scheduled job named {run.job!r}")
            call_command(*[_fill(part) for part in job.command], stdout=output, stderr=output)
            status = ScheduledRun.Status.DONE
            if job.stdout_to:
                with open(_fill(job.stdout_to), "w", encoding="utf-8") as out:
                    out.write(output.getvalue())
        except Exception:  # noqa: BLE001 - a failed job is recorded and logged; the next slot runs again
            status = ScheduledRun.Status.FAILED
            output.write(traceback.format_exc())
            log.exception("scheduled job %s failed", run.job)
        seconds = (timezone.now() - started).total_seconds()
        log.info("scheduled job %s %s in %.1f s", run.job, status, seconds)
    ScheduledRun.objects.filter(pk=run_id).update(status=status, finished_at=timezone.now(),
                                                  output=output.getvalue()[-20000:])
    return status


def run_due(now: datetime | None = None) -> list[ScheduledRun]:
    return [run for job, slot in due(now) if (run := enqueue(job, slot)) is not None]
