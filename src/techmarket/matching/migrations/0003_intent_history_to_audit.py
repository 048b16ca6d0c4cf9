"""The intents' history (IntentEvent) moves into the one audit log (common.AuditEntry): every row copied with
its time, actor, action, statuses and note, then the table dropped."""

from django.db import migrations

from techmarket.common import audit_migration

ACTIONS = {"sent", "response", "reminder"}


def forward(apps, schema_editor):
    intent_type = audit_migration.content_type(apps, "matching", "cooperationintent")

    def to_entry(event):
        intent = event.intent
        return {"content_type": intent_type, "object_id": event.intent_id,
                "target_label": f"{intent.listing.reference} → {intent.organisation.name}"[:200],
                "action": event.type, "from_value": event.from_status, "to_value": event.to_status,
                "actor_id": event.actor_id, "actor_label": event.actor_label, "reason": event.note, "data": {},
                "at": event.at}

    audit_migration.copy_into_log(apps, "matching.IntentEvent", to_entry,
                                  select_related=["intent__listing", "intent__organisation"])


def backward(apps, schema_editor):
    intent_type = audit_migration.content_type(apps, "matching", "cooperationintent")
    intents = set(apps.get_model("matching", "CooperationIntent").objects.values_list("pk", flat=True))

    def from_entry(entry):
        if entry.action not in ACTIONS or entry.object_id not in intents:
            return None
        return {"intent_id": entry.object_id, "type": entry.action, "from_status": entry.from_value[:20],
                "to_status": entry.to_value[:20], "actor_id": entry.actor_id, "actor_label": entry.actor_label,
                "note": entry.reason}

    audit_migration.copy_back(apps, "matching.IntentEvent", [intent_type], from_entry)


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0002_cooperation_intents'),
        ('common', '0002_audit_log'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(
            name='IntentEvent',
        ),
    ]
