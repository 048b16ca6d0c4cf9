"""Bounds held by the database itself (CHECK constraints) and by the services and model validators that
every writer goes through, whatever the interface (issue 9)."""

import datetime
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from techmarket.catalogue.models import CooperationMode, Listing
from techmarket.catalogue.services.listings import ListingInput, ListingInputError, create_listing, update_listing
from techmarket.common.bounds import TEXT_MESSAGE, latest_validity
from techmarket.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing():
    return Listing.objects.filter(status=Listing.Status.PUBLISHED).first()


@pytest.mark.parametrize("values", [
    {"budget_wan": Decimal("10000000.01")},
    {"budget_wan": Decimal("-0.01")},
    {"valid_until": datetime.date(9999, 12, 31)},
    {"valid_until": datetime.date(2101, 1, 1)},
    {"valid_until": datetime.date(1984, 12, 31)},
    {"title": "名" * 301},
    {"description": "字" * 20001},
])
def test_the_database_refuses_out_of_bounds_values(listing, values):
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(**values)
    fresh = Listing.objects.get(pk=listing.pk)
    assert all(getattr(fresh, name) == getattr(listing, name) for name in values)


@pytest.mark.parametrize("values", [
    {"budget_wan": Decimal("10000000.00")}, {"budget_wan": Decimal("0.00")}, {"budget_wan": Decimal("0.01")},
    {"valid_until": datetime.date(1985, 1, 1)}, {"valid_until": datetime.date(2100, 12, 31)},
    {"title": "名" * 300}, {"description": "字" * 20000},
])
def test_the_database_keeps_values_at_the_limits_exactly(listing, values):
    Listing.objects.filter(pk=listing.pk).update(**values)
    fresh = Listing.objects.get(pk=listing.pk)
    for name, value in values.items():
        assert getattr(fresh, name) == value and str(getattr(fresh, name)) == str(value)


def _input(**values) -> ListingInput:
    data = {"kind": "demand", "title": "盐湖提锂", "description": "卤水提锂。",
            "modes": [CooperationMode.objects.get(code="joint-rd")]}
    return ListingInput(**(data | values))


@pytest.mark.parametrize("values, field, words", [
    ({"valid_until": datetime.date(9999, 12, 31)}, "valid_until", "有效期最长为 10 年"),
    ({"valid_until": latest_validity() + datetime.timedelta(days=1)}, "valid_until", "有效期最长为 10 年"),
    ({"valid_until": datetime.date(1984, 12, 31)}, "valid_until", "1985"),
    ({"budget_wan": Decimal("999999999")}, "budget_wan", "10,000,000 万元"),
    ({"title": "盐湖\u202e提锂"}, "title", TEXT_MESSAGE),
    ({"title": "名" * 301}, "title", "300"),
    ({"description": "正文\x00"}, "description", TEXT_MESSAGE),
    ({"description": "字" * 20001}, "description", "20000"),
])
def test_the_services_refuse_out_of_bounds_input(member, listing, values, field, words):
    """What the forms and the API refuse first, the services refuse too (CLI, scripts, future callers)."""
    before = Listing.objects.count()
    with pytest.raises(ListingInputError) as error:
        create_listing(member, _input(**values))
    assert error.value.field == field and words in str(error.value)
    assert Listing.objects.count() == before


def test_the_services_refuse_an_out_of_bounds_edit_and_change_nothing(member, qinghai_university):
    own = Listing.objects.filter(owner=qinghai_university).first()
    title = own.title
    with pytest.raises(ListingInputError):
        update_listing(member, own, _input(budget_wan=Decimal("10000000.01")))
    own.refresh_from_db()
    assert own.title == title


@pytest.mark.parametrize("name", ["青海\u202e大学", "青海\x07大学", "青海\n大学", "\u2066青海大学\u2069"])
def test_directory_names_refuse_control_and_bidi_characters(name):
    for instance in (Organisation(name=name), Person(name=name)):
        with pytest.raises(Exception) as error:
            instance.full_clean()
        assert "name" in error.value.message_dict


def test_the_admin_refuses_an_organisation_name_with_a_right_to_left_override(client, make_user):
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post("/admin/directory/organisation/add/", {
        "name": "青海\u202e大学", "kind": "university", "credit_code": "", "description": "", "website": "",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 200
    assert TEXT_MESSAGE in response.content.decode()
    assert not Organisation.objects.filter(name="青海\u202e大学").exists()
