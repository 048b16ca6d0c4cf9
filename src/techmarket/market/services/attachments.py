"""Uploads for deals: the checks live in techmarket.common.uploads (one home for every upload and import); here a
refused file becomes a MarketError, whose message the pages show."""

from __future__ import annotations

from techmarket.common import uploads
from techmarket.common.uploads import (  # noqa: F401  (re-exported for the market's forms and services)
    ALLOWED_LABEL,
    DOCX,
    JPEG,
    MAX_BYTES,
    PDF,
    PNG,
    XLSX,
    CheckedFile,
    FileType,
    UploadError,
    clean_name,
    detect_type,
)
from techmarket.market.services.errors import MarketError


def check_upload(uploaded) -> CheckedFile:
    """Read and check an uploaded file (see techmarket.common.uploads.check_upload); refusals raise MarketError."""
    try:
        return uploads.check_upload(uploaded)
    except UploadError as exc:
        raise MarketError(str(exc)) from None
