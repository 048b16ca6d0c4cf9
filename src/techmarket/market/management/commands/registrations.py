"""`techmarket registrations [--status STATUS ...] [--registry CODE] [--overdue] [--json]`: list technology contract
registrations, by deadline, with their contract, registry, status and deadline."""

import json

from django.core.management.base import BaseCommand, CommandError

from techmarket.market.models import Registration, Registry
from techmarket.market.services import registration as service
from techmarket.market.services.exports import REGISTRATION_HEADER, registration_row


class Command(BaseCommand):
    help = "List technology contract registrations (status, registry, deadline); --json for machines."

    def add_arguments(self, parser):
        parser.add_argument("--status", action="append", choices=Registration.Status.values, default=[],
                            help="only this status (repeatable)")
        parser.add_argument("--registry", help="only this registry (code, e.g. xining)")
        parser.add_argument("--overdue", action="store_true", help="only pending applications past their deadline")
        parser.add_argument("--json", action="store_true", help="write JSON")

    def handle(self, *args, **options):
        qs = service.with_relations(Registration.objects.all()).order_by("due_on", "id")
        if options["status"]:
            qs = qs.filter(status__in=options["status"])
        if options["registry"]:
            if not Registry.objects.filter(code=options["registry"]).exists():
                codes = ", ".join(Registry.objects.values_list("code", flat=True))
                raise CommandError(f"unknown registry {options['registry']!r} (known: {codes})")
            qs = qs.filter(registry__code=options["registry"])
        if options["overdue"]:
            qs = qs.filter(status__in=service.PENDING, due_on__lt=service.today())
        registrations = list(qs)
        if options["json"]:
            rows = [dict(zip(REGISTRATION_HEADER, (_plain(v) for v in registration_row(r)), strict=True))
                    | {"id": r.pk, "status": r.status, "registry": r.registry.code, "contract_id": r.contract_id}
                    for r in registrations]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not registrations:
            self.stdout.write("没有符合条件的登记申请。")
            return
        for r in registrations:
            overdue = "  逾期" if service.is_overdue(r) else ""
            number = r.number or r.external_number or "—"
            self.stdout.write(f"#{r.pk:<5} {number:<14} {r.get_status_display():<6} {r.registry.name}  "
                              f"应于 {r.due_on} 前决定{overdue}  {r.contract.title}  "
                              f"技术交易额 {r.contract.technology_amount} 元")
        self.stdout.write(f"共 {len(registrations)} 件。")


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, int | str | bool):
        return value
    return str(value)
