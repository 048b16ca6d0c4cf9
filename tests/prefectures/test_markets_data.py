"""Featured fields and specialised sub-markets as data (data/prefectures/markets.yaml): the codes exist, a
prefecture's portal shows its featured fields with its own figures, and a specialised market gathers its field's
listings and deals from every prefecture."""

import re

import pytest

from techmarket.catalogue.models import Field
from techmarket.common.datafiles import DataFileError, load
from techmarket.directory.models import Region
from techmarket.market.models import Contract
from techmarket.prefectures.services import config, markets
from tests.web.words import english_words, internal_codes

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def in_field(registration, code: str) -> None:
    Contract.objects.filter(pk=registration.contract_id).update(field=Field.objects.get(code=code))


def test_every_code_of_the_file_exists():
    data = config.read()
    prefectures = set(Region.objects.filter(kind=Region.Kind.PREFECTURE).values_list("code", flat=True))
    assert set(data.featured) == prefectures  # every prefecture has its featured fields
    fields = set(Field.objects.values_list("code", flat=True))
    named = {code for codes in data.featured.values() for code in codes} | {m.field for m in data.specialised}
    assert named <= fields


def test_a_code_used_twice_is_refused():
    raw = config.read().model_dump(mode="json")
    raw["specialised"].append(raw["specialised"][0])
    with pytest.raises(DataFileError, match="used twice"):
        load(config.MarketsFile, raw, "markets.yaml")


def test_the_portal_shows_its_featured_fields_with_its_own_figures(client, registered_in):
    in_field(registered_in("haixi", "700000"), "salt-lake.lithium")
    in_field(registered_in("xining", "300000"), "salt-lake.potash")
    featured = {f.code: f for f in markets.featured(Region.objects.get(code="haixi"))}
    assert list(featured) == ["salt-lake", "clean-energy", "nonferrous"]
    assert featured["salt-lake"].deals.count == 1 and featured["salt-lake"].deals.amount == 700000
    page = text_of(client.get("/m/haixi/"))
    assert "特色领域" in page and "盐湖" in page
    ours = page.split("本地需求与成果")[0]
    assert english_words(ours) == [] and internal_codes(ours) == []


def test_a_specialised_market_gathers_its_field_from_every_prefecture(client, registered_in):
    in_field(registered_in("haixi", "700000"), "salt-lake.lithium")
    in_field(registered_in("xining", "300000"), "salt-lake.potash")
    in_field(registered_in("haidong", "50000"), "clean-energy.solar")
    market = markets.specialised("salt-lake")
    assert market.deals.count == 2 and market.deals.amount == 1000000
    assert all(listing.field.top.code == "salt-lake" for listing in market.listings if listing.field_id)
    assert market.listings.count() > 0  # the seed has salt-lake listings
    page = text_of(client.get("/m/fields/salt-lake/"))
    assert "盐湖产业技术市场" in page and "1000000" in page
    assert english_words(page.split("需求与成果（")[0]) == [] and internal_codes(page.split("需求与成果（")[0]) == []
    assert client.get("/m/fields/nowhere/").status_code == 404
    overview = text_of(client.get("/m/"))
    assert "专业技术市场" in overview and "中藏药技术市场" in overview
