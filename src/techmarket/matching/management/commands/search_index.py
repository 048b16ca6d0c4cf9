"""`techmarket search_index [--follow]`: bring this node's search index up to the database (building it if the
node has none), or keep it current as the node's dedicated writer process."""

import json
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError

from techmarket.matching.services.engine import node_index


class Command(BaseCommand):
    help = "Build or catch up this node's search index; --follow keeps it current as the node's writer."

    def add_arguments(self, parser):
        parser.add_argument("--follow", action="store_true",
                            help="stay running as the node's writer, applying changes as they are committed")
        parser.add_argument("--json", action="store_true", help="print the index's state as JSON")

    def handle(self, *args, **options):
        node = node_index()
        if node.directory is None:
            raise CommandError("TECHMARKET_SEARCH_DIR is empty: the index lives in each process's memory.")
        started = time.perf_counter()
        if not node.take_writer():
            raise CommandError(f"Another process is this node's writer (see {node.directory / 'writer.lock'}).")
        node.writer.run_once()
        snapshot = node.current()
        state = {"directory": str(node.directory), "documents": snapshot.n_alive, "seq": snapshot.seq,
                 "seconds": round(time.perf_counter() - started, 2)}
        self.stdout.write(json.dumps(state) if options["json"] else
                          f"Search index at {state['directory']}: {state['documents']} document(s), sequence "
                          f"{state['seq']} ({state['seconds']} s).")
        if not options["follow"]:
            node.close()
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        node.follow()
        self.stdout.write("Following the database as this node's writer (Ctrl-C stops).")
        stop.wait()
        node.close()
