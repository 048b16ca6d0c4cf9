"""`techmarket experts_export --format csv|xlsx [--output FILE] [--all] [--contacts]`: the expert pool as a table
(verified experts; `--all` adds pending and rejected ones; `--contacts` adds phones and e-mails)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from techmarket.experts.models import Expert
from techmarket.experts.services import exports


class Command(BaseCommand):
    help = "Export the expert pool to CSV or Excel."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", "-o", metavar="FILE", help="file to write (default: standard output for CSV)")
        parser.add_argument("--all", action="store_true", help="include experts not (yet) verified")
        parser.add_argument("--contacts", action="store_true", help="include phones and e-mails (personal data)")

    def handle(self, *args, **options):
        qs = Expert.objects.select_related("organisation", "region").prefetch_related("fields__parent")
        if not options["all"]:
            qs = qs.filter(status=Expert.Status.VERIFIED)
        table = exports.rows(qs.order_by("pk"), contacts=options["contacts"])
        data = exports.as_xlsx(table) if options["format"] == "xlsx" else exports.as_csv(table)
        out = options["output"]
        if not out:
            if options["format"] == "xlsx":
                raise CommandError("an Excel workbook needs --output FILE")
            self.stdout.write(data.decode("utf-8-sig"), ending="")
            return
        try:
            Path(out).write_bytes(data)
        except OSError as error:
            raise CommandError(f"cannot write {out}: {error.strerror}") from None
        self.stderr.write(f"已导出 {len(table) - 1} 位专家到 {out}。")
