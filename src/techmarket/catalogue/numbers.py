"""A listing's number (编号) as people see it: XQ-2025-0012 for a 技术需求, CG-… for a 成果供给, RC-… for a 人才需求,
PT-… for a 平台共建: the kind's prefix, the year the listing entered the platform and its id.

The number is derived, never stored: the id and the creation time never change, so the number is stable
and unique without a sequence to allocate (nothing to lock, nothing for the importer's bulk writes to fill in).
The prefix follows the listing's kind, so it always tells the truth; the year and the id identify the listing,
and `parse_number` finds it by them whatever prefix is typed.

Pages show the number; URLs, the API and the command line keep the stable internal `reference`
(innovation/hightech/12, user/180), which is not for people to read.
"""

import datetime
import re

from django.utils import timezone

PREFIXES = {"demand": "XQ", "offer": "CG", "talent": "RC", "platform": "PT"}
DIGITS = 4  # the id is zero-padded to at least this many digits

_SEPARATOR = r"\s*[-－—_ ]?\s*"
_NUMBER = re.compile(
    rf"^\s*(?P<prefix>{'|'.join(PREFIXES.values())}){_SEPARATOR}(?P<year>\d{{4}}){_SEPARATOR}(?P<id>\d{{1,18}})\s*$",
    re.IGNORECASE,
)


def format_number(kind: str, pk: int | None, created_at: datetime.datetime | None) -> str:
    """The number of a listing of `kind` with id `pk` created at `created_at`; "" for an unsaved listing."""
    if pk is None or created_at is None:
        return ""
    year = timezone.localtime(created_at).year if timezone.is_aware(created_at) else created_at.year
    return f"{PREFIXES.get(kind, 'XM')}-{year}-{pk:0{DIGITS}d}"


def parse_number(text: str) -> tuple[int, int] | None:
    """(year, id) of a number typed by someone (XQ-2025-0012, xq 2025 12, XQ20250012), or None if `text` is
    not a number."""
    match = _NUMBER.match(text or "")
    if match is None:
        return None
    return int(match["year"]), int(match["id"])
