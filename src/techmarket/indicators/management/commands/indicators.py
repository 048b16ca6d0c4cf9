"""`techmarket indicators [--json] [--period 2026Q3] [--sync]`: the indicators and their values for a period (the
dashboard's rows); --sync reloads data/indicators/indicators.yaml first."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from techmarket.indicators.services import dashboard
from techmarket.indicators.services.definitions import sync_indicators
from techmarket.indicators.services.periods import PeriodError, current, parse


class Command(BaseCommand):
    help = "Show the plan indicators with their current values and progress (指标监测)."

    def add_arguments(self, parser):
        parser.add_argument("--period", default="", help="2026Q3, 2026-09 or 2026 (default: this quarter)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--sync", action="store_true", help="reload data/indicators/indicators.yaml first")
        parser.add_argument("--plan", default="", help="only the indicators of this plan code")

    def handle(self, *args, **options):
        if options["sync"]:
            count = sync_indicators()
            if not options["json"]:
                self.stdout.write(f"已同步 {count} 项指标。")
        today = timezone.localdate()
        try:
            period = parse(options["period"]) if options["period"] else current(today)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        items = dashboard.rows(period, today, options["plan"])
        if options["json"]:
            self.stdout.write(json.dumps({"period": period.key, "period_start": period.start.isoformat(),
                                          "period_end": period.end.isoformat(),
                                          "indicators": [item.as_dict() for item in items]},
                                         ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{period.label}（截至 {period.end.isoformat()}）")
        for item in items:
            cells = item.cells()
            value = cells[6] or "—"
            progress = cells[11] or "—"
            self.stdout.write(f"  {item.indicator.code:32} {item.indicator.name}: {value} {item.indicator.unit}"
                              f" / {item.target_label}（{item.indicator.target_year}）"
                              f" {progress} {item.time_left_label}")
