"""One contract per inquiry and one active registration per contract, as database constraints.

Existing data is made to satisfy them first, without losing anything: a later contract recorded for an inquiry that
already has one (a double submission) is detached from the inquiry (it stays, recorded directly); a later pending
application for a contract that already has an active one is withdrawn, with an event saying why."""

from django.db import migrations, models
from django.utils import timezone

ACTIVE = ("submitted", "accepted", "reconsideration", "registered", "changed")
PENDING = ("submitted", "accepted")


def make_unique(apps, schema_editor):
    Contract = apps.get_model("market", "Contract")
    Registration = apps.get_model("market", "Registration")
    RegistrationEvent = apps.get_model("market", "RegistrationEvent")
    seen = set()
    for contract in Contract.objects.filter(inquiry__isnull=False).order_by("created_at", "id"):
        if contract.inquiry_id in seen:
            Contract.objects.filter(pk=contract.pk).update(inquiry=None, agreement=None)
        seen.add(contract.inquiry_id)
    seen = set()
    for registration in Registration.objects.filter(status__in=ACTIVE).order_by("submitted_at", "id"):
        if registration.contract_id in seen and registration.status in PENDING:
            from_status = registration.status
            Registration.objects.filter(pk=registration.pk).update(status="withdrawn", closed_at=timezone.now())
            RegistrationEvent.objects.create(registration_id=registration.pk, action="withdraw",
                                             from_status=from_status, to_status="withdrawn",
                                             reason="重复申请：本合同已有在办的登记申请（系统迁移时撤回）。")
            continue
        seen.add(registration.contract_id)
    if schema_editor.connection.vendor == "postgresql":
        # The writes above leave deferred foreign-key checks pending; PostgreSQL creates no index in a
        # transaction with pending trigger events, so run them now, before the constraints below.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ("market", "0002_bounds_and_one_record_per_intent"),
    ]

    operations = [
        migrations.RunPython(make_unique, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.UniqueConstraint(condition=models.Q(("inquiry__isnull", False)), fields=("inquiry",),
                                               name="market_one_contract_per_inquiry"),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(condition=models.Q(("status__in", ACTIVE)), fields=("contract",),
                                               name="market_one_active_registration_per_contract"),
        ),
    ]
