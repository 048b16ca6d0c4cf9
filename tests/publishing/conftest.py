"""Fixtures of the publishing tests: an editor, the department as organiser with a member, attending
organisations, a published event linking a seed offer and demand, and helpers that make sign-ups."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from techmarket.accounts.roles import EDITORS
from techmarket.catalogue.models import Listing
from techmarket.directory.models import Organisation
from techmarket.publishing.services import articles, events
from tests.market.conftest import media_root, pdf_upload  # noqa: F401  (shared fixtures)


@pytest.fixture
def editor(make_user):
    user = make_user("editor", display_name="信息编辑")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def department(db):
    return Organisation.objects.create(name="青海省科学技术厅（测试）", kind=Organisation.Kind.GOVERNMENT)


@pytest.fixture
def organiser(make_user, department):
    return make_user("organiser", organisation=department, display_name="活动组织者")


@pytest.fixture
def offer(db):
    """A published seed offer with an owner: what attendees open talks on."""
    return Listing.objects.filter(kind=Listing.Kind.OFFER, status=Listing.Status.PUBLISHED,
                                  owner__isnull=False).order_by("pk").first()


@pytest.fixture
def demand(db):
    return Listing.objects.filter(kind=Listing.Kind.DEMAND, status=Listing.Status.PUBLISHED,
                                  owner__isnull=False).order_by("pk").first()


@pytest.fixture
def attendee(make_user):
    """A factory: a verified member of a new enterprise."""

    def make(n: int):
        org = Organisation.objects.create(name=f"青海测试参会企业{n:02d}有限公司", kind=Organisation.Kind.ENTERPRISE)
        return make_user(f"attendee{n:02d}", organisation=org, display_name=f"参会人{n:02d}")

    return make


def event_input(department, *, capacity=30, requires_approval=True, listings=(), days=7, **extra):
    start = (timezone.now() + datetime.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    values = {"kind": "matchmaking", "title": "盐湖产业技术对接会", "organiser": department, "starts_at": start,
              "ends_at": start + datetime.timedelta(hours=4), "capacity": capacity, "place": "西宁市城西区测试会议中心",
              "agenda": "09:00 开幕\n09:30 需求推介", "requires_approval": requires_approval,
              "listing_numbers": [x.number for x in listings], **extra}
    return events.EventInput(**values)


@pytest.fixture
def make_event(department):
    def make(user, *, publish=True, **extra):
        event = events.create(user, event_input(department, **extra))
        return events.publish(user, event) if publish else event

    return make


@pytest.fixture
def draft_article(editor):
    def make(title="关于举办2026年科技成果直通车活动的通知", kind="notice", body="<p>盐湖提锂技术专场对接。</p>"):
        return articles.create(editor, articles.ArticleInput(kind=kind, title=title, body=body, summary="活动通知"))

    return make
