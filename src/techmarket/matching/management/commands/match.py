"""`techmarket match REF_OR_TEXT [--json] [--limit N]`: what fits a listing (by its reference) or a text,
as the listing page's matches panel and the API compute it."""

import json

from django.core.management.base import BaseCommand, CommandError

from techmarket.catalogue.models import Listing
from techmarket.matching.services.match import match_listing, match_text

SECTION_NAMES = {"ranked": "All results, best first", "offers": "Matching offers", "demands": "Matching demands",
                 "related": "Related listings"}


class Command(BaseCommand):
    help = ("Match a listing (given its reference, e.g. innovation/hightech/17) or a free text against the "
            "catalogue; prints reference, kind, title, score and explanation of each result, and the verdict.")

    def add_arguments(self, parser):
        parser.add_argument("ref_or_text", metavar="REF_OR_TEXT")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--limit", type=int, default=10, help="results in the ranked list and per section (1-100)")

    def handle(self, *args, **options):
        value = options["ref_or_text"].strip()
        if not value:
            raise CommandError("REF_OR_TEXT is empty: give a listing reference or a text to match")
        limit = max(1, min(options["limit"], 100))
        listing = Listing.objects.filter(reference=value).first()
        result = match_listing(listing, limit=limit) if listing else match_text(value, limit=limit)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        subject = f"listing {listing.reference} ({listing.kind}) {listing.title}" if listing else f"text {value!r}"
        self.stdout.write(f"Matches for {subject}; verdict: {result.verdict}")
        if result.verdict_reason:
            self.stdout.write(f"  {result.verdict_reason}")
        for name, matches in [("ranked", result.ranked), *result.sections.items()]:
            self.stdout.write("")
            self.stdout.write(f"{SECTION_NAMES.get(name, name)} ({len(matches)})")
            if not matches:
                self.stdout.write("  (none)")
            for match in matches:
                self.stdout.write(f"  {match.score:.4f}  {match.band:<6}  {match.reference:<28} {match.kind:<8} "
                                  f"{match.title}")
                self.stdout.write(f"          {match.explanation}")
        self.stdout.write("")
        self.stdout.write(f"Organisations ({len(result.organisations)})")
        if not result.organisations:
            self.stdout.write("  (none)")
        for fit in result.organisations:
            self.stdout.write(f"  {fit.score:.4f}  {fit.name} ({fit.kind}{', ' + fit.region if fit.region else ''})")
            self.stdout.write(f"          {fit.explanation}")
