"""`techmarket jobs_worker`: run the Redis (rq) worker of the platform's queue (TECHMARKET_JOBS=rq)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Process background jobs from the Redis queue (REDIS_URL); --burst stops when the queue is empty."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true")

    def handle(self, *args, **options):
        from techmarket.common.request_id import rq_worker_class
        from techmarket.matching.services.jobs import rq_queue

        queue = rq_queue()
        # Each job runs under the request id it carries (techmarket.common.request_id).
        rq_worker_class()([queue], connection=queue.connection).work(burst=options["burst"])
