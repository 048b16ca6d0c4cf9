"""For an indicator and period: one manual value waiting for review, one approved manual value, one current
computed snapshot, as database constraints. Where existing data has more (double submissions), the older ones are
marked superseded by the newest, which keeps every record as history."""

from django.db import migrations, models

KINDS = (("manual", "submitted"), ("manual", "approved"), ("computed", "snapshot"))


def supersede_duplicates(apps, schema_editor):
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    for source, status in KINDS:
        newest = {}
        for item in IndicatorValue.objects.filter(source=source, status=status).order_by("-entered_at", "-id"):
            key = (item.indicator_id, item.period_key)
            if key in newest:
                IndicatorValue.objects.filter(pk=item.pk).update(status="superseded", superseded_by_id=newest[key])
            else:
                newest[key] = item.pk
    if schema_editor.connection.vendor == "postgresql":
        # The writes above leave deferred foreign-key checks pending; PostgreSQL creates no index in a
        # transaction with pending trigger events, so run them now, before the constraints below.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def unique(source, status, name):
    return migrations.AddConstraint(
        model_name="indicatorvalue",
        constraint=models.UniqueConstraint(condition=models.Q(("source", source), ("status", status)),
                                           fields=("indicator", "period_key"), name=name),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0002_bounds_and_one_record_per_intent"),
    ]

    operations = [
        migrations.RunPython(supersede_duplicates, migrations.RunPython.noop),
        unique("manual", "submitted", "indicators_one_pending_value_per_period"),
        unique("manual", "approved", "indicators_one_approved_value_per_period"),
        unique("computed", "snapshot", "indicators_one_snapshot_per_period"),
    ]
