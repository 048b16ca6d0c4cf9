"""Automatic field classification of a listing from its text, by the keywords of data/taxonomy/fields.yaml."""

from dataclasses import dataclass

from techmarket.catalogue.models import Field

TITLE_WEIGHT = 3


@dataclass
class Classification:
    area: Field | None
    score: int
    matched: list[str]


def classify(title: str, description: str, areas: list[Field] | None = None) -> Classification:
    """The area whose keywords weigh most in the text; a keyword weighs its length, three times in the title."""
    areas = areas if areas is not None else list(Field.objects.filter(parent__isnull=False).select_related("parent"))
    best = Classification(None, 0, [])
    for area in areas:
        score, matched = 0, []
        for keyword in area.keywords:
            hits = TITLE_WEIGHT * title.count(keyword) + description.count(keyword)
            if hits:
                score += hits * len(keyword)
                matched.append(keyword)
        if score > best.score:
            best = Classification(area, score, matched)
    return best
