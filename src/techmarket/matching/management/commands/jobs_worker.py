"""`techmarket jobs_worker`: run the Redis (rq) worker of the platform's queue (TECHMARKET_JOBS=rq)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Process background jobs from the Redis queue (REDIS_URL); --burst stops when the queue is empty."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true")

    def handle(self, *args, **options):
        from rq import SimpleWorker

        from techmarket.matching.services.jobs import rq_queue

        queue = rq_queue()
        SimpleWorker([queue], connection=queue.connection).work(burst=options["burst"])
