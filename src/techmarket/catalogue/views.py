"""Downloading a listing's attachments (routed in web/urls.py, next to the listing page)."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from techmarket.catalogue.models import ListingAttachment
from techmarket.catalogue.services.attachments import can_download
from techmarket.catalogue.services.listings import visible_listings

MAX_PK = 2**63 - 1


def attachment_download(request, reference: str, pk: int):
    """An attachment, for those catalogue.download_attachment allows; 404 for everyone else, as for a listing
    they may not see (the file's existence stays hidden)."""
    if pk > MAX_PK:  # would overflow the integer column (a 500 on SQLite)
        raise Http404
    listing = get_object_or_404(visible_listings(request.user), reference=reference)
    attachment = get_object_or_404(ListingAttachment, pk=pk, listing=listing)
    if not can_download(request.user, listing):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type, as_attachment=True,
                            filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
