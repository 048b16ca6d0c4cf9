"""`techmarket embed [--watch]`: embed pending search documents; with --watch, keep doing so (a worker)."""

import time

from django.core.management.base import BaseCommand

from techmarket.matching.services.jobs import embed_pending


class Command(BaseCommand):
    help = "Compute embeddings of pending search documents. With --watch, run as a worker (any number, any node)."

    def add_arguments(self, parser):
        parser.add_argument("--watch", action="store_true", help="keep polling for pending documents")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls with --watch")

    def handle(self, *args, **options):
        while True:
            done = embed_pending()
            if done or not options["watch"]:
                self.stdout.write(f"Embedded {done} document(s).")
            if not options["watch"]:
                return
            time.sleep(options["interval"])
