"""`techmarket remind_tasks [--date 2026-07-20]`: tell the users of every task unit whose quarterly progress
report is overdue, through the notification centre; run daily, it sends each reminder once (docs/plantasks.md)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from techmarket.plantasks.services import progress


class Command(BaseCommand):
    help = "Send reminders for overdue progress reports on the 2025 plan's tasks (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to check as (YYYY-MM-DD; default today)")

    def handle(self, *args, date=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"not a date (YYYY-MM-DD): {date}") from None
        done = progress.remind(today)
        self.stdout.write(f"{done.notified} reminder(s) sent; {done.without_users} overdue report(s) of units "
                          "with no one assigned")
