"""Excel export of the catalogue: the service and the catalogue-export download."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services.export import COLUMNS, export_listings_xlsx
from techmarket.catalogue.services.listings import ListingFilters, filter_listings
from techmarket.directory.models import Person
from tests.seed_counts import LISTINGS, OFFERS

pytestmark = pytest.mark.django_db

HEADERS = [name for name, _ in COLUMNS]


def read_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def personal_details() -> set[str]:
    values = set()
    for person in Person.objects.all():
        values.update(person.phones)
        values.update(person.emails)
    return values


def test_headers_and_one_row_per_listing():
    queryset = filter_listings(ListingFilters(kind="offer"))
    rows = read_rows(export_listings_xlsx(queryset, include_contacts=False))
    assert list(rows[0]) == HEADERS == ["编号", "类别", "项目名称", "主要内容", "实施单位", "合作方式", "领域",
                                        "分级", "状态", "有效期至", "来源"]
    assert len(rows) - 1 == queryset.count() == OFFERS
    assert [row[0] for row in rows[1:]] == [listing.number for listing in queryset]
    assert {row[1] for row in rows[1:]} == {"成果供给"}


def test_row_content():
    listing = Listing.objects.get(reference="innovation/hightech/6")
    listing.valid_until = "2030-06-30"
    listing.save()
    listing.refresh_from_db()
    rows = read_rows(export_listings_xlsx(Listing.objects.filter(pk=listing.pk), include_contacts=False))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["项目名称"] == listing.title
    assert row["主要内容"] == listing.description
    for link in listing.organisation_links.all():
        assert link.organisation.name in row["实施单位"]
    for mode in listing.modes.all():
        assert mode.name in row["合作方式"]
    assert row["领域"] == str(listing.field)
    assert row["分级"] == listing.get_grade_display()
    assert row["状态"] == "已发布"
    assert row["有效期至"].date().isoformat() == "2030-06-30"
    assert listing.source_section_title in row["来源"]


def test_contacts_only_when_asked():
    queryset = filter_listings(ListingFilters())
    without = read_rows(export_listings_xlsx(queryset, include_contacts=False))
    assert "联系人" not in without[0]
    text = "\n".join(str(value) for row in without for value in row if value is not None)
    assert not [value for value in personal_details() if value in text]

    with_contacts = read_rows(export_listings_xlsx(queryset, include_contacts=True))
    assert with_contacts[0][-1] == "联系人"
    assert len(with_contacts) - 1 == LISTINGS
    text = "\n".join(str(row[-1]) for row in with_contacts[1:] if row[-1])
    assert all(value in text for value in personal_details())


def test_formulas_and_control_characters_are_written_as_text():
    listing = Listing.objects.first()
    listing.title = "=HYPERLINK(\"http://example.com\")\x07"
    listing.save()
    rows = read_rows(export_listings_xlsx(Listing.objects.filter(pk=listing.pk), include_contacts=False))
    assert rows[1][2] == "'=HYPERLINK(\"http://example.com\")"


def download(client, **params) -> list[tuple]:
    response = client.get(reverse("catalogue-export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="catalogue-')  # Chinese name: filename*
    return read_rows(response.content)


@pytest.mark.parametrize("params", [
    {}, {"kind": "offer"}, {"field": "salt-lake"}, {"region": "haixi"}, {"grade": "A", "sort": "title"},
    {"q": "盐湖"}, {"kind": "bogus", "page": "3"},
])
def test_download_rows_equal_the_filtered_count(client, params):
    rows = download(client, **params)
    catalogue = client.get(reverse("catalogue"), params)
    assert len(rows) - 1 == catalogue.context["total"]


def test_download_has_contacts_only_for_users_who_may_see_them(client, member, unverified):
    assert "联系人" not in download(client, kind="offer")[0]
    client.force_login(unverified)
    assert "联系人" not in download(client, kind="offer")[0]
    client.force_login(member)
    rows = download(client, kind="offer")
    assert rows[0][-1] == "联系人"
    assert len(rows) - 1 == OFFERS
