"""`techmarket reindex [--missing]`: rebuild every search document from the database (or only the missing and
stale ones) and embed them."""

import sys

from django.core.management.base import BaseCommand

from techmarket.matching.services.documents import rebuild_all, repair_stale
from techmarket.matching.services.jobs import embed_pending


class Command(BaseCommand):
    help = "Rebuild the search index from the database (keyword terms at once, then embeddings)."

    def add_arguments(self, parser):
        parser.add_argument("--no-embed", action="store_true", help="leave embeddings to the background worker")
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument("--missing", action="store_true",
                            help="only listings whose document is missing or stale (a repair sweep; safe to run often)")

    def handle(self, *args, **options):
        if options["missing"]:
            repaired, pending = repair_stale()
            self.stdout.write(f"Repaired {repaired} document(s); {len(pending)} need embeddings.")
        else:
            pending = rebuild_all()
            self.stdout.write(f"Indexed {len(pending) if pending else 0} document(s) needing embeddings.")
        if options["no_embed"]:
            return

        def progress(done):
            if not options["quiet"]:
                sys.stderr.write(f"\r  embedded {done}/{len(pending)}")

        done = embed_pending(progress=progress)
        if not options["quiet"]:
            sys.stderr.write("\n")
        self.stdout.write(f"Embedded {done} document(s).")
