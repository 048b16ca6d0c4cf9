"""`techmarket scheduler [--once] [--list] [--interval S]`: run the scheduled jobs of ops/schedule.py when due
(docs/operations.md, "Scheduled jobs"). With TECHMARKET_JOBS=rq the jobs go to the Redis queue; otherwise they run
in this process."""

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone

from techmarket.ops import schedule


class Command(BaseCommand):
    help = "Run the platform's scheduled jobs when due (expire, reminders, deadline alerts, reports, backups)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due now and exit")
        parser.add_argument("--list", action="store_true", help="list the jobs and their latest slots")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between looks (default 30)")

    def handle(self, *args, **options):
        if options["list"]:
            now = timezone.now()
            for job in schedule.JOBS:
                when = f"daily {job.daily_at:%H:%M}" if job.daily_at else f"every {job.every}"
                self.stdout.write(f"{job.name:22} {when:16} {' '.join(job.command):50} latest slot "
                                  f"{timezone.localtime(job.slot(now)):%Y-%m-%d %H:%M}")
            return
        stop = threading.Event()
        if not options["once"]:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            self.stdout.write(f"Scheduler: {len(schedule.JOBS)} jobs, looking every {options['interval']} s.")
            self.stdout.flush()
        while True:
            for run in schedule.run_due():
                run.refresh_from_db()
                self.stdout.write(f"{run.job} ({timezone.localtime(run.due_at):%Y-%m-%d %H:%M}): {run.status}")
                self.stdout.flush()
            if not connection.in_atomic_block:  # a long-running scheduler drops stale connections between looks
                close_old_connections()
            if options["once"] or stop.wait(options["interval"]):
                return
