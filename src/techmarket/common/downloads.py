"""The Content-Disposition of a download: its Chinese file name as RFC 6266 `filename*` (RFC 5987 encoding, UTF-8),
preceded by an ASCII `filename` for the few clients that read only that one."""

from __future__ import annotations

import re
from urllib.parse import quote

_NOT_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\]')  # control characters, path separators
_NOT_IN_ASCII_NAME = re.compile(r'[^\x20-\x7e]|["\\/;%]')


def content_disposition(name: str, ascii_name: str, *, inline: bool = False) -> str:
    """`attachment; filename="catalogue-20260301.xlsx"; filename*=UTF-8''%E9%9C%80…xlsx` (or `inline; …`)."""
    name = _NOT_IN_NAME.sub("_", name)
    ascii_name = _NOT_IN_ASCII_NAME.sub("_", ascii_name) or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
