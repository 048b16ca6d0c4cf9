"""`techmarket import FILE`: import a compilation (.txt layout, .xlsx or .docx) into the catalogue."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from techmarket.catalogue.importers.loader import ImportRejected, import_file
from techmarket.catalogue.importers.rows import ImportFormatError


class Command(BaseCommand):
    help = "Import listings from a compilation file; without FILE, the seed compilation shipped in data/seed/."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="a .txt (compilation layout), .xlsx or .docx file")
        parser.add_argument("--collection", default="", help="reference prefix for a compilation other than the seed")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--quiet", action="store_true", help="no progress output")

    def handle(self, *args, **options):
        path = Path(options["file"]) if options["file"] else Path(settings.TECHMARKET_SEED_FILE)
        show_progress = not options["quiet"] and not options["json"]

        def progress(done: int, total: int) -> None:
            if show_progress and (done % 25 == 0 or done == total):
                sys.stderr.write(f"\r  {done}/{total} rows")
                if done == total:
                    sys.stderr.write("\n")

        try:
            report = import_file(path, collection=options["collection"], progress=progress)
        except ImportFormatError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{path.name}: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report.as_text())
