"""techmarket docking_export contracts|feed|schemas [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--base-url URL]
--out FILE

contracts: the registered-contracts file for the national registration system (CSV, columns as
data/docking/contract-registration.yaml says; --since/--until: registration dates). feed: the open feed (JSON,
docs/schemas/open-feed.schema.json; --since: changes since that day, else complete). schemas: the JSON Schemas
of both, written into the directory --out (docs/schemas)."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from techmarket.docking.services import contracts, openfeed


def _day(text):
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "Write an export file for the national and partner platforms (docs/docking.md)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["contracts", "feed", "schemas"],
                            help="schemas: write docs/schemas/*.schema.json into the --out directory")
        parser.add_argument("--since", default="")
        parser.add_argument("--until", default="")
        parser.add_argument("--base-url", default="", help="prefix of the listings' page addresses in the feed")
        parser.add_argument("--out", required=True)

    def handle(self, what, since, until, base_url, out, **options):
        start, end = _day(since), _day(until)
        if what == "schemas":
            directory = Path(out)
            for name, document in (("open-feed", openfeed.schema()), ("contract-registration", contracts.schema())):
                path = directory / f"{name}.schema.json"
                path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
                self.stdout.write(str(path))
            return
        if what == "contracts":
            data = contracts.export_csv(start, end)
            count = data.count(b"\r\n") - 1
        else:
            if end:
                raise CommandError("--until applies to contracts only")
            feed = openfeed.build(start, base_url=base_url.rstrip("/"))
            data = openfeed.as_json(feed)
            count = len(feed.listings) + len(feed.intents)
        Path(out).write_bytes(data)
        self.stdout.write(f"{out}: {count} records")
