"""`techmarket audit_export [--since DATE] [--until DATE] [--format csv|xlsx] [--out FILE]`: the audit log (操作记录)
as a table for the department (CSV to standard output by default)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from techmarket.common.tables import write_export
from techmarket.ops.audit_export import entries, export


def _date(value: str):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Export the audit log (操作记录) as CSV or Excel, optionally between two dates."

    def add_arguments(self, parser):
        parser.add_argument("--since", default="", help="first day (YYYY-MM-DD)")
        parser.add_argument("--until", default="", help="last day (YYYY-MM-DD)")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", default="", help="file to write (default: CSV on standard output)")

    def handle(self, *args, **options):
        since, until = _date(options["since"]), _date(options["until"])
        data = export(options["format"], since, until)
        write_export(self, data, options["format"], options["out"],
                     f"Exported {entries(since, until).count()} audit entries to {options['out']}.")
