"""`techmarket experts_export --format csv|xlsx [--output FILE] [--all] [--contacts]`: the expert pool as a table
(verified experts; `--all` adds pending and rejected ones; `--contacts` adds phones and e-mails)."""

from django.core.management.base import BaseCommand

from techmarket.common.tables import write_export
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
        write_export(self, data, options["format"], options["output"],
                     f"已导出 {len(table) - 1} 位专家到 {options['output']}。")
