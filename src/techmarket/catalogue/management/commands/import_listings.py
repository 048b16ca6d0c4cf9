"""`techmarket import FILE`: import a compilation (.txt layout, .xlsx or .docx) into the catalogue."""

import json
import sys
from pathlib import Path

import yaml
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
        parser.add_argument("--mapping", metavar="FILE",
                            help="a YAML or JSON file {header word: column}, for header words not in "
                                 "data/imports/headers.yaml (column: title, description, organisations, modes, "
                                 "contacts, number, budget, location, field, or ignore)")
        parser.add_argument("--duplicates", action="store_true",
                            help="warn about rows that look like a listing of another source (same unit, "
                                 "near-identical title and text); the staff page asks about each")
        parser.add_argument("--dry-run", action="store_true",
                            help="read, check and plan only: print the report of what the import would do")

    def handle(self, *args, **options):
        path = Path(options["file"]) if options["file"] else Path(settings.TECHMARKET_SEED_FILE)
        show_progress = not options["quiet"] and not options["json"]

        def progress(done: int, total: int) -> None:
            if show_progress and (done % 25 == 0 or done == total):
                sys.stderr.write(f"\r  {done}/{total} rows")
                if done == total:
                    sys.stderr.write("\n")

        mapping = _read_mapping(options["mapping"]) if options["mapping"] else None
        try:
            report = import_file(path, collection=options["collection"], progress=progress, mapping=mapping,
                                 dry_run=options["dry_run"], warn_duplicates=options["duplicates"])
        except ImportFormatError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{path.name}: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        elif options["dry_run"]:
            text = report.as_text().replace("Imported ", "Would import ", 1)
            self.stdout.write(f"Dry run: nothing was written.\n{text}")
        else:
            self.stdout.write(report.as_text())


def _read_mapping(name: str) -> dict:
    try:
        data = yaml.safe_load(Path(name).read_text(encoding="utf-8"))  # JSON is YAML too
    except OSError as exc:
        raise CommandError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise CommandError(f"{name}: not YAML or JSON: {str(exc)[:200]}") from None
    if not isinstance(data, dict):
        raise CommandError(f"{name}: expected a mapping {{header word: column}}")
    return {str(k): str(v) for k, v in data.items()}
