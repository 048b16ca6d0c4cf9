"""`techmarket restore PATH [--verify-only]`: check a backup's checksums, restore the database, the uploaded files
and the key file, compare every table's row count with the manifest and rebuild the search indexes. Stop the web,
worker and scheduler processes first and start them after (docs/operations.md, "Restoring")."""

from django.core.management.base import BaseCommand, CommandError

from techmarket.ops import backup


class Command(BaseCommand):
    help = "Restore a backup made by `techmarket backup` (verifies checksums and row counts; rebuilds the indexes)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup's folder")
        parser.add_argument("--verify-only", action="store_true", help="only check the checksums")

    def handle(self, *args, path: str, **options):
        try:
            if options["verify_only"]:
                manifest = backup.verify(path)
                self.stdout.write(f"{path}: every checksum matches ({manifest['rows']} rows, "
                                  f"{manifest['media_files']} file(s)).")
                return
            report = backup.restore(path)
        except (backup.BackupError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {report.rows} rows in {report.tables} tables (counts verified) and "
                          f"{report.files} file(s) from {report.path}; search index rebuilt "
                          f"({report.search_documents} public documents). Restart the site's processes.")
        for note in report.notes:
            self.stdout.write(f"note: {note}")
