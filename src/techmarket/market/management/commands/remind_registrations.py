"""`techmarket remind_registrations [--days N]`: remind registry staff of pending technology contract registrations
due within N days (default 5) or overdue; at most once per registration per day (run daily)."""

from django.core.management.base import BaseCommand, CommandError

from techmarket.market.services.reminders import DEFAULT_DAYS, remind_registrations


class Command(BaseCommand):
    help = "Remind registry staff of registrations due within N days or overdue (inbox and e-mail), once a day."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                            help=f"Remind of decisions due within this many days (default {DEFAULT_DAYS}).")

    def handle(self, *args, days: int, **options):
        if days < 0:
            raise CommandError("--days must not be negative.")
        reminded = remind_registrations(days=days)
        mails = 0
        for item in reminded:
            mails += len(item.emails)
            r = item.registration
            state = f"overdue by {-item.days_left} day(s)" if item.days_left < 0 else f"due in {item.days_left} day(s)"
            self.stdout.write(f"reminded {len(item.staff)} staff of {r.registry.code} about registration #{r.pk} "
                              f"({state}, due {r.due_on:%Y-%m-%d}, {len(item.emails)} e-mail(s))")
        self.stdout.write(f"{len(reminded)} registration(s) reminded, {mails} e-mail(s) sent.")
