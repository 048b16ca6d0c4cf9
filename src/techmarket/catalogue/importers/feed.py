"""A partner platform's listings feed (.json) in the open feed's format (docs/schemas/open-feed.schema.json, the
feed this platform publishes at /open/feed.json): each listing becomes an import row.

The rows of a feed form one section titled by its publisher; a row's reference is the partner's own reference
(so a later feed updates the same listings whatever their order), under the collection key; its location is
the partner's number (编号), as people know it. Kind comes from the
feed; organisations are its organisations' names (lead first), modes its modes' names; a feed carries no
personal contacts. Listings the partner no longer publishes (`removed_listings`) are not acted on.
"""

import json
from pathlib import Path

from techmarket.catalogue.importers.rows import (
    ImportFormatError,
    ImportRow,
    ParsedFile,
    ParseOptions,
    RowProblem,
    Section,
    check_row,
)

MAX_BYTES = 10 * 1024 * 1024
KINDS = ("demand", "offer", "talent", "platform")
KEY_MAX = 70  # the partner's reference, in the listing's reference (120) under feed/ and the collection key (40)


def parse_feed(path: Path, options: ParseOptions | None = None) -> ParsedFile:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImportFormatError(f"{path.name} is larger than 10 MB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name}: not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{path.name}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except OSError as exc:
        raise ImportFormatError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("listings"), list):
        raise ImportFormatError(f"{path.name}: not a listings feed (no list of listings)")
    publisher = str(data.get("publisher") or "").strip()[:80] or "合作平台"
    parsed = ParsedFile("feed", publisher)
    section = Section(key="feed", title=publisher, kind="by-mode")
    parsed.sections.append(section)
    for index, item in enumerate(data["listings"], start=1):
        location = f"listing {index}"
        if not isinstance(item, dict):
            parsed.errors.append(RowProblem(location, "not an object"))
            continue
        key = str(item.get("reference") or "").strip()
        if not key or len(key) > KEY_MAX:
            parsed.errors.append(RowProblem(location, f"reference is empty or longer than {KEY_MAX} characters"))
            continue
        kind = str(item.get("kind") or "")
        if kind not in KINDS:
            parsed.errors.append(RowProblem(location, f"kind is not one of {', '.join(KINDS)}"))
            continue
        organisations = sorted((o for o in item.get("organisations") or [] if isinstance(o, dict)),
                               key=lambda o: o.get("role") != "lead")
        number = " ".join(str(item.get("number") or "").split())[:20]
        row = ImportRow(
            section, index, number, " ".join(str(item.get("title") or "").split()),
            str(item.get("description") or "").strip(),
            "、".join(str(o.get("name") or "").strip() for o in organisations if o.get("name")),
            "\n".join(str(m.get("name") or "").strip() for m in item.get("modes") or [] if isinstance(m, dict)),
            "", f"listing {number or index}", kind,
        )
        row.source_key = f"feed/{key}"
        if check_row(row, parsed.errors):
            parsed.rows.append(row)
    if not parsed.rows and not parsed.errors:
        raise ImportFormatError(f"{path.name} has no listings to import")
    return parsed
