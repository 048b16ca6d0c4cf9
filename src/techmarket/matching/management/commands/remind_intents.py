"""`techmarket remind_intents [--days N]`: remind recipient organisations of targeted publishing
(定向发布) intents still unanswered N days after sending or after their last reminder (run daily)."""

from django.core.management.base import BaseCommand, CommandError

from techmarket.matching.services.intents import DEFAULT_REMINDER_DAYS, remind_unanswered


class Command(BaseCommand):
    help = "Remind organisations of cooperation intents still unanswered after N days, by e-mail."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DEFAULT_REMINDER_DAYS,
                            help=f"Days without an answer since sending or the last reminder "
                                 f"(default {DEFAULT_REMINDER_DAYS}).")

    def handle(self, *args, days: int, **options):
        if days < 0:
            raise CommandError("--days must not be negative.")
        reminded = remind_unanswered(days=days)
        mails = 0
        for intent in reminded:
            mailed = getattr(intent, "mailed_to", [])
            mails += len(mailed)
            self.stdout.write(
                f"reminded {intent.organisation.name} about {intent.listing.reference} "
                f"(reminder {intent.reminder_count}, sent {intent.sent_at:%Y-%m-%d}, "
                f"{len(mailed)} e-mail(s))"
            )
        self.stdout.write(f"{len(reminded)} intent(s) reminded, {mails} e-mail(s) sent.")
