"""Who gets what, by role, through real requests: drafts only for editors and reviewers (404 to everyone else),
the desk for them only (403 with the reason, log-in for anonymous visitors), events managed by their organiser's
members and editors, draft events hidden, sign-up for verified members of an organisation only."""

import pytest
from django.urls import reverse

from techmarket.publishing.services import events

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "unverified", "member", "editor", "reviewer", "organiser", "other_government"]


@pytest.fixture
def users(make_user, unverified, member, editor, reviewer, organiser):
    from techmarket.directory.models import Organisation

    bureau = Organisation.objects.create(name="海北州科学技术局（测试）", kind=Organisation.Kind.GOVERNMENT)
    return {"anonymous": None, "unverified": unverified, "member": member, "editor": editor, "reviewer": reviewer,
            "organiser": organiser, "other_government": make_user("bureau-member", organisation=bureau)}


def status(client, user, url, method="get", data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, data or {})
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


def matrix(client, users, url, method="get", data=None) -> dict:
    return {role: status(client, users[role], url, method, data) for role in ROLES}


def test_a_draft_article_is_seen_by_editors_and_reviewers_only(client, users, draft_article):
    url = draft_article().get_absolute_url()
    assert matrix(client, users, url) == {"anonymous": 404, "unverified": 404, "member": 404, "editor": 200,
                                          "reviewer": 200, "organiser": 404, "other_government": 404}


def test_the_desk_and_the_article_form(client, users):
    assert matrix(client, users, reverse("publishing:desk")) == {
        "anonymous": "login", "unverified": 403, "member": 403, "editor": 200, "reviewer": 200, "organiser": 403,
        "other_government": 403}
    assert matrix(client, users, reverse("publishing:article-new")) == {
        "anonymous": "login", "unverified": 403, "member": 403, "editor": 200, "reviewer": 403, "organiser": 403,
        "other_government": 403}


def test_events_are_created_and_managed_by_their_organisers(client, users, make_event, organiser):
    assert matrix(client, users, reverse("publishing:event-new")) == {
        "anonymous": "login", "unverified": 403, "member": 403, "editor": 200, "reviewer": 403, "organiser": 200,
        "other_government": 200}
    draft = make_event(organiser, publish=False)
    assert matrix(client, users, draft.get_absolute_url()) == {
        "anonymous": 404, "unverified": 404, "member": 404, "editor": 200, "reviewer": 404, "organiser": 200,
        "other_government": 404}
    event = make_event(organiser, title="已发布的活动")
    assert matrix(client, users, reverse("publishing:manage", args=[event.pk])) == {
        "anonymous": "login", "unverified": 403, "member": 403, "editor": 200, "reviewer": 403, "organiser": 200,
        "other_government": 403}
    assert matrix(client, users, event.get_absolute_url()) == {role: 200 for role in ROLES}


def test_only_verified_members_of_an_organisation_sign_up(client, users, make_event, organiser):
    event = make_event(organiser, requires_approval=False)
    url = reverse("publishing:signup", args=[event.pk])
    observed = {role: status(client, users[role], url, "post") for role in ROLES}
    assert observed["anonymous"] == "login"
    signed_up = {role for role in ROLES if users[role] is not None and events.own_signup(users[role], event)}
    assert signed_up == {"member", "organiser", "other_government"}
