"""Moving an app's own history table into the audit log, for data migrations. Works on historical models only
(`apps` of the migration), so a migration that uses it keeps working whatever the models become.

    def forward(apps, schema_editor):
        audit_migration.copy_into_log(apps, "market.RegistrationEvent", to_entry)

`to_entry(event, content_type)` turns one old row into the AuditEntry fields (content_type, object_id,
target_label, action, ...); `copy_back` undoes it for a reverse migration with `from_entry(entry)` returning the
old row's fields (or None to leave the entry in the log).
"""

from collections.abc import Callable

BATCH = 2000


def content_type(apps, app_label: str, model: str):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model.lower())[0]


def copy_into_log(apps, old_model: str, to_entry: Callable, *, select_related=()) -> int:
    """Copy every row of `old_model` into the log, oldest first, keeping times, actors, values and reasons."""
    Old = apps.get_model(old_model)
    AuditEntry = apps.get_model("common", "AuditEntry")
    rows, count = [], 0
    for event in Old.objects.select_related(*select_related).order_by("at", "id").iterator(chunk_size=BATCH):
        rows.append(AuditEntry(**to_entry(event)))
        if len(rows) >= BATCH:
            AuditEntry.objects.bulk_create(rows)
            count, rows = count + len(rows), []
    AuditEntry.objects.bulk_create(rows)
    return count + len(rows)


def copy_back(apps, old_model: str, content_types: list, from_entry: Callable) -> int:
    """Recreate `old_model` rows from the log entries about the given content types (those `from_entry` maps),
    then remove those entries from the log."""
    Old = apps.get_model(old_model)
    AuditEntry = apps.get_model("common", "AuditEntry")
    at = Old._meta.get_field("at")
    at.auto_now_add = False  # keep the logged times (this historical model lives only for this migration)
    rows, copied = [], []
    entries = AuditEntry.objects.filter(content_type__in=content_types).order_by("at", "id")
    for entry in entries.iterator(chunk_size=BATCH):
        fields = from_entry(entry)
        if fields is None:
            continue
        rows.append(Old(at=entry.at, **fields))
        copied.append(entry.pk)
    for start in range(0, len(rows), BATCH):
        Old.objects.bulk_create(rows[start:start + BATCH])
        AuditEntry.objects.filter(pk__in=copied[start:start + BATCH]).delete()
    return len(rows)
