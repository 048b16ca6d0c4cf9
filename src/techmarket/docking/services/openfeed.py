"""The open feed of listings and cooperation intents for the national and the aid units' platforms
(docs/docking.md): a JSON document whose schema is docs/schemas/open-feed.schema.json (generated from the models
below: `schema()`), complete or incremental (since a date), and an RSS channel of the newest listings.

Never in it: contact persons, phones, e-mails (Listing.contacts, contacts_raw), an intent's message or answer.
Free text (titles, descriptions) passes `redact`, which removes what looks like a phone number, an e-mail
address or a 联系人 name written into the text.
"""

from __future__ import annotations

import datetime
import re
from typing import Literal

from django.urls import reverse
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from techmarket.catalogue.models import Listing
from techmarket.catalogue.services.listings import changed_since
from techmarket.common.bounds import DESCRIPTION_MAX, TITLE_MAX
from techmarket.matching.models import CooperationIntent
from techmarket.matching.services.intents import agreed_intents

FEED_NAME = "qinghai-techmarket-open-feed"
VERSION = 1
PUBLISHER = "青海科技开放合作平台"
SCHEMA_ID = "https://techmarket.qinghai.example/open/schema.json"
HIDDEN = "［联系方式已隐去］"
_CONTACT_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail
    re.compile(r"(?<!\d)(\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"),  # mobile
    re.compile(r"(?<!\d)(\(?0\d{2,3}\)?[- ]?)\d{7,8}(?!\d)"),  # landline with area code
    re.compile(r"联系人[:：]\s*\S{1,12}"),
    re.compile(r"(电话|手机|邮箱|传真|联系方式)[:：]\s*\S+"),
]


def redact(text: str) -> str:
    for pattern in _CONTACT_PATTERNS:
        text = pattern.sub(HIDDEN, text)
    return text


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DockingMode(_Out):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=40)


class DockingOrganisation(_Out):
    name: str = Field(min_length=1, max_length=200)
    role: Literal["lead", "partner"] = Field(description="lead: 实施单位; partner: 合作单位")
    region_code: str = Field(max_length=40, description="所在地区代码 (empty when unknown)")
    region_name: str = Field(max_length=60)


class DockingListing(_Out):
    reference: str = Field(min_length=1, max_length=120, description="Stable key of the listing on this platform")
    number: str = Field(min_length=1, max_length=40, description="编号 as shown to people")
    kind: Literal["demand", "offer", "talent", "platform"]
    kind_name: str
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(max_length=20000)
    status: Literal["published", "in-talks", "contracted", "closed"]
    status_name: str
    field_code: str = Field(max_length=60)
    field_name: str = Field(max_length=60)
    top_field_code: str = Field(max_length=60)
    top_field_name: str = Field(max_length=60)
    modes: list[DockingMode]
    organisations: list[DockingOrganisation]
    grade: Literal["", "A", "B", "C"]
    trl: int | None = Field(None, ge=1, le=9, description="Technology readiness level")
    valid_until: datetime.date | None
    published_at: datetime.datetime | None
    updated_at: datetime.datetime
    url: str = Field(min_length=1, max_length=300, description="The listing's public page")


class DockingIntent(_Out):
    listing_reference: str = Field(min_length=1, max_length=120)
    organisation: str = Field(min_length=1, max_length=200, description="The organisation that answered")
    status: Literal["interested", "proposal"]
    status_name: str
    sent_at: datetime.datetime
    responded_at: datetime.datetime


class DockingFeed(_Out):
    """The open feed of the Qinghai Open Technology Market: listings and cooperation intents."""

    feed: Literal["qinghai-techmarket-open-feed"]
    version: Literal[1]
    publisher: str
    generated_at: datetime.datetime
    since: datetime.datetime | None = Field(description="null: the complete feed; else changes since then")
    complete: bool
    listings: list[DockingListing]
    removed_listings: list[str] = Field(description="References of listings no longer public (incremental only)")
    intents: list[DockingIntent]


def schema() -> dict:
    """The published JSON Schema (docs/schemas/open-feed.schema.json; a test keeps the file equal to this)."""
    document = DockingFeed.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **document}


def since_of(day: datetime.date | None) -> datetime.datetime | None:
    """The start of a day, local time."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _listing(listing: Listing, base_url: str) -> DockingListing:
    top = listing.field.top if listing.field_id else None
    organisations = [DockingOrganisation(
        name=link.organisation.name, role=link.role,
        region_code=link.organisation.region.code if link.organisation.region_id else "",
        region_name=link.organisation.region.name if link.organisation.region_id else "",
    ) for link in listing.organisation_links.all()]
    return DockingListing(
        reference=listing.reference, number=listing.number, kind=listing.kind, kind_name=listing.get_kind_display(),
        title=redact(listing.title)[:TITLE_MAX], description=redact(listing.description)[:DESCRIPTION_MAX],
        status=listing.status, status_name=listing.get_status_display(),
        field_code=listing.field.code if listing.field_id else "",
        field_name=listing.field.name if listing.field_id else "",
        top_field_code=top.code if top else "", top_field_name=top.name if top else "",
        modes=[DockingMode(code=m.code, name=m.name) for m in listing.modes.all()],
        organisations=organisations, grade=listing.grade, trl=listing.trl, valid_until=listing.valid_until,
        published_at=listing.published_at, updated_at=listing.updated_at,
        url=base_url + listing.get_absolute_url(),
    )


def _intent(intent: CooperationIntent) -> DockingIntent:
    return DockingIntent(
        listing_reference=intent.listing.reference, organisation=intent.organisation.name, status=intent.status,
        status_name=intent.get_status_display(), sent_at=intent.sent_at, responded_at=intent.responded_at)


def build(day: datetime.date | None = None, base_url: str = "") -> DockingFeed:
    """The complete feed (day None: every public listing, every positive answer) or the changes since the start
    of `day`."""
    since = since_of(day)
    listings, gone = changed_since(since)
    return DockingFeed(
        feed=FEED_NAME, version=VERSION, publisher=PUBLISHER, generated_at=timezone.now(), since=since,
        complete=since is None, listings=[_listing(item, base_url) for item in listings], removed_listings=gone,
        intents=[_intent(item) for item in agreed_intents(since)])


def as_json(feed: DockingFeed) -> bytes:
    return feed.model_dump_json(indent=1).encode("utf-8")


def public_url(base_url: str) -> str:
    return base_url + reverse("docking:feed-json")
