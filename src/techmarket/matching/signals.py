"""Keep the search index in step with the catalogue, with no manual step.

Any save of a listing, its modes or its organisations marks the listing; when the transaction commits,
the marked listings' search documents are rewritten at once and their embeddings queued.
"""

import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from techmarket.catalogue.models import Listing, ListingOrganisation

_pending = threading.local()


def mark(listing_id: int) -> None:
    """Index the listing when the transaction commits. The first commit callback flushes every marked
    listing; ids left by a rolled-back transaction are flushed with the next (re-indexing reads the
    database as it is, so that is harmless). A callback is registered on every mark, even for an id
    already pending: the callback of a rolled-back transaction is gone, and the later callbacks of one
    transaction find nothing left to flush."""
    ids = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    ids.add(listing_id)
    transaction.on_commit(_flush)


def _flush() -> None:
    from techmarket.matching.services.documents import index_listings
    from techmarket.matching.services.jobs import enqueue_embedding

    ids, _pending.ids = getattr(_pending, "ids", None) or set(), None
    if ids:
        enqueue_embedding(index_listings(sorted(ids)))


@receiver(post_save, sender=Listing)
def listing_saved(sender, instance, **kwargs):
    mark(instance.pk)


@receiver(m2m_changed, sender=Listing.modes.through)
def listing_modes_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Listing):
        mark(instance.pk)


@receiver(post_save, sender=ListingOrganisation)
@receiver(post_delete, sender=ListingOrganisation)
def listing_organisations_changed(sender, instance, **kwargs):
    mark(instance.listing_id)


@receiver(post_delete, sender=Listing)
def listing_deleted(sender, instance, **kwargs):
    from techmarket.matching.services.documents import new_generation

    transaction.on_commit(new_generation)
