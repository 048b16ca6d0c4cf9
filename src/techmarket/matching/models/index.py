"""What the search index is built from: one row per public listing, kept in step by signals.

The rows live in the database (SQLite by default, PostgreSQL in production), so every process and
every node builds the same in-memory index from them and follows changes by sequence number.
"""

from django.db import models


class SearchDocument(models.Model):
    # No database constraint: a deleted listing's row stays as a tombstone (public False, empty) with a new
    # sequence number, so that every node's index learns of the deletion incrementally.
    listing = models.OneToOneField("catalogue.Listing", on_delete=models.DO_NOTHING, db_constraint=False,
                                   primary_key=True, related_name="search_document")
    seq = models.BigIntegerField(db_index=True, help_text="IndexState.seq when this row last changed.")
    public = models.BooleanField(default=True, help_text="False: the listing left the public catalogue.")
    terms = models.TextField(help_text="Analysed terms, space-separated, with repeats.")
    text = models.TextField(help_text="Title and description, for snippets.")
    meta = models.JSONField(default=dict, help_text="Reference, kind, title, field, regions, modes, TRL.")
    vector = models.BinaryField(null=True, blank=True, help_text="float32 embedding; null while pending.")
    vector_model = models.CharField(max_length=60, blank=True)
    text_hash = models.CharField(max_length=64, help_text="Of the embedded text: unchanged text keeps its vector.")

    class Meta:
        verbose_name = verbose_name_plural = "检索文档"

    def __str__(self) -> str:
        return self.meta.get("reference", str(self.listing_id))


class IndexState(models.Model):
    """A single row holding the index's sequence counter; each change takes the next number."""

    seq = models.BigIntegerField(default=0)
    generation = models.CharField(max_length=32, help_text="New on a full rebuild; processes then reload all.")

    class Meta:
        verbose_name = verbose_name_plural = "索引状态"

    def __str__(self) -> str:
        return f"seq {self.seq}"
