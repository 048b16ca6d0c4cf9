"""`techmarket remind_annual_reports [--date YYYY-MM-DD]`: remind reporting units of the annual conversion report
due on 30 March (30, 7 and 1 days before, and the day after when still missing) and supervisors of reports
awaiting their review before 30 April, through the notification centre, once per day and unit (daily)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from techmarket.achievements.services.reports import send_reminders


class Command(BaseCommand):
    help = "Remind units and supervisors of the annual conversion reports (deadlines in data/achievements)."

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="the day to act as (default: today)")

    def handle(self, *args, date: str, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        self.stdout.write(f"{send_reminders(day)} reminder(s) sent")
