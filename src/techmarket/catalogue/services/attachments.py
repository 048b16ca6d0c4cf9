"""Files a listing's organisation attaches to it. The checks are the shared ones (techmarket.common.uploads: size,
type by content, Office zips inflated safely); here only which of those types a listing takes, how many files and
how much in all, where they are stored and who may download them."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from techmarket.catalogue.models import Listing, ListingAttachment
from techmarket.common import uploads
from techmarket.common.permissions import allowed
from techmarket.common.uploads import CheckedFile, UploadError

ALLOWED_TYPES = (uploads.PDF, uploads.DOCX, uploads.JPEG, uploads.PNG)
ALLOWED_LABEL = "PDF、Word（DOCX）、JPEG 或 PNG"
ATTACHMENTS_MAX = 10  # files per listing
TOTAL_MAX_BYTES = 30 * 1024 * 1024  # per listing (each file at most uploads.MAX_BYTES, 10 MB)
LIMITS_TEXT = (f"{ALLOWED_LABEL} 文件，每个不超过 {uploads.MAX_BYTES // 1024 // 1024} MB；"
               f"每条最多 {ATTACHMENTS_MAX} 个、合计不超过 {TOTAL_MAX_BYTES // 1024 // 1024} MB。")


class AttachmentError(ValueError):
    """A file or set of files refused; the message is for the user (Chinese)."""


def check_file(uploaded) -> CheckedFile:
    """Read and check one uploaded file (common.uploads), then that a listing takes its type."""
    name = uploads.clean_name(getattr(uploaded, "name", "") or "")
    try:
        checked = uploads.check_upload(uploaded)
    except UploadError as error:
        raise AttachmentError(f"“{name}”：{error}") from None
    check_type(checked)
    return checked


def check_type(checked: CheckedFile) -> None:
    if checked.type not in ALLOWED_TYPES:
        raise AttachmentError(f"“{checked.name}”：附件只能是 {ALLOWED_LABEL} 文件（按文件内容识别）。")


def check_limits(count: int, total_bytes: int) -> None:
    """The listing's attachments after a change: at most ATTACHMENTS_MAX files and TOTAL_MAX_BYTES in all."""
    if count > ATTACHMENTS_MAX:
        raise AttachmentError(f"每条最多 {ATTACHMENTS_MAX} 个附件（将有 {count} 个），请删除一些后再上传。")
    if total_bytes > TOTAL_MAX_BYTES:
        raise AttachmentError(f"每条的附件合计不超过 {TOTAL_MAX_BYTES // 1024 // 1024} MB"
                              f"（将有 {total_bytes / 1024 / 1024:.1f} MB），请删除一些后再上传。")


def can_download(user, listing: Listing) -> bool:
    return allowed(user, "catalogue.download_attachment", listing)


def update_attachments(user, listing: Listing, new: list[CheckedFile], remove_ids: list[int]) -> bool:
    """Remove the listing's attachments `remove_ids` and add `new` (checked files), in the caller's transaction.
    A file with the same content as one the listing keeps is not stored twice. Files are written to storage last
    and removed again if this step fails; removed files leave storage after the commit."""
    for checked in new:
        check_type(checked)
    removed = list(listing.attachments.filter(pk__in=remove_ids)) if remove_ids else []
    kept = listing.attachments.exclude(pk__in=[a.pk for a in removed])
    seen = set(kept.values_list("sha256", flat=True))
    unique = []
    for checked in new:
        if checked.sha256 not in seen:
            seen.add(checked.sha256)
            unique.append(checked)
    kept_sizes = list(kept.values_list("size", flat=True))
    check_limits(len(kept_sizes) + len(unique), sum(kept_sizes) + sum(c.size for c in unique))
    for attachment in removed:
        name = attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda name=name: _delete_file(name))
    stored: list[str] = []
    try:
        for checked in unique:
            attachment = ListingAttachment(
                listing=listing, name=checked.name, content_type=checked.type.content_type,
                extension=checked.type.extension, size=checked.size, sha256=checked.sha256, uploaded_by=user)
            attachment.full_clean(exclude=["listing", "uploaded_by", "file"])
            attachment.file.save(checked.name, ContentFile(checked.data), save=False)
            stored.append(attachment.file.name)
            attachment.save()
    except BaseException:
        for name in stored:
            _delete_file(name, force=True)
        raise
    return bool(removed or unique)


def _delete_file(name: str, force: bool = False) -> None:
    if name and (force or not ListingAttachment.objects.filter(file=name).exists()):
        try:
            default_storage.delete(name)
        except OSError:
            pass
