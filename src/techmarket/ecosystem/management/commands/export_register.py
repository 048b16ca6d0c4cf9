"""`techmarket export_register institutions|brokers [--format csv|xlsx] [--out FILE]`: the public register as a
file (standard output for CSV when no --out is given). Identity numbers and personal contacts are never exported."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from techmarket.ecosystem.services.exports import as_csv, as_xlsx


class Command(BaseCommand):
    help = "Export the register of transfer institutions or of brokers (CSV or Excel)."

    def add_arguments(self, parser):
        parser.add_argument("register", choices=["institutions", "brokers"])
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", metavar="FILE")

    def handle(self, *args, **options):
        data = as_csv(options["register"]) if options["format"] == "csv" else as_xlsx(options["register"])
        out = options["out"]
        if not out:
            if options["format"] == "xlsx":
                raise CommandError("an Excel workbook needs --out FILE.xlsx")
            sys.stdout.buffer.write(data)
            return
        try:
            Path(out).write_bytes(data)
        except OSError as error:
            raise CommandError(f"cannot write {out}: {error.strerror}") from None
        self.stdout.write(f"已导出到 {out}。")
