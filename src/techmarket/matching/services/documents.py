"""Turning listings into search documents, and keeping those rows current."""

import hashlib
import uuid

from django.db import transaction
from django.db.models import F

from techmarket.catalogue.models import PUBLIC_STATUSES, Listing
from techmarket.common.bulk import insert_rows, update_rows
from techmarket.matching.models import IndexState, SearchDocument
from techmarket.matching.services.text import analyse, concepts_in

# What is embedded: the title and the start of the description (the model reads 512 tokens at most,
# and the opening sentences carry the topic).
EMBEDDED_DESCRIPTION_CHARS = 240


def embedded_text(listing: Listing) -> str:
    return f"{listing.title}。{listing.description[:EMBEDDED_DESCRIPTION_CHARS]}"


def document_values(listing: Listing) -> dict:
    links = list(listing.organisation_links.select_related("organisation__region"))
    regions = []
    for link in links:
        region = link.organisation.region
        if region is not None:
            regions += [region.code] + ([region.parent.code] if region.parent_id else [])
    meta = {
        "reference": listing.reference,
        "kind": listing.kind,
        "title": listing.title,
        "status": listing.status,
        "field": listing.field.code if listing.field_id else "",
        "top": listing.field.top.code if listing.field_id else "",
        "modes": sorted(listing.modes.values_list("code", flat=True)),
        "regions": sorted(set(regions)),
        "orgs": [link.organisation_id for link in links],
        "trl": listing.trl,
        "grade": listing.grade,
        "concepts": concepts_in(f"{listing.title} {listing.description}"),
    }
    text = f"{listing.title}\n{listing.description}"
    terms = analyse(f"{listing.title} {listing.title} {listing.description} {listing.organisations_raw}")
    return {
        "public": listing.status in PUBLIC_STATUSES,
        "terms": " ".join(terms),
        "text": text,
        "meta": meta,
        "text_hash": hashlib.sha256(embedded_text(listing).encode()).hexdigest(),
    }


STATE_PK = 1


def state() -> IndexState:
    """The one index-state row (fixed key, so concurrent first writers cannot create two)."""
    current, _ = IndexState.objects.get_or_create(pk=STATE_PK, defaults={"seq": 0, "generation": uuid.uuid4().hex})
    return current


@transaction.atomic
def next_seq() -> int:
    """The next sequence number. The row stays locked until the caller's transaction commits, so numbers
    become visible in order and a process following the index by number never skips one."""
    state()
    IndexState.objects.filter(pk=STATE_PK).update(seq=F("seq") + 1)
    return IndexState.objects.get(pk=STATE_PK).seq


@transaction.atomic
def index_listings(listing_ids) -> list[int]:
    """Write the search documents of these listings; returns the ids whose embedding is now pending."""
    listings = (Listing.objects.filter(pk__in=list(listing_ids))
                .select_related("field", "field__parent").prefetch_related("modes"))
    found = {listing.pk: listing for listing in listings}
    seq = next_seq()
    pending = []
    existing = {d.listing_id: d for d in SearchDocument.objects.filter(listing_id__in=list(found))}
    for pk, listing in found.items():
        values = document_values(listing)
        document = existing.get(pk)
        if document is None:
            document = SearchDocument(listing=listing)
        if document.text_hash != values["text_hash"]:
            document.vector, document.vector_model = None, ""
        for name, value in values.items():
            setattr(document, name, value)
        document.seq = seq
        document.save()
        if document.vector is None and document.public:
            pending.append(pk)
    missing = set(listing_ids) - set(found)
    if missing:
        remove_documents(missing, seq)
    return pending


def remove_documents(listing_ids, seq: int | None = None) -> None:
    """Leave a tombstone for deleted listings: their rows stay, empty and not public, with a new sequence
    number, so every node's index drops them incrementally (tombstones go with the next rebuild)."""
    SearchDocument.objects.filter(listing_id__in=list(listing_ids)).update(
        seq=seq if seq is not None else next_seq(), public=False, terms="", text="", meta={}, vector=None,
        vector_model="", text_hash="")


def index_state() -> dict:
    """The database's index state: the last sequence number and the generation."""
    return IndexState.objects.filter(pk=STATE_PK).values("seq", "generation").first() or {"seq": 0,
                                                                                          "generation": ""}


def new_generation() -> None:
    """Make every node rebuild its index from the rows (after `rebuild_all`)."""
    state()
    IndexState.objects.update(generation=uuid.uuid4().hex)


@transaction.atomic
def rebuild_all() -> list[int]:
    """Rebuild every document from the database, start a new generation; returns ids pending embedding."""
    SearchDocument.objects.exclude(listing_id__in=Listing.objects.values("pk")).delete()
    pending = index_listings(list(Listing.objects.values_list("pk", flat=True)))
    new_generation()
    return pending


