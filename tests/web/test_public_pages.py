"""Public pages: home, catalogue (filters, pagination, export link), listing and organisation pages, and the
rule that personal contact details reach verified users only."""

import re

import pytest
from django.urls import reverse

from techmarket.catalogue.models import Listing, ListingAction
from techmarket.common.audit import log_action
from techmarket.directory.models import Organisation, Person
from tests.seed_counts import DEMANDS, LISTINGS, OFFERS

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
LOGIN_NOTE = "登录并通过实名核验后可查看联系人"


@pytest.fixture
def personal_details():
    values = set()
    for person in Person.objects.all():
        values.update(person.phones)
        values.update(person.emails)
    assert len(values) > 100, "the seed has contact persons with phones and e-mails"
    return values


def assert_nothing_personal(html: str, personal_details: set[str], where: str) -> None:
    leaked = sorted(value for value in personal_details if value in html)
    assert not leaked, f"{where} shows personal contact details: {leaked[:5]}"
    assert not MOBILE.search(html), f"{where} shows a mobile number: {MOBILE.search(html).group()}"
    assert not EMAIL.search(html), f"{where} shows an e-mail: {EMAIL.search(html).group()}"


def listing_with_contacts() -> Listing:
    return (Listing.objects.filter(contact_links__person__emails__icontains="@")
            .order_by("source_section", "source_position").first())


# --- privacy ------------------------------------------------------------------------------------------------

def test_anonymous_sees_no_personal_details_on_any_listing_page(client, personal_details):
    listings = list(Listing.objects.all())
    assert len(listings) == LISTINGS
    # An office line without a person's name is recorded under its organisation's name: that is no secret.
    organisation_names = set(Organisation.objects.values_list("name", flat=True))
    for listing in listings:
        response = client.get(listing.get_absolute_url())
        assert response.status_code == 200, listing.reference
        html = response.content.decode()
        assert_nothing_personal(html, personal_details, listing.reference)
        assert LOGIN_NOTE in html
        for link in listing.contact_links.select_related("person"):
            if link.person.name not in organisation_names:
                assert link.person.name not in html, listing.reference


