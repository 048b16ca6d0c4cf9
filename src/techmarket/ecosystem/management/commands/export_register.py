"""`techmarket export_register institutions|brokers|registries [--format csv|xlsx] [--out FILE]`: the public
register as a file (standard output for CSV when no --out is given). Identity numbers and personal contacts are
never exported."""

from django.core.management.base import BaseCommand

from techmarket.common.tables import write_export
from techmarket.ecosystem.services.exports import TABLES, as_csv, as_xlsx


class Command(BaseCommand):
    help = "Export the register of transfer institutions, brokers or contract registries (CSV or Excel)."

    def add_arguments(self, parser):
        parser.add_argument("register", choices=list(TABLES))
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", metavar="FILE")

    def handle(self, *args, **options):
        data = as_csv(options["register"]) if options["format"] == "csv" else as_xlsx(options["register"])
        write_export(self, data, options["format"], options["out"], f"已导出到 {options['out']}。")
