"""`techmarket export_registrations OUT.xlsx [--status STATUS ...]`: every registration as one Excel row."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from techmarket.market.models import Registration
from techmarket.market.services import registration as service
from techmarket.market.services.exports import registrations_workbook


class Command(BaseCommand):
    help = "Export technology contract registrations to an Excel workbook."

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="OUT.xlsx")
        parser.add_argument("--status", action="append", choices=Registration.Status.values, default=[])

    def handle(self, *args, **options):
        out = Path(options["out"])
        if out.suffix.lower() != ".xlsx":
            raise CommandError("the output file must end in .xlsx")
        qs = service.with_relations(Registration.objects.all()).order_by("registry__position", "submitted_at", "id")
        if options["status"]:
            qs = qs.filter(status__in=options["status"])
        registrations = list(qs)
        try:
            out.write_bytes(registrations_workbook(registrations))
        except OSError as error:
            raise CommandError(f"cannot write {out}: {error.strerror}") from None
        self.stdout.write(f"已导出 {len(registrations)} 件登记申请到 {out}。")
