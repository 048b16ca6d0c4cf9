"""Prefecture markets: a prefecture's reviewer reviews its own prefecture's listings and gets 403 on another's;
its portal shows its own listings and deals, and the prefectures' deals with the provincial level's add up to the
province's."""

import re

import pytest
from django.urls import reverse

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services import lifecycle
from techmarket.catalogue.services.lifecycle import TransitionForbidden
from techmarket.market.services import statistics
from techmarket.prefectures.services import markets
from tests.web.words import english_words, internal_codes

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_a_prefecture_reviewer_reviews_its_own_prefectures_listings_only(client, haixi_reviewer, in_review):
    own, other = in_review("haixi", "盐湖提锂尾液综合利用"), in_review("xining", "高原牦牛乳保鲜")
    client.force_login(haixi_reviewer)
    queue = text_of(client.get(reverse("review-queue")))
    assert own.title in queue and other.title not in queue
    assert client.get(reverse("review-listing", args=[own.reference])).status_code == 200
    assert client.get(reverse("review-listing", args=[other.reference])).status_code == 403
    response = client.post(reverse("review-listing", args=[other.reference]), {"action": "reject",
                                                                               "reject-reason": "不符合要求"})
    assert response.status_code == 403
    with pytest.raises(TransitionForbidden):
        lifecycle.approve(other, haixi_reviewer)
    response = client.post(reverse("review-listing", args=[own.reference]), {"action": "approve"})
    assert response.status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == Listing.Status.PUBLISHED and other.status == Listing.Status.SUBMITTED


def test_a_prefecture_reviewer_is_not_a_provincial_reviewer(client, haixi_reviewer, in_review, reviewer):
    listing = in_review("haixi", "盐湖提锂尾液综合利用")
    assert not haixi_reviewer.is_reviewer
    client.force_login(haixi_reviewer)
    for url in [reverse("review-queue"), reverse("review-queue") + "?tab=all"]:
        assert client.get(url).status_code == 200
    client.force_login(reviewer)  # the province's reviewers keep every prefecture
    assert client.get(reverse("review-listing", args=[listing.reference])).status_code == 200


def test_the_portal_shows_its_prefectures_listings_and_deals(client, registered_in, in_review, haixi_reviewer):
    registered_in("haixi", "700000")
    registered_in("xining", "300000")
    haixi = text_of(client.get("/m/haixi/"))
    assert "海西蒙古族藏族自治州技术市场" in haixi and "对口援青：浙江省" in haixi
    assert "700000" in haixi and "300000" not in haixi
    ours = haixi.split("本地需求与成果")[0]  # listing titles below are quoted as their organisations wrote them
    assert english_words(ours) == [] and internal_codes(ours) == []
    market = markets.market("haixi")
    assert market.deals.count == 1 and market.deals.amount == 700000
    assert all(any(o.region.code in ("haixi",) or (o.region.parent and o.region.parent.code == "haixi")
                   for o in listing.organisations.all() if o.region) for listing in market.listings)
    assert client.get("/m/beijing/").status_code == 404 and client.get("/m/nowhere/").status_code == 404
    client.force_login(haixi_reviewer)
    assert "审核本地区的发布" in text_of(client.get("/m/haixi/"))
    assert "审核本地区的发布" not in text_of(client.get("/m/xining/"))


def test_the_prefectures_and_the_provincial_level_add_up_to_the_province(client, registered_in, absorb):
    registered_in("haixi", "700000")
    registered_in("haixi", "100000")
    registered_in("xining", "300000")
    absorb()  # registered at the provincial registry
    province = markets.province()
    total = statistics.statistics()
    assert province.total.count == total.count == 4
    assert sum(d.count for d in province.markets) == total.count
    assert sum(d.amount for d in province.markets) == total.amount
    assert sum(d.absorbed_count for d in province.markets) == total.absorbed.count
    by_label = {d.label: d for d in province.markets}
    assert by_label["海西蒙古族藏族自治州"].count == 2 and by_label["省本级"].count == 1
    page = text_of(client.get("/m/"))
    assert "全省合计" in page and english_words(page) == [] and internal_codes(page) == []
