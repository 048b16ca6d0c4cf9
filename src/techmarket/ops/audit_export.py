"""The audit log (操作记录, common.AuditEntry) as a table for the department: the `audit_export` command and the
操作记录导出 page, both through common/tables.py (CSV with a BOM, or Excel). Labels as the admin shows them;
telephone numbers and e-mail addresses in free text are removed, as in the logs."""

from __future__ import annotations

import datetime

from django.utils import timezone

from techmarket.common import audit
from techmarket.common.models import AuditEntry
from techmarket.common.tables import as_csv, as_xlsx
from techmarket.ops.logs import redact

HEADER = ["时间", "对象类型", "对象", "对象编号", "操作", "原值", "新值", "操作人", "说明"]
TITLE = "操作记录"


def entries(since: datetime.date | None = None, until: datetime.date | None = None):
    qs = AuditEntry.objects.select_related("actor", "content_type").order_by("at", "id")
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs


def _actor(entry: AuditEntry) -> str:
    if entry.actor is not None:
        return getattr(entry.actor, "display_name", "") or entry.actor.get_username()
    return entry.actor_label or "系统"


def rows(since=None, until=None) -> list[list]:
    result = []
    for entry in entries(since, until).iterator(chunk_size=2000):
        ct = entry.content_type_id
        result.append([
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            str(entry.content_type.model_class()._meta.verbose_name) if entry.content_type.model_class()
            else entry.content_type.model,
            redact(entry.target_label), entry.object_id, audit.action_label(ct, entry.action),
            redact(audit.value_label(ct, entry.from_value)), redact(audit.value_label(ct, entry.to_value)),
            redact(_actor(entry)), redact(entry.reason),
        ])
    return result


def export(fmt: str, since=None, until=None) -> bytes:
    table = rows(since, until)
    return as_xlsx(HEADER, table, TITLE) if fmt == "xlsx" else as_csv(HEADER, table)
