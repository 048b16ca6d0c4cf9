"""`techmarket rewards EVENT.json [--json]`: the awards an event earns under the rules of data/policy, each with
its derivation, and why every other rule of that type of event does not apply.

EVENT.json is one event, or `{"events": [...], "prior": [...]}`: events evaluated in order, each counting the
awards of those before it and the `prior` entries against caps that span events (docs/policy.md, "Command line").
The database ledger is not consulted: the command computes from the files alone.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError

from techmarket.policy.schemas import BatchIn
from techmarket.policy.services.data import rulebook
from techmarket.policy.services.engine import evaluate_sequence
from techmarket.policy.services.events import EventError, parse_event
from techmarket.policy.services.ledger import Ledger
from techmarket.policy.services.results import yuan
from techmarket.policy.services.rulebook import RuleFileError


class Command(BaseCommand):
    help = "Compute the subsidies and rewards an event earns, with derivations (format: docs/policy.md)."

    def add_arguments(self, parser):
        parser.add_argument("event_file", metavar="EVENT.json",
                            help='an event, or {"events": [...], "prior": [...]}')
        parser.add_argument("--json", action="store_true", help="write the result as JSON")

    def handle(self, *args, **options):
        path = Path(options["event_file"])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text") from None
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise CommandError(f"{path} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") \
                from None
        try:
            book = rulebook()
        except RuleFileError as error:
            raise CommandError(f"the policy rules cannot be loaded: {error}") from None
        batch = isinstance(data, dict) and "events" in data
        try:
            if batch:
                try:
                    data = BatchIn.model_validate(data)
                except ValidationError:
                    raise EventError("", 'a batch is {"events": [...], "prior": [...]}') from None
                events = [parse_event(item, book) for item in data.events]
                ledger = Ledger.from_data(data.prior, book)
            else:
                events, ledger = [parse_event(data, book)], Ledger()
        except EventError as error:
            raise CommandError(f"{path}: {error}") from None
        results = evaluate_sequence(events, book, ledger)
        if options["json"]:
            output = {"rules_version": book.version}
            if batch:
                output["results"] = [result.as_dict() for result in results]
            else:
                output.update(results[0].as_dict())
            self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
            return
        for number, (event, result) in enumerate(zip(events, results, strict=True), start=1):
            if batch:
                self.stdout.write(f"== Event {number}: {event.type} {event.date.isoformat()}")
            self._write(result)

    def _write(self, result) -> None:
        for award in result.awards:
            estimate = " (estimate)" if award.estimate else ""
            self.stdout.write(f"AWARD {award.rule_id}  {award.beneficiary}: {yuan(award.amount)}{estimate}")
            for step in award.steps:
                self.stdout.write(f"  - {step}")
        others = 0
        for item in result.not_applied:
            if item.code == "event_type":
                others += 1
                continue
            who = f" {item.beneficiary}" if item.beneficiary else ""
            self.stdout.write(f"NOT APPLIED {item.rule_id}{who} [{item.code}]: {item.reason}")
        self.stdout.write(f"TOTAL {yuan(result.total)}  ({len(result.awards)} awards; "
                          f"{others} rules are for other types of event)")
