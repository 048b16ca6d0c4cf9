"""`techmarket check_institution [FILE.json | -]`: the conditions of 第二十条 (and, given the dates, the 30-day
window of 第二十二条) for a transfer institution's figures, JSON in, JSON out, without filing anything
(docs/ecosystem.md, "check_institution").

Input: {"kind": "independent" | "internal", "business_years": 2, "successful_cases": 1, "full_time_staff": 10,
"managers_total": 5, "managers_college": 4, "st_staff": 6, "founded_on": "2026-01-05", "filed_on": "2026-02-04"}
(the two dates optional). Output: {"eligible": bool, "unmet": [{"article", "condition", "value", "threshold",
"unit", "message"}], "filing": {...}}. Exit status 0 when the input could be checked (eligible or not), 2 with
{"error": "..."} when it could not."""

import json
import sys

from django.core.management.base import BaseCommand

from techmarket.common.errors import InvalidInput
from techmarket.ecosystem.services.conditions import check

MAX_INPUT = 1024 * 1024


class Command(BaseCommand):
    help = "Check a transfer institution's figures against 第二十条 (JSON in, JSON out)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", metavar="FILE.json",
                            help="the figures as a JSON object; '-' or nothing reads standard input")

    def _fail(self, message: str):
        self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        sys.exit(2)

    def handle(self, *args, **options):
        name = options["file"]
        try:
            if name == "-":
                text = sys.stdin.read(MAX_INPUT + 1)
            else:
                with open(name, encoding="utf-8") as handle:
                    text = handle.read(MAX_INPUT + 1)
        except (OSError, UnicodeDecodeError) as error:
            return self._fail(f"cannot read {name}: {error}")
        if len(text) > MAX_INPUT:
            return self._fail("input larger than 1 MB")
        try:
            figures = json.loads(text)
        except json.JSONDecodeError as error:
            return self._fail(f"not valid JSON: {error}")
        try:
            answer = check(figures)
        except InvalidInput as error:
            return self._fail(error.message)
        self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
