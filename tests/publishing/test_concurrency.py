"""Concurrent requests on PostgreSQL (tests/market/concurrency.py): sign-ups past capacity at once leave exactly the
capacity signed up, the others refused with the reason; two requests for one meeting at once create one."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from techmarket.common.errors import Refused
from techmarket.directory.models import Organisation
from techmarket.publishing.models import Event, Meeting, SignUp
from techmarket.publishing.services import events, meetings
from tests.market.concurrency import at_once, committed_db, postgres_only  # noqa: F401 (fixture)


@pytest.fixture
def world(committed_db):  # noqa: F811 (the fixture)
    User = get_user_model()
    department = Organisation.objects.create(name="并发测试科技局", kind=Organisation.Kind.GOVERNMENT)
    organisations = [department]
    organiser = User.objects.create_user(username="concurrent-organiser", password="x", is_verified=True,
                                         organisation=department)
    people = []
    for n in range(6):
        org = Organisation.objects.create(name=f"并发测试企业{n}有限公司")
        organisations.append(org)
        people.append(User.objects.create_user(username=f"concurrent-attendee{n}", password="x", is_verified=True,
                                               organisation=org))
    start = timezone.now() + datetime.timedelta(days=3)
    event = events.publish(organiser, events.create(organiser, events.EventInput(
        kind="fair", title="并发测试科技集市", organiser=department, starts_at=start,
        ends_at=start + datetime.timedelta(hours=2), capacity=3, place="测试会场", requires_approval=False)))
    try:
        yield event, people
    finally:
        Event.objects.filter(pk=event.pk).delete()
        User.objects.filter(username__startswith="concurrent-").delete()
        Organisation.objects.filter(pk__in=[o.pk for o in organisations]).delete()


@postgres_only()
def test_concurrent_sign_ups_never_pass_the_capacity(world):
    event, people = world
    results = at_once(6, lambda i: events.sign_up(people[i], Event.objects.get(pk=event.pk)))
    refused = [r for r in results if isinstance(r, Refused)]
    assert SignUp.objects.filter(event=event).count() == 3 and len(refused) == 3
    assert all("名额已满" in str(r) for r in refused)


@postgres_only()
def test_concurrent_bookings_of_one_meeting_create_one(world):
    event, people = world
    a, b = (events.sign_up(person, event).signup for person in people[:2])
    slot = meetings.slots(event)[0]
    pairs = [(people[0], b), (people[1], a)] * 3
    results = at_once(6, lambda i: meetings.book(pairs[i][0], Event.objects.get(pk=event.pk), pairs[i][1], slot))
    assert Meeting.objects.filter(event=event).count() == 1
    assert sum(1 for r in results if isinstance(r, tuple) and r[1]) == 1
    assert all(isinstance(r, tuple) for r in results), results
