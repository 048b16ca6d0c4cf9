"""Keep the search index in step with the catalogue, with no manual step.

Any save of a listing, its modes or its organisations rewrites the listing's search document at once,
inside the same transaction: the listing and its document commit together or not at all, so there is no
index work left to fail after a commit. Only the embedding (slow, a model call) follows after the commit, as
a job; a document whose embedding is missing stays pending until a worker (or `techmarket embed`) computes it.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from techmarket.catalogue.models import Listing, ListingOrganisation


def mark(listing_id: int) -> None:
    """Rewrite the listing's search document now (in the caller's transaction); queue its embedding for
    after the commit."""
    from techmarket.matching.services.documents import index_listings
    from techmarket.matching.services.jobs import enqueue_embedding

    pending = index_listings([listing_id])
    if pending:
        transaction.on_commit(lambda: enqueue_embedding(pending))


@receiver(post_save, sender=Listing)
def listing_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        mark(instance.pk)


@receiver(m2m_changed, sender=Listing.modes.through)
def listing_modes_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Listing):
        mark(instance.pk)


@receiver(post_save, sender=ListingOrganisation)
@receiver(post_delete, sender=ListingOrganisation)
def listing_organisations_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        mark(instance.listing_id)


@receiver(post_delete, sender=Listing)
def listing_deleted(sender, instance, **kwargs):
    from techmarket.matching.services.documents import remove_documents

    # The document is not deleted with the listing (no database constraint ties them): it becomes a tombstone
    # with a new sequence number, which each node's index applies as a deletion, without a rebuild.
    remove_documents([instance.pk])
