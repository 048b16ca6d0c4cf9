"""`techmarket apply_sanctions [--on YYYY-MM-DD]`: revocations of transfer institutions and innovation platforms
decided ahead take effect once their day has come (run daily by the scheduler; docs/ecosystem.md)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from techmarket.ecosystem.services.complaints import apply_due_revocations


class Command(BaseCommand):
    help = "Apply the revocations (institutions, platforms) whose starting day has come."

    def add_arguments(self, parser):
        parser.add_argument("--on", metavar="YYYY-MM-DD", help="the day to apply them as of (default: today)")

    def handle(self, *args, **options):
        on = None
        if options["on"]:
            try:
                on = datetime.date.fromisoformat(options["on"])
            except ValueError as error:
                raise CommandError(f"--on must be a date like 2026-12-01, not {options['on']!r}") from error
        applied = apply_due_revocations(on)
        for item in applied:
            self.stdout.write(f"applied sanction {item.pk}: revocation from {item.starts_on.isoformat()}")
        self.stdout.write(f"{len(applied)} revocation(s) applied.")
