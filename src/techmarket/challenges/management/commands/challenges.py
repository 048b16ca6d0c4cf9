"""`techmarket challenges [--json] [--status S] [--mode M]`: the public challenges with their registrations."""

import json

from django.core.management.base import BaseCommand

from techmarket.challenges.models import Challenge
from techmarket.challenges.services import statistics

HIDDEN = ("draft", "pending", "rejected")


class Command(BaseCommand):
    help = "List the published challenges (榜单) with their registrations; --json for machines."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--status", default="")
        parser.add_argument("--mode", default="")

    def handle(self, *args, **options):
        qs = Challenge.objects.exclude(status__in=HIDDEN).select_related("field", "challenger")
        if options["status"]:
            qs = qs.filter(status=options["status"])
        if options["mode"]:
            qs = qs.filter(mode=options["mode"])
        rows = []
        for c in qs:
            figures = statistics.call_figures(c)
            rows.append({"id": c.pk, "title": c.title, "mode": c.mode, "mode_name": c.get_mode_display(),
                         "status": c.status, "status_name": c.get_status_display(), "field": c.field.name,
                         "deadline": c.deadline.isoformat(), "public_funds": str(c.public_funds),
                         "own_funds": str(c.own_funds), "challenger": c.challenger.name if c.challenger else None,
                         "registrations": figures.registrations, "regions": dict(figures.regions),
                         "url": c.get_absolute_url()})
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['id']}\t{row['mode_name']}\t{row['status_name']}\t{row['title']}\t"
                              f"报名 {row['registrations']}")
