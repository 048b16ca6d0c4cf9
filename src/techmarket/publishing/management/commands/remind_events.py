"""`techmarket remind_events [--days 1]`: remind approved attendees of events starting within N days, through the
notification centre, once per event (daily, like remind_intents)."""

from django.core.management.base import BaseCommand

from techmarket.publishing.services.events import remind


class Command(BaseCommand):
    help = "Remind approved attendees of events starting within --days days (once per event)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=1, help="how far ahead (1 to 30 days; default 1)")

    def handle(self, *args, days: int, **options):
        if not 1 <= days <= 30:
            self.stderr.write("--days must be between 1 and 30")
            raise SystemExit(2)
        sent = remind(days=days)
        self.stdout.write(f"{sent} reminder(s) sent")
