"""The listings' history (ListingEvent) moves into the one audit log (common.AuditEntry): every row copied with
its time, actor, action, values and reason, then the table dropped."""

from django.db import migrations

from techmarket.common import audit_migration

ACTIONS = {"transition", "regrade", "reclassify", "import", "edit"}


def forward(apps, schema_editor):
    listing_type = audit_migration.content_type(apps, "catalogue", "listing")

    def to_entry(event):
        return {"content_type": listing_type, "object_id": event.listing_id, "target_label": f"{event.listing.reference} {event.listing.title}"[:200],
                "action": event.type, "from_value": event.from_value, "to_value": event.to_value,
                "actor_id": event.actor_id, "actor_label": event.actor_label, "reason": event.reason, "data": {},
                "at": event.at}

    audit_migration.copy_into_log(apps, "catalogue.ListingEvent", to_entry, select_related=["listing"])


def backward(apps, schema_editor):
    listing_type = audit_migration.content_type(apps, "catalogue", "listing")
    listings = set(apps.get_model("catalogue", "Listing").objects.values_list("pk", flat=True))

    def from_entry(entry):
        if entry.action not in ACTIONS or entry.object_id not in listings:
            return None
        return {"listing_id": entry.object_id, "type": entry.action, "from_value": entry.from_value[:80],
                "to_value": entry.to_value[:80], "actor_id": entry.actor_id, "actor_label": entry.actor_label,
                "reason": entry.reason}

    audit_migration.copy_back(apps, "catalogue.ListingEvent", [listing_type], from_entry)


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0003_listing_bounds'),
        ('common', '0002_audit_log'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(
            name='ListingEvent',
        ),
    ]