def stale_listing_ids() -> list[int]:
    """Listings whose search document is missing, disagrees with the listing's visibility, or was written by a
    release before documents carried their concepts (so the hourly repair brings an upgraded node's up to date)."""
    missing = Listing.objects.filter(search_document__isnull=True).values_list("pk", flat=True)
    before_concepts = (Listing.objects.filter(search_document__public=True)
                       .exclude(search_document__meta__has_key="concepts").values_list("pk", flat=True))
    public_wrong = (Listing.objects.filter(search_document__public=True).exclude(status__in=PUBLIC_STATUSES)
                    .values_list("pk", flat=True))
    private_wrong = (Listing.objects.filter(search_document__public=False, status__in=PUBLIC_STATUSES)
                     .values_list("pk", flat=True))
    return sorted(set(missing) | set(before_concepts) | set(public_wrong) | set(private_wrong))


def repair_stale(batch: int = 500) -> tuple[int, list[int]]:
    """Rewrite the documents of stale listings (see `stale_listing_ids`), a short transaction per batch.
    Returns how many were repaired and the ids now pending embedding."""
    ids = stale_listing_ids()
    pending: list[int] = []
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            pending += index_listings(ids[start:start + batch])
    return len(ids), pending


# --- bulk writers (imports): documents computed before the transaction, written in it ----------------------

class _Given:
    """A listing whose organisations (in link order) and mode codes are given instead of read, so that
    `document_values` can run on it before any of them is saved."""

    def __init__(self, listing: Listing, organisations: list, mode_codes):
        self._listing = listing
        self._links = [_GivenLink(org) for org in organisations]
        self._mode_codes = list(mode_codes)
        self.organisation_links = self
        self.modes = self

    def __getattr__(self, name):
        return getattr(self._listing, name)

    def select_related(self, *args):
        return self._links

    def values_list(self, *args, **kwargs):
        return self._mode_codes


class _GivenLink:
    def __init__(self, organisation):
        self.organisation = organisation
        self.organisation_id = organisation.pk


def prepared_document_values(listing: Listing, organisations: list, mode_codes) -> dict:
    """`document_values` of a listing as it will be saved with these organisations and modes (the same code
    defines the contents). Reads nothing when the listing's field and the organisations' regions are loaded
    with their parents; the ids of organisations not saved yet are filled in by `write_documents`."""
    return document_values(_Given(listing, organisations, mode_codes))


def write_documents(prepared: list[tuple[Listing, dict, list]]) -> list[int]:
    """Write the search documents of saved listings in the caller's transaction, with bulk statements and one
    sequence number. `prepared` holds (listing, values from prepared_document_values, its organisations, now
    saved). A document whose embedded text changed loses its vector. Returns the ids pending embedding."""
    if not prepared:
        return []
    from django.db import connection

    seq = next_seq()
    ids = [listing.pk for listing, _, _ in prepared]
    hashes, with_vector = {}, set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        hashes.update(SearchDocument.objects.filter(listing_id__in=chunk).values_list("listing_id", "text_hash"))
        with_vector.update(SearchDocument.objects.filter(listing_id__in=chunk, vector__isnull=False)
                           .values_list("listing_id", flat=True))
    meta_field = SearchDocument._meta.get_field("meta")
    create, keep_vector, drop_vector, pending = [], [], [], []
    for listing, values, organisations in prepared:
        meta = meta_field.get_db_prep_save({**values["meta"], "orgs": [org.pk for org in organisations]},
                                           connection)
        row = [seq, values["public"], values["terms"], values["text"], meta, values["text_hash"]]
        if listing.pk not in hashes:
            create.append([listing.pk, *row, None, ""])
        elif hashes[listing.pk] == values["text_hash"] and listing.pk in with_vector:
            keep_vector.append([*row, listing.pk])
            continue
        else:
            drop_vector.append([*row, None, "", listing.pk])
        if values["public"]:
            pending.append(listing.pk)
    columns = ["seq", "public", "terms", "text", "meta", "text_hash"]
    insert_rows(SearchDocument, ["listing", *columns, "vector", "vector_model"], create)
    update_rows(SearchDocument, columns, keep_vector)
    update_rows(SearchDocument, [*columns, "vector", "vector_model"], drop_vector)
    return pending


class BulkIndexWriter:
    """The search index's part in a bulk write of listings (the importer's): registered with
    `catalogue.services.bulk.register` by MatchingConfig, so the catalogue never imports matching.

    Before the transaction: `read_existing` reads the current documents and `prepare` computes a listing's
    document (None when it is unchanged and nothing asks for a rewrite). In the transaction: `write` writes
    them with one sequence number and queues the embeddings for after the commit."""

    def read_existing(self, listing_ids: list[int]) -> dict:
        documents = {}
        for start in range(0, len(listing_ids), 500):
            for document in SearchDocument.objects.filter(listing_id__in=listing_ids[start:start + 500]).values(
                    "listing_id", "public", "terms", "text", "meta", "text_hash"):
                documents[document.pop("listing_id")] = document
        return documents

    def prepare(self, listing: Listing, organisations: list, mode_codes, existing: dict, force: bool):
        document = prepared_document_values(listing, organisations, mode_codes)
        if force or existing.get(listing.pk) != document:
            return listing, document, organisations
        return None

    def write(self, prepared: list) -> None:
        pending = write_documents(prepared)
        if pending:
            from techmarket.matching.services.jobs import enqueue_embedding

            transaction.on_commit(lambda: enqueue_embedding(pending))
