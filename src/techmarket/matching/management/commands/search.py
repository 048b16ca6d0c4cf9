"""`techmarket search "QUERY" [--json]`: search the catalogue as the web and the API do."""

import json

from django.core.management.base import BaseCommand, CommandError

from techmarket.matching.services.engine import EngineFilters
from techmarket.matching.services.search import MODES, search


class Command(BaseCommand):
    help = "Search the catalogue; prints reference, kind, title, score and explanation of each result."

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--mode", choices=MODES, default="fused")
        for name in ("kind", "field", "mode-code", "region", "status"):
            parser.add_argument(f"--{name}", default="")

    def handle(self, *args, **options):
        if not options["query"].strip():
            raise CommandError("QUERY is empty")
        filters = EngineFilters(kind=options["kind"], field=options["field"], mode=options["mode_code"],
                                region=options["region"], status=options["status"])
        result = search(options["query"], filters, limit=max(1, min(options["limit"], 100)), mode=options["mode"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{result.total} result(s) for {result.query!r}, {result.relevant} at or above the relevance "
                          f"floor; verdict: {result.verdict}")
        if result.verdict_reason:
            self.stdout.write(f"  {result.verdict_reason}")
        for hit in result.hits:
            self.stdout.write(f"  {hit.score:.4f}  {hit.band:<6}  {hit.reference:<28} {hit.kind:<8} {hit.title}")
            self.stdout.write(f"          {hit.explanation}")
