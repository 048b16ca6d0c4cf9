"""Information publishing and matchmaking events (docs/publishing.md): public articles (drafts only for editors and
reviewers, 404 to others), events with their statistics, yearly statistics, and signing up for an event (the web's
session and CSRF token). No personal contacts: attendees are counted, never listed."""

import datetime

from ninja import Field, Path, Query, Router, Schema, Status

from techmarket.api.schemas import MAX_ID, Error
from techmarket.api.security import session_auth
from techmarket.publishing.models import SUMMARY_MAX, Article, Event
from techmarket.publishing.services import articles, events, statistics

router = Router(tags=["publishing"])


class ArticleQuery(Schema):
    kind: str = Field("", max_length=20, description="notice / policy / news / story")
    category: str = Field("", max_length=40)
    q: str = Field("", max_length=100)
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100000)


class AttachmentOut(Schema):
    name: str
    size: int
    url: str


class ArticleRuleOut(Schema):
    id: str
    title: str
    article: str


class ArticleOut(Schema):
    id: int
    kind: str
    kind_name: str
    title: str
    summary: str
    category: str | None
    status: str
    publish_at: datetime.datetime | None
    url: str


class ArticleDetail(ArticleOut):
    body_html: str = Field(description="经过清洗的 HTML 正文")
    attachments: list[AttachmentOut]
    policy_document: str
    policy_rules: list[ArticleRuleOut]


class ArticlePage(Schema):
    count: int
    items: list[ArticleOut]


def _article(a: Article) -> dict:
    return {"id": a.pk, "kind": a.kind, "kind_name": a.get_kind_display(), "title": a.title, "summary": a.summary,
            "category": a.category.name if a.category_id else None, "status": a.status, "publish_at": a.publish_at,
            "url": a.get_absolute_url()}


@router.get("/articles", response=ArticlePage, summary="已发布的信息（筛选、搜索、分页）")
def list_articles(request, params: Query[ArticleQuery]):
    found, _ = articles.find(articles.Filters(kind=params.kind, category=params.category, q=params.q.strip()))
    items = list(found)
    return {"count": len(items), "items": [_article(a) for a in items[params.offset: params.offset + params.limit]]}


@router.get("/articles/{article_id}", response={200: ArticleDetail, 404: Error}, summary="信息详情")
def get_article(request, article_id: int = Path(..., ge=1, le=MAX_ID)):
    a = articles.visible(request.user, article_id)
    return {**_article(a), "body_html": a.body, "policy_document": a.policy_document,
            "attachments": [{"name": f.name, "size": f.size, "url": f.get_absolute_url()} for f in a.attachments.all()],
            "policy_rules": [{"id": r.id, "title": r.title, "article": r.article} for r in articles.policy_rules(a)]}


class EventQuery(Schema):
    kind: str = Field("", max_length=20, description="matchmaking / roadshow / fair / express / tender")
    upcoming: bool = Field(False, description="只列出尚未结束的活动")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100000)


class PublicEventOut(Schema):
    id: int
    kind: str
    kind_name: str
    title: str
    status: str
    organiser: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    online_url: str
    capacity: int
    taken: int
    requires_approval: bool
    url: str


class EventStatisticsOut(Schema):
    signups: int
    approved: int
    checked_in: int
    organisations: int
    meetings: int
    outcomes: dict[str, int]


class EventDetail(PublicEventOut):
    summary: str
    agenda: list[str]
    listings: list[str] = Field(description="推介需求与展示成果的条目编号")
    statistics: EventStatisticsOut


class EventPage(Schema):
    count: int
    items: list[PublicEventOut]


def _event(e: Event, taken: int) -> dict:
    return {"id": e.pk, "kind": e.kind, "kind_name": e.get_kind_display(), "title": e.title, "status": e.status,
            "organiser": e.organiser.name, "starts_at": e.starts_at, "ends_at": e.ends_at, "place": e.place,
            "online_url": e.online_url, "capacity": e.capacity, "taken": taken,
            "requires_approval": e.requires_approval, "url": e.get_absolute_url()}


def _statistics(s) -> dict:
    return {"signups": s.signups, "approved": s.approved, "checked_in": s.checked_in,
            "organisations": s.organisations, "meetings": s.meetings, "outcomes": s.outcomes}


@router.get("/events", response=EventPage, summary="对接活动（已发布和已取消的）")
def list_events(request, params: Query[EventQuery]):
    qs = events.public_events().order_by("-starts_at", "-id")
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.upcoming:
        qs = qs.filter(status=Event.Status.PUBLISHED, ends_at__gte=datetime.datetime.now(datetime.UTC))
    page = qs[params.offset: params.offset + params.limit]
    return {"count": qs.count(), "items": [_event(e, e.taken) for e in page]}


@router.get("/events/{event_id}", response={200: EventDetail, 404: Error}, summary="活动详情与统计")
def get_event(request, event_id: int = Path(..., ge=1, le=MAX_ID)):
    e = events.visible(request.user, event_id)
    return {**_event(e, events.taken(e)), "summary": e.summary,
            "agenda": [line for line in e.agenda.splitlines() if line.strip()],
            "listings": [x.number for x in e.listings.all()], "statistics": _statistics(statistics.for_event(e))}


class YearOut(Schema):
    year: int
    events: int
    by_kind: dict[str, int]
    approved: int
    checked_in: int
    meetings: int
    outcomes: dict[str, int]


@router.get("/statistics/{year}", response=YearOut, summary="年度对接活动统计")
def year_statistics(request, year: int = Path(..., ge=1985, le=2100)):
    s = statistics.for_year(year)
    return {"year": year, "events": s.events, "by_kind": dict(s.by_kind), "approved": s.approved,
            "checked_in": s.checked_in, "meetings": s.meetings, "outcomes": s.outcomes}


class SignUpIn(Schema):
    note: str = Field("", max_length=SUMMARY_MAX, description="报名说明")


class SignUpOut(Schema):
    id: int
    status: str
    status_name: str
    created: bool = Field(description="false：此前已报名，未重复报名")


@router.post("/events/{event_id}/signup", response={200: SignUpOut, 201: SignUpOut, 400: Error, 401: Error,
                                                    403: Error, 404: Error},
             auth=session_auth, summary="报名参加活动（名额已满等情形返回 400 及原因）")
def sign_up(request, payload: SignUpIn, event_id: int = Path(..., ge=1, le=MAX_ID)):
    e = events.visible(request.auth, event_id)
    result = events.sign_up(request.auth, e, payload.note)
    body = {"id": result.signup.pk, "status": result.signup.status,
            "status_name": result.signup.get_status_display(), "created": result.created}
    return Status(201 if result.created else 200, body)
