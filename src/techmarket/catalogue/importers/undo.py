"""Undoing what an import wrote on listings (the imports app's batches call these inside their transaction).

A listing the import created is removed when it is untouched since: still published, not edited (its
`updated_at` is the import's), no history line after the import's other than imports and undos, and nothing
else refers to it (no inquiry, intent, attachment, contract, article; found with Django's deletion collector).
Otherwise it is withdrawn (已撤回), with the reason, through the catalogue's lifecycle. A listing the import
updated gets back the columns, organisation and contact links, cooperation modes and `updated_at` it held
before (loader._previous); a listing edited since is restored all the same, the edit stays in its history.
"""

from django.contrib.admin.utils import NestedObjects
from django.db import router
from django.utils.dateparse import parse_datetime

from techmarket.catalogue.models import Listing, ListingAction, ListingContact, ListingOrganisation
from techmarket.catalogue.services import lifecycle
from techmarket.common import audit
from techmarket.common.models import AuditEntry

REMOVED, WITHDRAWN, RESTORED, GONE, KEPT = "removed", "withdrawn", "restored", "gone", "kept"
_OWN_ROWS = {Listing, ListingOrganisation, ListingContact, Listing.modes.through}
_RESTORED_FIELDS = ("kind", "title", "description", "organisations_raw", "contacts_raw", "modes_raw",
                    "source_section", "source_section_title", "source_position", "source_printed_number",
                    "source_location", "field_auto", "grade", "grade_basis", "owner_id", "field_id",
                    "source_document_id")


def untouched_since(listing: Listing, written_at) -> bool:
    if listing.status != Listing.Status.PUBLISHED or listing.updated_at != written_at:
        return False
    if audit.history_for(listing).filter(at__gt=written_at).exclude(action=ListingAction.IMPORT).exists():
        return False
    collector = NestedObjects(using=router.db_for_write(Listing))
    collector.collect([listing])
    collected = {model for model, _ in collector.data.items() if collector.data[model]}
    updates = {field.model for (field, _value), objects in getattr(collector, "field_updates", {}).items()
               if field.model._meta.app_label != "imports" and any(bool(found) for found in objects)}
    return collected <= _OWN_ROWS and not updates and not collector.protected


def undo_created(listing_id: int, written_at, reason: str, user=None) -> str:
    """Remove or withdraw a listing an import created; returns what was done. `reason` is shown to people
    (Chinese), in the listing's history."""
    listing = Listing.objects.select_for_update().filter(pk=listing_id).first()
    if listing is None:
        return GONE
    if untouched_since(listing, written_at):
        reference = listing.reference
        AuditEntry.objects.bulk_create([audit.entry(listing, ListingAction.IMPORT, user, from_value=listing.status,
                                                    to_value="", reason=reason, actor_label="import",
                                                    target_label=reference)])
        listing.delete()
        return REMOVED
    if listing.status == Listing.Status.WITHDRAWN:
        return KEPT
    try:
        lifecycle.transition(listing, Listing.Status.WITHDRAWN, user, reason=reason, system_label="import")
    except lifecycle.TransitionError:
        return KEPT  # closed or contracted meanwhile: it stays, with its history
    return WITHDRAWN


def restore_updated(listing_id: int, previous: dict, reason: str, user=None) -> str:
    """Give an updated listing back what it held before the import."""
    listing = Listing.objects.select_for_update().filter(pk=listing_id).first()
    if listing is None:
        return GONE
    changed = [name for name in _RESTORED_FIELDS if name in previous and getattr(listing, name) != previous[name]]
    for name in changed:
        setattr(listing, name, previous[name])
    listing.save()
    if "organisations" in previous:
        ListingOrganisation.objects.filter(listing=listing).delete()
        ListingOrganisation.objects.bulk_create([
            ListingOrganisation(listing=listing, organisation_id=pk, role=role, position=position)
            for pk, role, position in previous["organisations"]])
    if "contacts" in previous:
        ListingContact.objects.filter(listing=listing).delete()
        ListingContact.objects.bulk_create([
            ListingContact(listing=listing, person_id=pk, position=position) for pk, position in previous["contacts"]])
    if "modes" in previous:
        listing.modes.set(previous["modes"])
    if previous.get("updated_at"):  # as it was: a listing restored to what an import wrote is untouched since
        Listing.objects.filter(pk=listing.pk).update(updated_at=parse_datetime(previous["updated_at"]))
    audit.log_action(listing, ListingAction.IMPORT, user, actor_label="import", reason=reason,
                     data={"restored": changed})
    return RESTORED
