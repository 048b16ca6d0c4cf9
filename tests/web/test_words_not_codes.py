"""Pages speak in words (issue 13, point 5): grades by their Chinese names, fields and areas by their taxonomy
names, listings by their number (编号 XQ-2025-0012) or title. The internal codes behind them (grade A,
salt-lake.lithium, innovation/hightech/12, user/180) stay in URLs, the API and the command line."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from techmarket.catalogue.importers.loader import import_file
from techmarket.catalogue.models import CooperationMode, Field, Listing
from techmarket.catalogue.services.history import listing_history, reason_text
from techmarket.catalogue.services.lifecycle import transition
from techmarket.catalogue.services.listings import (
    ListingInput,
    create_listing,
    reclassify,
    regrade,
    update_listing,
)
from tests.web.words import GRADE_LETTER, REFERENCE_TEXT

pytestmark = pytest.mark.django_db

S = Listing.Status
PREFIXES = {"demand": "XQ", "offer": "CG", "talent": "RC", "platform": "PT"}
GRADE_NAMES = dict(Listing.Grade.choices)
NUMBER = re.compile(r"^(XQ|CG|RC|PT)-(\d{4})-(\d{4,})$")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The text a person reads (no tags, attributes, scripts or styles), of the whole page or of the element
    with a given id; `cells` are the texts of the table cells, row by row."""

    def __init__(self, element_id: str = ""):
        super().__init__()
        self.element_id, self.depth, self.skip = element_id, 0 if element_id else 1, 0
        self.parts: list[str] = []
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
        elif self.element_id and dict(attrs).get("id") == self.element_id:
            self.depth = 1
        if tag in ("script", "style"):
            self.skip += 1
        if self.depth and tag == "tr":
            self.rows.append([])
        if self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if self.depth and tag in ("td", "th") and self.cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        if self.depth and self.element_id:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)
            if self.cell is not None:
                self.cell.append(data)


def read(response, element_id: str = "") -> _Text:
    assert response.status_code == 200
    parser = _Text(element_id)
    parser.feed(response.content.decode())
    return parser


def text(response, element_id: str = "") -> str:
    parsed = read(response, element_id)
    assert parsed.parts, f"no element #{element_id}"
    return " ".join(" ".join(parsed.parts).split())


def assert_no_reference(visible: str, *listings: Listing) -> None:
    assert not REFERENCE_TEXT.search(visible), REFERENCE_TEXT.search(visible)[0]
    for listing in listings:
        assert listing.reference not in visible


@pytest.fixture
def draft(member):
    return create_listing(member, ListingInput(
        kind="demand", title="察尔汗盐湖卤水提锂吸附剂中试", description="盐湖卤水提锂关键技术攻关与产业化示范。",
        modes=[CooperationMode.objects.get(code="joint-tackling")],
    ))


@pytest.fixture
def submitted(member, draft):
    return transition(draft, S.SUBMITTED, user=member)


@pytest.fixture
def seed_listing(qinghai_university):
    return Listing.objects.filter(owner=qinghai_university, status=S.PUBLISHED, kind="demand").first()


@pytest.fixture
def reworked(reviewer, seed_listing):
    """A seed listing a reviewer has regraded and then moved to another field."""
    other_grade = next(grade for grade in Listing.Grade.values if grade != seed_listing.grade)
    regrade(reviewer, seed_listing, other_grade, "专家论证后调整")
    lithium, storage = Field.objects.get(code="salt-lake.lithium"), Field.objects.get(code="clean-energy.storage")
    reclassify(reviewer, seed_listing, lithium if seed_listing.field_id != lithium.pk else storage, "人工确认")
    reclassify(reviewer, seed_listing, storage if seed_listing.field_id == lithium.pk else lithium, "再次调整")
    seed_listing.refresh_from_db()
    return seed_listing


# --- Grades by name ------------------------------------------------------------------------------------


def grade_cells(response) -> list[str]:
    rows = read(response).rows
    column = rows[0].index("分级")
    return [row[column] for row in rows[1:]]


def test_the_review_queue_names_grades(login, reviewer, submitted):
    assert submitted.grade
    client = login(reviewer)
    for params in ({}, {"tab": "all"}, {"tab": "all", "grade": "A"}):
        cells = grade_cells(client.get(reverse("review-queue"), params))
        assert cells
        for cell in cells:
            assert cell.removesuffix(" 已调整") in {*GRADE_NAMES.values(), "未分级"}, cell
            assert not GRADE_LETTER.search(cell), cell
    cells = grade_cells(client.get(reverse("review-queue")))
    assert GRADE_NAMES[submitted.grade] in cells


def test_the_review_page_names_the_grade(login, reviewer, reworked):
    visible = text(login(reviewer).get(reverse("review-listing", args=[reworked.reference])))
    assert f"分级 {GRADE_NAMES[reworked.grade]}（已人工调整）" in visible


# --- History in words ----------------------------------------------------------------------------------


def assert_history_in_words(history: str, listing: Listing) -> None:
    codes = set(Field.objects.values_list("code", flat=True))
    assert not [code for code in codes if re.search(rf"(?<![\w.-]){re.escape(code)}(?![\w.-])", history)]
    assert not GRADE_LETTER.search(history), GRADE_LETTER.search(history)
    assert "→" in history
    assert GRADE_NAMES[listing.grade] in history
    assert str(Field.objects.get(code="salt-lake.lithium")) in history
    assert str(Field.objects.get(code="clean-energy.storage")) in history
    assert "imported from" not in history and "从 " in history


