"""One application per organisation and event (unless rejected), as a database constraint on a digest of the
stored event (Application.event_key, services.applications.event_key).

Existing applications get their digest; where the same organisation already applied twice for the same event (a
double submission), the later ones keep their status and amounts but get a digest marked with their id, so they
stay distinct records and the constraint holds."""

import hashlib
import json

from django.db import migrations, models


def key_of(event) -> str:
    text = json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def fill_keys(apps, schema_editor):
    Application = apps.get_model("policy", "Application")
    seen = set()
    for application in Application.objects.order_by("submitted_at", "id"):
        key = key_of(application.event)
        if application.status != "rejected":
            if (application.organisation_id, key) in seen:
                key = f"{key[:50]}-dup{application.pk}"[:64]
            else:
                seen.add((application.organisation_id, key))
        Application.objects.filter(pk=application.pk).update(event_key=key)


class Migration(migrations.Migration):

    dependencies = [
        ("policy", "0002_bounds_and_one_record_per_intent"),
    ]

    operations = [
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(condition=models.Q(("status", "rejected"), _negated=True),
                                               fields=("organisation", "event_key"),
                                               name="policy_one_application_per_event"),
        ),
    ]
