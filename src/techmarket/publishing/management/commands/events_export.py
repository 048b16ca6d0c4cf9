"""`techmarket events_export YEAR [--format csv|xlsx] [--out FILE]`: the year's events with their attendance,
check-ins, meetings and outcomes, as a table (common.tables)."""

from django.core.management.base import BaseCommand, CommandError

from techmarket.common.tables import as_csv, as_xlsx, write_export
from techmarket.publishing.models import Outcome
from techmarket.publishing.services.statistics import for_year

HEADER = ["活动", "类型", "主办单位", "开始时间", "名额", "已通过", "已签到", "一对一洽谈",
          *[label for _, label in Outcome.Kind.choices]]


class Command(BaseCommand):
    help = "Export a year's events with their statistics (CSV to standard output, or --out FILE.csv/.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", default=None)

    def handle(self, *args, year: int, format: str, out: str | None, **options):
        if not 1985 <= year <= 2100:
            raise CommandError("year must be between 1985 and 2100")
        rows = [[e.title, e.get_kind_display(), e.organiser.name, e.starts_at.isoformat(), e.capacity, s.approved,
                 s.checked_in, s.meetings, *[s.outcomes[kind] for kind in Outcome.Kind.values]]
                for e, s in for_year(year).rows]
        data = as_xlsx(HEADER, rows, f"{year}年对接活动") if format == "xlsx" else as_csv(HEADER, rows)
        write_export(self, data, format, out, f"{len(rows)} event(s) written to {out}\n")
