"""`techmarket backup [--dir DIR] [--keep N] [--list]`: back up the database, the uploaded files and the key file
into a new checksummed folder, keeping the newest N (docs/operations.md, "Backups")."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from techmarket.ops import backup


class Command(BaseCommand):
    help = "Back up the database, uploaded files and secret key (with a sha256 manifest); keep the newest N."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default="", help="backup directory (default TECHMARKET_BACKUP_DIR)")
        parser.add_argument("--keep", type=int, default=None,
                            help="complete backups to keep (default TECHMARKET_BACKUP_KEEP)")
        parser.add_argument("--list", action="store_true", help="list the complete backups, oldest first")

    def handle(self, *args, **options):
        directory = Path(options["dir"]) if options["dir"] else Path(settings.TECHMARKET_BACKUP_DIR)
        if options["list"]:
            for path in backup.backups(directory):
                self.stdout.write(str(path))
            return
        try:
            path = backup.backup(directory, options["keep"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = backup.verify(path)
        self.stdout.write(f"Backed up {manifest['rows']} rows in {len(manifest['tables'])} tables and "
                          f"{manifest['media_files']} file(s) to {path} (secret key: {manifest['secret_key']}).")