def test_a_listings_history_names_grades_and_fields(login, reviewer, member, reworked):
    rows = listing_history(reworked)
    regrades = [row for row in rows if row["type"] == "调整分级"]
    assert [row["to_value"] for row in regrades] == [GRADE_NAMES[reworked.grade]]
    assert regrades[0]["from_value"] in GRADE_NAMES.values()
    reclassified = [row for row in rows if row["type"] == "调整分类"]
    assert reclassified[-1]["to_value"] == str(reworked.field)
    assert reclassified[-1]["from_value"] == str(reclassified[0]["to_value"])

    for user in (reviewer, member):
        history = text(login(user).get(reworked.get_absolute_url()), "history")
        assert_history_in_words(history, reworked)
    history = text(login(reviewer).get(reverse("review-listing", args=[reworked.reference])), "history")
    assert_history_in_words(history, reworked)


def test_reimport_notes_name_the_changed_columns():
    assert (reason_text("re-imported from a.xlsx; changed: title, description")
            == "从 a.xlsx 重新导入，更新了：项目名称、主要内容")
    assert reason_text("imported from a.txt") == "从 a.txt 导入"
    assert reason_text("专家论证后调整") == "专家论证后调整"


# --- Numbers, not references ---------------------------------------------------------------------------


def test_listing_pages_show_the_number_not_the_reference(client, login, member, reviewer, seed_listing, submitted):
    response = client.get(seed_listing.get_absolute_url())
    visible = text(response)
    assert_no_reference(visible, seed_listing)
    assert f"编号 {seed_listing.number}" in visible

    for user in (member, reviewer):
        visible = text(login(user).get(submitted.get_absolute_url()))
        assert_no_reference(visible, submitted)
        assert submitted.number in visible
    pages = [
        (member, reverse("my-listings")),
        (member, reverse("listing-edit", args=[seed_listing.reference])),
        (reviewer, reverse("review-queue")),
        (reviewer, reverse("review-queue") + "?tab=all"),
        (reviewer, reverse("review-listing", args=[submitted.reference])),
        (reviewer, reverse("intent-publish", args=[seed_listing.reference])),
    ]
    for user, url in pages:
        visible = text(login(user).get(url))
        assert_no_reference(visible, submitted, seed_listing)
    assert submitted.number in text(login(member).get(reverse("my-listings")))
    edit_page = text(login(member).get(reverse("listing-edit", args=[seed_listing.reference])))
    assert f"编号 {seed_listing.number}" in edit_page
    assert submitted.number in text(login(reviewer).get(reverse("review-queue")))


def test_breadcrumbs_end_with_the_title(client, seed_listing):
    html = client.get(seed_listing.get_absolute_url()).content.decode()
    start = html.index('<ol class="breadcrumb">')
    crumbs = html[start:html.index("</ol>", start)]
    assert seed_listing.reference not in re.sub(r'href="[^"]*"', "", crumbs)
    assert seed_listing.title[:20] in crumbs


def test_search_results_show_numbers(client):
    response = client.get(reverse("search"), {"q": "盐湖提锂"})
    visible = text(response)
    assert_no_reference(visible)
    numbers = re.findall(r"\b(?:XQ|CG|RC|PT)-\d{4}-\d{4,}\b", visible)
    assert numbers
    assert all(Listing.objects.filter(pk=int(number.rsplit("-", 1)[1])).exists() for number in numbers)


def test_every_listing_has_a_unique_number_of_its_kind():
    numbers = {}
    for listing in Listing.objects.all():
        match = NUMBER.match(listing.number)
        assert match, listing.number
        assert match[1] == PREFIXES[listing.kind]
        assert int(match[3]) == listing.pk
        numbers[listing.number] = listing.pk
    assert len(numbers) == Listing.objects.count() > 0
    assert {number[:2] for number in numbers} == set(PREFIXES.values())


def test_a_new_listing_gets_a_number_at_once(draft):
    assert draft.reference == f"user/{draft.pk}"
    assert re.fullmatch(rf"XQ-\d{{4}}-{draft.pk:04d}", draft.number)
    assert Listing.objects.get(pk=draft.pk).number == draft.number


def test_the_number_is_stable(member, seed_listing):
    before = {pk: Listing.objects.get(pk=pk).number for pk in Listing.objects.values_list("pk", flat=True)}
    update_listing(member, seed_listing, ListingInput(
        kind=seed_listing.kind, title=seed_listing.title + "（修订）", description=seed_listing.description,
        modes=list(seed_listing.modes.all()),
    ))
    import_file(settings.TECHMARKET_SEED_FILE)  # a re-import updates listings in place
    after = {listing.pk: listing.number for listing in Listing.objects.all()}
    assert after == before


def test_a_number_finds_its_listing(client, login, member, seed_listing, draft):
    for typed in (seed_listing.number, seed_listing.number.lower(), seed_listing.number.replace("-", "")):
        response = client.get(reverse("search"), {"q": typed})
        assert response.status_code == 302 and response.url == seed_listing.get_absolute_url(), typed
    response = client.get(reverse("catalogue"), {"q": seed_listing.number})
    assert "共 1 条" in text(response) and seed_listing.title in text(response)

    # A draft is found only by those who may see it.
    assert client.get(reverse("search"), {"q": draft.number}).status_code == 200
    assert "共 0 条" in text(client.get(reverse("catalogue"), {"q": draft.number}))
    response = login(member).get(reverse("search"), {"q": draft.number})
    assert response.status_code == 302 and response.url == draft.get_absolute_url()


def test_the_api_keeps_the_reference(client, seed_listing):
    data = client.get(f"/api/listings/{seed_listing.reference}").json()
    assert data["reference"] == seed_listing.reference
    items = client.get("/api/listings", {"q": seed_listing.title}).json()["items"]
    assert seed_listing.reference in [item["reference"] for item in items]
