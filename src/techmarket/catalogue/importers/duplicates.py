"""Probable duplicates across sources: an item of a file that the catalogue already holds from another
compilation.

The rule: a row whose listing does not exist yet (its reference is new) is a probable duplicate of an existing
listing when
  - they share a unit: one of the row's organisations, as the directory matched it (not one to be created), is
    linked to the listing; and
  - the titles are near-identical: after folding (NFKC, whitespace and punctuation removed) they are equal, or
    difflib's ratio of the two is at least TITLE_RATIO; and
  - the texts are near-identical: difflib's ratio of the folded descriptions (their first TEXT_CHARS characters)
    is at least TEXT_RATIO.
Withdrawn and rejected listings are not candidates. The best-scoring candidate (title ratio + text ratio) is
proposed.
"""

import re
import unicodedata
from difflib import SequenceMatcher

from techmarket.catalogue.models import Listing, ListingOrganisation

TITLE_RATIO = 0.85
TEXT_RATIO = 0.75
TEXT_CHARS = 600
CHUNK = 500
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def _ratio(a: str, b: str, floor: float) -> float:
    """difflib's ratio, or 0 as soon as its cheap upper bounds fall below `floor`."""
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


def similarity(title_a: str, text_a: str, title_b: str, text_b: str) -> tuple[float, float]:
    """(title ratio, text ratio); the text is compared only when the titles are near-identical."""
    title = _ratio(fold(title_a), fold(title_b), TITLE_RATIO)
    if title < TITLE_RATIO:
        return title, 0.0
    return title, _ratio(fold(text_a)[:TEXT_CHARS], fold(text_b)[:TEXT_CHARS], TEXT_RATIO)


def find_duplicates(details: list[dict]) -> dict[str, dict]:
    """For the plan's rows (loader._Plan.details) that would create a listing: reference → the probable
    duplicate {"pk", "title", "number", "source"} it most resembles."""
    new = [d for d in details if not d["existing"] and d.get("organisation_ids")]
    org_ids = sorted({pk for d in new for pk in d["organisation_ids"]})
    if not org_ids:
        return {}
    references = {d["reference"] for d in details}
    by_org: dict[int, set[int]] = {}
    for start in range(0, len(org_ids), CHUNK):
        for org_id, listing_id in ListingOrganisation.objects.filter(
                organisation_id__in=org_ids[start:start + CHUNK]).values_list("organisation_id", "listing_id"):
            by_org.setdefault(org_id, set()).add(listing_id)
    listing_ids = sorted({pk for ids in by_org.values() for pk in ids})
    listings = {}
    for start in range(0, len(listing_ids), CHUNK):
        for listing in Listing.objects.filter(pk__in=listing_ids[start:start + CHUNK]).exclude(
                status__in=[Listing.Status.WITHDRAWN, Listing.Status.REJECTED]).exclude(
                reference__in=references).select_related("source_document"):
            listings[listing.pk] = listing
    found = {}
    for detail in new:
        best, best_score = None, 0.0
        for pk in sorted({pk for org in detail["organisation_ids"] for pk in by_org.get(org, ())}):
            listing = listings.get(pk)
            if listing is None:
                continue
            title, text = similarity(detail["title"], detail["description"], listing.title, listing.description)
            if title >= TITLE_RATIO and text >= TEXT_RATIO and title + text > best_score:
                best, best_score = listing, title + text
        if best is not None:
            found[detail["reference"]] = {
                "pk": best.pk, "title": best.title, "number": best.number,
                "source": best.source_document.title if best.source_document else "",
                "section": best.source_section_title}
    return found