def test_anonymous_sees_no_personal_details_on_catalogue_home_and_organisation_pages(client, personal_details):
    urls = [reverse("home"), reverse("catalogue"), reverse("catalogue") + "?sort=newest"]
    urls += [reverse("catalogue") + f"?page={n}" for n in range(2, 10)]
    urls += [reverse("organisation-detail", args=[o.pk]) for o in Organisation.objects.all()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_nothing_personal(response.content.decode(), personal_details, url)


@pytest.mark.parametrize("fixture", ["member", "outsider"])
def test_verified_user_sees_contacts(request, client, fixture):
    client.force_login(request.getfixturevalue(fixture))
    listing = listing_with_contacts()
    html = client.get(listing.get_absolute_url()).content.decode()
    for link in listing.contact_links.select_related("person"):
        assert link.person.name in html
        for value in [*link.person.phones, *link.person.emails]:
            assert value in html
    assert LOGIN_NOTE not in html


def test_unverified_user_sees_no_contacts(client, unverified, personal_details):
    client.force_login(unverified)
    listing = listing_with_contacts()
    html = client.get(listing.get_absolute_url()).content.decode()
    assert_nothing_personal(html, personal_details, listing.reference)
    assert LOGIN_NOTE in html
    assert "尚未通过实名核验" in html


def test_raw_contact_cell_is_never_rendered(client, member):
    listing = listing_with_contacts()
    listing.contacts_raw = "原文联系方式 RAW-CONTACT-MARKER"
    listing.save()
    for user in (None, member):
        if user:
            client.force_login(user)
        assert "RAW-CONTACT-MARKER" not in client.get(listing.get_absolute_url()).content.decode()


# --- home -----------------------------------------------------------------------------------------------------

def test_home_shows_counts_and_links_into_the_catalogue(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    counts = response.context["counts"]
    assert counts["total"] == LISTINGS
    assert {k["code"]: k["count"] for k in counts["by_kind"]}["offer"] == OFFERS
    assert f'{reverse("catalogue")}?kind=offer' in html
    assert f'{reverse("catalogue")}?field=salt-lake' in html
    assert len(response.context["grade_a"]) > 0
    assert all(listing.grade == "A" for listing in response.context["grade_a"])


# --- catalogue ------------------------------------------------------------------------------------------------

def catalogue(client, **params):
    response = client.get(reverse("catalogue"), params)
    assert response.status_code == 200
    return response


def test_catalogue_lists_everything_in_pages_of_20(client):
    response = catalogue(client)
    assert response.context["total"] == LISTINGS
    assert len(response.context["listings"]) == 20
    assert f"共 {LISTINGS} 条" in response.content.decode()
    pages, rest = divmod(LISTINGS, 20)
    last = catalogue(client, page=pages + 1)
    assert len(last.context["listings"]) == rest
    assert last.context["page_obj"].number == pages + 1


def test_filter_by_kind(client):
    response = catalogue(client, kind="offer")
    assert response.context["total"] == OFFERS
    assert f"共 {OFFERS} 条" in response.content.decode()
    assert all(listing.kind == "offer" for listing in response.context["listings"])


def test_filter_by_top_level_field_includes_its_areas(client):
    response = catalogue(client, field="salt-lake")
    expected = Listing.objects.filter(field__parent__code="salt-lake").count()
    assert expected > 0
    assert response.context["total"] == expected
    area = catalogue(client, field="salt-lake.lithium")
    assert 0 < area.context["total"] <= expected
    assert all(listing.field.code == "salt-lake.lithium" for listing in area.context["listings"])


def test_filter_by_region(client):
    haixi = catalogue(client, region="haixi")
    expected = Listing.objects.filter(organisations__region__code="haixi").distinct().count()
    assert expected > 0
    assert haixi.context["total"] == expected
    qinghai = catalogue(client, region="qinghai")
    assert qinghai.context["total"] > haixi.context["total"]


def test_filter_by_mode_grade_organisation_and_text(client, qinghai_university):
    mode = catalogue(client, mode="transfer")
    assert mode.context["total"] == Listing.objects.filter(modes__code="transfer").count() > 0
    grade = catalogue(client, grade="A")
    assert grade.context["total"] == Listing.objects.filter(grade="A").count() > 0
    by_org = catalogue(client, organisation=qinghai_university.pk)
    assert by_org.context["total"] == qinghai_university.listings.count() > 0
    assert "青海大学" in by_org.content.decode()
    text = catalogue(client, q="盐湖")
    assert 0 < text.context["total"] < LISTINGS
    combined = catalogue(client, kind="demand", field="salt-lake", sort="title")
    titles = [listing.title for listing in combined.context["listings"]]
    assert titles == sorted(titles)


def test_filter_choices_come_from_the_database(client):
    html = catalogue(client).content.decode()
    assert 'value="salt-lake.lithium"' in html
    assert 'value="haixi"' in html
    assert 'value="joint-rd"' in html


@pytest.mark.parametrize("params", [
    {"kind": "nonsense"}, {"field": "no-such-field"}, {"region": "atlantis"}, {"mode": "<script>"},
    {"organisation": "abc"}, {"organisation": "99999999999999999999999999"}, {"organisation": "-3"},
    {"status": "bogus"}, {"grade": "Z"}, {"sort": "drop table"}, {"q": "a\x00b"}, {"q": "长" * 500},
    {"page": "abc"}, {"page": "99999"}, {"page": "-1"},
])
def test_bad_filter_values_are_ignored(client, params):
    assert catalogue(client, **params).context["total"] == LISTINGS


def test_unpublished_statuses_are_not_offered_to_anonymous_users(client, reviewer):
    assert 'value="draft"' not in catalogue(client).content.decode()
    assert catalogue(client, status="draft").context["total"] == LISTINGS  # ignored
    client.force_login(reviewer)
    assert 'value="draft"' in catalogue(client).content.decode()


def test_page_links_and_export_link_keep_the_filters(client):
    response = catalogue(client, kind="demand", page=2)
    html = response.content.decode()
    assert response.context["total"] == DEMANDS
    assert "?kind=demand&amp;page=3" in html
    assert "?kind=demand&amp;page=1" in html
    assert f'{reverse("catalogue-export")}?kind=demand"' in html
    page2 = {listing.pk for listing in response.context["listings"]}
    page1 = {listing.pk for listing in catalogue(client, kind="demand").context["listings"]}
    assert len(page2) == 20 and not page1 & page2


# --- listing page ---------------------------------------------------------------------------------------------

def test_listing_page_shows_the_listing(client):
    listing = Listing.objects.get(reference="innovation/hightech/6")
    response = client.get(reverse("listing-detail", args=[listing.reference]))
    assert response.status_code == 200
    html = response.content.decode()
    assert listing.title in html
    assert listing.get_kind_display() in html
    for link in listing.organisation_links.all():
        assert reverse("organisation-detail", args=[link.organisation_id]) in html
    for mode in listing.modes.all():
        assert mode.name in html
    for criterion in listing.grade_basis.get("criteria", []):
        assert criterion["label"] in html
    assert listing.source_section_title in html
    assert listing.source_document.title in html
    assert "变更记录" not in html
    assert reverse("review-listing", args=[listing.reference]) not in html
    assert reverse("listing-edit", args=[listing.reference]) not in html


def test_listing_page_shows_trl_and_budget_when_set(client):
    listing = Listing.objects.get(reference="innovation/hightech/6")
    listing.trl, listing.budget_wan = 6, 1200
    listing.save()
    html = client.get(listing.get_absolute_url()).content.decode()
    assert "TRL 6" in html
    assert "1200 万元" in html


def test_unknown_listing_is_404(client):
    assert client.get(reverse("listing-detail", args=["innovation/hightech/9999"])).status_code == 404


def test_unpublished_listing_only_for_reviewers_and_the_owner(client, reviewer, member, outsider):
    listing = Listing.objects.filter(owner__name="青海大学").first()
    listing.status = Listing.Status.DRAFT
    listing.save()
    url = listing.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 200
    client.force_login(reviewer)
    assert client.get(url).status_code == 200


def test_reviewer_sees_history_and_review_link(client, reviewer):
    listing = Listing.objects.get(reference="innovation/hightech/6")
    log_action(listing, ListingAction.TRANSITION, reviewer, from_value="published", to_value="in-talks",
               reason="开始洽谈")
    client.force_login(reviewer)
    html = client.get(listing.get_absolute_url()).content.decode()
    assert "变更记录" in html
    assert "开始洽谈" in html
    assert "已发布 → 洽谈中" in html
    assert reverse("review-listing", args=[listing.reference]) in html
    assert reverse("listing-edit", args=[listing.reference]) not in html


def test_member_of_the_owner_sees_history_and_edit_link(client, member):
    listing = Listing.objects.filter(owner=member.organisation).first()
    client.force_login(member)
    html = client.get(listing.get_absolute_url()).content.decode()
    assert "变更记录" in html
    assert reverse("listing-edit", args=[listing.reference]) in html
    assert reverse("review-listing", args=[listing.reference]) not in html
    other = Listing.objects.exclude(owner=member.organisation).first()
    html = client.get(other.get_absolute_url()).content.decode()
    assert "变更记录" not in html
    assert reverse("listing-edit", args=[other.reference]) not in html


# --- organisation page ----------------------------------------------------------------------------------------

def test_organisation_page(client, qinghai_university):
    response = client.get(reverse("organisation-detail", args=[qinghai_university.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "青海大学" in html
    assert qinghai_university.get_kind_display() in html
    listings = list(response.context["listings"])
    assert len(listings) == qinghai_university.listings.count() > 0
    for listing in listings:
        assert listing.get_absolute_url() in html
    assert client.get(reverse("organisation-detail", args=[999999])).status_code == 404


def test_organisation_page_hides_unpublished_listings(client, qinghai_university):
    listing = qinghai_university.listings.first()
    listing.status = Listing.Status.DRAFT
    listing.save()
    response = client.get(reverse("organisation-detail", args=[qinghai_university.pk]))
    assert listing not in list(response.context["listings"])
