"""Targeted publishing through the web: the reviewer's publish page, the recipient's inbox and answer,
and the follow-up panel on the listing page."""

import pytest
from django.urls import resolve, reverse

from techmarket.catalogue.models import Listing
from techmarket.directory.models import Organisation
from techmarket.matching.models import CooperationIntent
from techmarket.matching.services import intents as service

pytestmark = pytest.mark.django_db

ST = CooperationIntent.Status
DEMAND = "innovation/agriculture/33"  # owned by 青海省草原总站; 青海大学 ranks first


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def listing():
    return Listing.objects.get(reference=DEMAND)


@pytest.fixture
def publish_url(listing):
    return reverse("intent-publish", args=[listing.reference])


@pytest.fixture
def owner_member(make_user, listing):
    return make_user("owner", organisation=listing.owner)


def test_publish_route_is_not_swallowed_by_the_listing_page(publish_url):
    assert publish_url == f"/listings/{DEMAND}/publish/"
    assert resolve(publish_url).url_name == "intent-publish"
    assert resolve(f"/listings/{DEMAND}/").url_name == "listing-detail"
    assert resolve("/my/intents/").url_name == "my-intents"


def test_non_reviewers_may_not_publish(client, login, member, owner_member, publish_url, qinghai_university):
    response = client.get(publish_url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    for user in (member, owner_member):
        client = login(user)
        assert client.get(publish_url).status_code == 403
        response = client.post(publish_url, {"organisations": [qinghai_university.pk], "message": "x"})
        assert response.status_code == 403
    assert not CooperationIntent.objects.exists()


def test_the_full_loop(client, login, reviewer, member, owner_member, listing, publish_url, qinghai_university):
    # The reviewer sees ranked institutions with their score and explanation.
    client = login(reviewer)
    response = client.get(publish_url)
    assert response.status_code == 200
    html = page(response)
    assert "定向发布" in html and "青海大学" in html and "匹配理由" in html
    assert f'name="organisations" value="{qinghai_university.pk}"' in html
    first = response.context["suggestions"][0]["fit"]
    assert first.organisation_id == qinghai_university.pk and first.explanation in html

    cau = Organisation.objects.get(name="中国农业大学")
    response = client.post(publish_url, {"organisations": [qinghai_university.pk, cau.pk], "message": "请研究"},
                           follow=True)
    assert response.redirect_chain[-1][0] == publish_url
    assert "已向 2 家机构定向发布" in page(response)
    assert CooperationIntent.objects.filter(listing=listing).count() == 2
    # Already sent: no checkbox any more, and a second send is refused.
    assert f'name="organisations" value="{qinghai_university.pk}"' not in page(response)
    response = client.post(publish_url, {"organisations": [qinghai_university.pk]}, follow=True)
    assert "不能重复发送" in page(response)
    assert CooperationIntent.objects.filter(listing=listing).count() == 2

    # The recipient's member finds it in the inbox and answers with a proposal.
    client = login(member)
    inbox = client.get(reverse("my-intents"))
    assert inbox.status_code == 200
    assert listing.title in page(inbox) and "请研究" in page(inbox)
    assert "合作意向" in page(inbox)  # the nav item
    intent = CooperationIntent.objects.get(listing=listing, organisation=qinghai_university)
    respond_url = reverse("intent-respond", args=[intent.pk])
    response = client.post(respond_url, {"status": ST.PROPOSAL, "text": ""}, follow=True)
    assert "方案内容" in page(response)
    response = client.post(respond_url, {"status": ST.PROPOSAL, "text": "联合攻关：青藏高原特色作物育种"},
                           follow=True)
    # The positive answer opened talks with the demand's owner in the same step: the member lands in them.
    intent.refresh_from_db()
    assert intent.status == ST.PROPOSAL and intent.responded_by == member and intent.inquiry is not None
    assert response.redirect_chain[-1][0] == intent.inquiry.get_absolute_url()
    assert "已回复" in page(response) and "开启洽谈" in page(response)
    assert "联合攻关：青藏高原特色作物育种" in page(response)  # the proposal is the talks' first message
    listing.refresh_from_db()
    assert listing.status == Listing.Status.IN_TALKS
    # The owner's member finds the talks in the workspace and the answer on the intents page.
    owner_client = login(owner_member)
    assert intent.inquiry.get_absolute_url() in page(owner_client.get(reverse("workspace")))
    answers = page(owner_client.get(reverse("my-intents")))
    assert 'id="answer-' in answers and "青海大学" in answers and intent.inquiry.get_absolute_url() in answers
    client = login(member)

    # The reviewer and the owner's member see each recipient, its answer and the counts.
    for user in (reviewer, owner_member):
        html = page(login(user).get(listing.get_absolute_url()))
        assert 'id="intents"' in html
        assert "已定向发布至 2 家机构，1 家有意向（其中 1 家已提交方案），1 家尚未回复。" in html
        assert "青海大学" in html and "联合攻关：青藏高原特色作物育种" in html and "member" in html
        assert (publish_url in html) is (user == reviewer)

    # Anonymous visitors and other users see only the counts.
    client.logout()
    for response in (client.get(listing.get_absolute_url()),
                     login(Organisation.objects.get(name="兰州大学").members.create(
                         username="lzu", is_verified=True)).get(listing.get_absolute_url())):
        html = page(response)
        assert "已定向发布至 2 家机构，1 家有意向" in html
        assert "联合攻关：青藏高原特色作物育种" not in html
        assert "中国农业大学" not in html and "member" not in html
        assert publish_url not in html
        client.logout()


def test_listing_page_without_intents_shows_no_panel_to_the_public(client, login, reviewer, listing, publish_url):
    assert 'id="intents"' not in page(client.get(listing.get_absolute_url()))
    html = page(login(reviewer).get(listing.get_absolute_url()))
    assert "尚未定向发布" in html and publish_url in html


def test_offer_listings_cannot_be_published(login, reviewer):
    offer = Listing.objects.filter(kind=Listing.Kind.OFFER, status=Listing.Status.PUBLISHED).first()
    client = login(reviewer)
    url = reverse("intent-publish", args=[offer.reference])
    html = page(client.get(url))
    assert "只有已发布或洽谈中的技术需求" in html and 'name="organisations"' not in html
    assert url not in page(client.get(offer.get_absolute_url()))


def test_inbox_is_for_verified_organisation_members(client, login, unverified, outsider, member):
    url = reverse("my-intents")
    assert client.get(url).status_code == 302
    assert login(unverified).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 403
    assert "暂无向本单位定向发布的需求" in page(login(member).get(url))


def test_only_the_recipient_s_members_may_answer(client, login, reviewer, listing, make_user, member,
                                                 qinghai_university):
    [intent] = service.send_intents(reviewer, listing, [qinghai_university.pk])
    url = reverse("intent-respond", args=[intent.pk])
    stranger = make_user("stranger", organisation=Organisation.objects.get(name="中国农业大学"))
    assert login(stranger).post(url, {"status": ST.INTERESTED}).status_code == 403
    assert login(member).get(url).status_code == 405
    intent.refresh_from_db()
    assert intent.status == ST.SENT
    # Stranger's inbox does not show it.
    assert listing.title not in page(login(stranger).get(reverse("my-intents")))


def test_declined_intents_offer_no_answer_form(login, reviewer, listing, member, qinghai_university):
    [intent] = service.send_intents(reviewer, listing, [qinghai_university.pk])
    service.respond(member, intent, ST.DECLINED, "暂无人力")
    html = page(login(member).get(reverse("my-intents")))
    assert "暂无人力" in html and reverse("intent-respond", args=[intent.pk]) not in html
    response = login(member).post(reverse("intent-respond", args=[intent.pk]),
                                  {"status": ST.INTERESTED}, follow=True)
    assert "不能再变更" in page(response)


def test_nav_item_for_users_with_an_organisation(client, login, member, outsider):
    assert reverse("my-intents") not in page(client.get("/"))
    assert reverse("my-intents") not in page(login(outsider).get("/"))
    assert reverse("my-intents") in page(login(member).get("/"))
