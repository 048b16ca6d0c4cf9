"""techmarket docking_import contracts|feed FILE: load an exported file into the docking records
(docs/docking.md), every exported field kept; loading it again changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from techmarket.docking.services import reimport
from techmarket.docking.services.contracts import FileRefused


class Command(BaseCommand):
    help = "Load an exported contracts file or open feed into the docking records (docs/docking.md)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["contracts", "feed"])
        parser.add_argument("file")

    def handle(self, what, file, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            result = (reimport.load_contracts if what == "contracts" else reimport.load_feed)(data)
        except FileRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{file}: {result.created} new, {result.updated} updated, {result.removed} removed")
