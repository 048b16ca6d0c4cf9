"""The applications' history (ApplicationEvent) moves into the one audit log (common.AuditEntry): every row copied
with its time, actor, action, reason and detail, then the table dropped."""

from django.db import migrations

from techmarket.common import audit_migration

ACTIONS = {"submitted", "approved", "adjusted", "rejected", "paid"}


def forward(apps, schema_editor):
    application_type = audit_migration.content_type(apps, "policy", "application")

    def to_entry(event):
        application = event.application
        return {"content_type": application_type, "object_id": event.application_id,
                "target_label": f"#{application.pk} {application.organisation.name} {application.title}"[:200], "action": event.action,
                "from_value": "", "to_value": "", "actor_id": event.actor_id, "actor_label": "",
                "reason": event.reason, "data": event.detail or {}, "at": event.at}

    audit_migration.copy_into_log(apps, "policy.ApplicationEvent", to_entry, select_related=["application__organisation"])


def backward(apps, schema_editor):
    application_type = audit_migration.content_type(apps, "policy", "application")
    applications = set(apps.get_model("policy", "Application").objects.values_list("pk", flat=True))

    def from_entry(entry):
        if entry.action not in ACTIONS or entry.object_id not in applications:
            return None
        return {"application_id": entry.object_id, "action": entry.action, "actor_id": entry.actor_id,
                "reason": entry.reason, "detail": entry.data}

    audit_migration.copy_back(apps, "policy.ApplicationEvent", [application_type], from_entry)


class Migration(migrations.Migration):

    dependencies = [
        ('policy', '0003_one_application_per_event'),
        ('common', '0002_audit_log'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(
            name='ApplicationEvent',
        ),
    ]
