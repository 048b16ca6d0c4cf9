"""`techmarket embed [--watch] [--stdin]`: embed pending search documents and print the rate; with --watch, keep
doing so (a worker); with --stdin, as the worker the web process starts (TECHMARKET_JOBS=process)."""

import os
import select
import signal
import sys
import time

from django.core.management.base import BaseCommand

from techmarket.matching.services.jobs import embed_pending, worker_turn


class Command(BaseCommand):
    help = ("Compute embeddings of pending search documents and print the rate (passages/s). With --watch, run as "
            "a worker (any number, any node; on one node they take turns).")

    def add_arguments(self, parser):
        parser.add_argument("--watch", action="store_true", help="keep polling for pending documents")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls with --watch")
        parser.add_argument("--stdin", action="store_true",
                            help="with --watch: a line on stdin is a job (start at once); stop when stdin closes "
                                 "(the web process's worker)")

    def handle(self, *args, **options):
        if options["stdin"]:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the web server; it closes our stdin
        if options["watch"]:
            # A worker runs below the web processes, whether the web process started it or it runs on its own
            # (a unit of its own, the bench): on busy cores the scheduler serves requests first (a query's p50
            # beside a running batch: 19 ms niced against 45 ms not).
            os.nice(10)
            # OpenMP's threads sleep when they wait rather than spin (read when the model loads, below): on cores
            # busy with requests a batch of 48 passages then took 7.8 s of CPU instead of 9.2 s; alone, the same.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        while True:
            if not options["watch"]:
                self.embed_round()
                return
            with worker_turn() as mine:
                if mine:
                    self.embed_round(quiet=True)
            if options["stdin"]:
                if not self.wait_for_job(options["interval"]):
                    return
            else:
                time.sleep(options["interval"])

    def embed_round(self, quiet=False) -> None:
        start = time.perf_counter()
        done = embed_pending()
        seconds = time.perf_counter() - start
        if done or not quiet:
            rate = f" ({done / seconds:.1f} passages/s)" if done else ""
            self.stdout.write(f"Embedded {done} document(s) in {seconds:.1f} s{rate}.")
            self.stdout.flush()

    @staticmethod
    def wait_for_job(timeout: float) -> bool:
        """Wait for a line on stdin (or the poll interval); False when stdin closed: the web process is gone."""
        stdin = sys.stdin.fileno()
        if select.select([stdin], [], [], timeout)[0]:
            return bool(os.read(stdin, 65536))  # every wake-up at once: one round embeds all that is pending
        return True
