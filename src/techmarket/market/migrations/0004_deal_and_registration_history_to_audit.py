"""The deals' and registrations' history (DealEvent, RegistrationEvent) moves into the one audit log
(common.AuditEntry): every row copied with its time, actor, action, statuses, note or reason and detail, then the
tables dropped. A deal step is logged about its contract when it had one (with the inquiry's id in `data`), else
about its inquiry; its organisation goes into `data` (id and name)."""

from django.db import migrations

from techmarket.common import audit_migration

REGISTRATION_ACTIONS = {"submit", "accept", "register", "refuse", "request-reconsideration", "overturn", "uphold",
                        "change", "cancel", "withdraw"}
DEAL_ACTIONS = {"inquiry-opened", "document-uploaded", "agreement-proposed", "agreement-accepted",
                "agreement-declined", "inquiry-closed", "contract-created", "contract-updated", "milestone-done"}


def _registration_label(registration) -> str:
    return registration.number or registration.external_number or f"申请 #{registration.pk}"


def forward(apps, schema_editor):
    registration_type = audit_migration.content_type(apps, "market", "registration")
    inquiry_type = audit_migration.content_type(apps, "market", "inquiry")
    contract_type = audit_migration.content_type(apps, "market", "contract")

    def registration_entry(event):
        return {"content_type": registration_type, "object_id": event.registration_id,
                "target_label": _registration_label(event.registration), "action": event.action,
                "from_value": event.from_status, "to_value": event.to_status, "actor_id": event.actor_id,
                "actor_label": "", "reason": event.reason, "data": event.detail or {}, "at": event.at}

    def deal_entry(event):
        data = {}
        if event.contract_id and event.inquiry_id:
            data["inquiry"] = event.inquiry_id
        if event.organisation_id:
            data["organisation_id"], data["organisation"] = event.organisation_id, event.organisation.name
        if event.contract_id:
            target = {"content_type": contract_type, "object_id": event.contract_id,
                      "target_label": event.contract.title[:200]}
        else:
            target = {"content_type": inquiry_type, "object_id": event.inquiry_id,
                      "target_label": f"#{event.inquiry_id} {event.inquiry.subject}"[:200]}
        return {**target, "action": event.action, "from_value": "", "to_value": "", "actor_id": event.actor_id,
                "actor_label": "", "reason": event.note, "data": data, "at": event.at}

    audit_migration.copy_into_log(apps, "market.RegistrationEvent", registration_entry,
                                  select_related=["registration"])
    audit_migration.copy_into_log(apps, "market.DealEvent", deal_entry,
                                  select_related=["contract", "inquiry", "organisation"])


def backward(apps, schema_editor):
    registration_type = audit_migration.content_type(apps, "market", "registration")
    inquiry_type = audit_migration.content_type(apps, "market", "inquiry")
    contract_type = audit_migration.content_type(apps, "market", "contract")
    registrations = set(apps.get_model("market", "Registration").objects.values_list("pk", flat=True))
    inquiries = set(apps.get_model("market", "Inquiry").objects.values_list("pk", flat=True))
    contracts = set(apps.get_model("market", "Contract").objects.values_list("pk", flat=True))
    organisations = set(apps.get_model("directory", "Organisation").objects.values_list("pk", flat=True))

    def registration_event(entry):
        if entry.action not in REGISTRATION_ACTIONS or entry.object_id not in registrations:
            return None
        return {"registration_id": entry.object_id, "action": entry.action, "from_status": entry.from_value[:20],
                "to_status": entry.to_value[:20], "actor_id": entry.actor_id, "reason": entry.reason,
                "detail": entry.data}

    def deal_event(entry):
        if entry.action not in DEAL_ACTIONS:
            return None
        data = entry.data or {}
        if entry.content_type_id == contract_type.pk and entry.object_id in contracts:
            inquiry_id, contract_id = data.get("inquiry") if data.get("inquiry") in inquiries else None, entry.object_id
        elif entry.content_type_id == inquiry_type.pk and entry.object_id in inquiries:
            inquiry_id, contract_id = entry.object_id, None
        else:
            return None
        organisation_id = data.get("organisation_id")
        return {"inquiry_id": inquiry_id, "contract_id": contract_id, "action": entry.action,
                "actor_id": entry.actor_id, "note": entry.reason,
                "organisation_id": organisation_id if organisation_id in organisations else None}

    audit_migration.copy_back(apps, "market.RegistrationEvent", [registration_type], registration_event)
    audit_migration.copy_back(apps, "market.DealEvent", [inquiry_type, contract_type], deal_event)


class Migration(migrations.Migration):

    dependencies = [
        ('market', '0003_one_record_per_intent'),
        ('common', '0002_audit_log'),
        ('directory', '0002_bounded_names'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RemoveField(
            model_name='registrationevent',
            name='actor',
        ),
        migrations.RemoveField(
            model_name='registrationevent',
            name='registration',
        ),
        migrations.DeleteModel(
            name='DealEvent',
        ),
        migrations.DeleteModel(
            name='RegistrationEvent',
        ),
    ]
