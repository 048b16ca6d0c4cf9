"""What the market tells other apps, as Django signals (they react through these, never through its tables).

`registration_changed` is sent once the transaction that registered, changed, overturned into registration or
cancelled a contract's registration has committed, with `registration` and `action` (RegistrationAction) and
`organisation_ids`, the contract parties' organisations. It is sent robustly: a receiver's failure is logged and
never undoes, or fails, the registrar's committed decision."""

import logging

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

registration_changed = Signal()


def announce_registration(registration, action: str) -> None:
    """Send registration_changed after the current transaction commits."""
    organisation_ids = sorted(set(registration.contract.parties.values_list("organisation_id", flat=True)))

    def send():
        for receiver, result in registration_changed.send_robust(
                sender=type(registration), registration=registration, action=action,
                organisation_ids=organisation_ids):
            if isinstance(result, Exception):
                log.error("registration_changed: %s failed for registration %s", receiver, registration.pk,
                          exc_info=result)

    transaction.on_commit(send)
