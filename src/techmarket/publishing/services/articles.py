"""The news desk: notices, policy documents, news and success stories through draft → review → scheduled
publication → withdrawal (docs/publishing.md).

Every step is one transaction that locks the article, checks the step is allowed from its status, writes it and one
line of the audit log (who, when, from → to, the reason). An article is public while it is scheduled and its
publication time has come (no job flips it: the time is compared when the page, the feed or the search asks), and
until it is withdrawn; a withdrawn article disappears from pages, feeds and search at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from techmarket.common import audit, notifications
from techmarket.common.bounds import REASON_MAX, TITLE_MAX
from techmarket.common.errors import Conflict, InvalidInput, NotFound, Refused
from techmarket.common.permissions import allowed, require
from techmarket.common.uploads import check_upload
from techmarket.policy.services.data import rulebook
from techmarket.publishing.models import BODY_MAX, SUMMARY_MAX, Article, ArticleAction, Attachment, Category
from techmarket.publishing.services import checks
from techmarket.publishing.services.sanitise import clean_html

Status = Article.Status
TOPIC = "publishing.review"
MAX_ATTACHMENTS = 20

NOT_EDITOR = "只有信息发布编辑可以撰写和修改信息。"
NOT_REVIEWER = "只有省科技厅审核员可以审核信息发布。"
NOT_DESK = "只有信息发布编辑和审核员可以撤回已发布的信息。"
OWN_REVIEW = "撰稿人不能审核自己的稿件，请由其他审核员审核。"
EDITABLE = (Status.DRAFT,)


@dataclass
class ArticleInput:
    kind: str
    title: str
    body: str = ""
    summary: str = ""
    category: Category | None = None
    policy_document: str = ""


def policy_documents() -> list[tuple[str, str]]:
    """(code, title) of the documents the policy engine holds rules for (policy.services.data.rulebook)."""
    return [(d.code, d.title) for d in rulebook().documents]


def policy_rules(article: Article) -> list:
    """The rules the policy engine holds for a policy document's text, in the rule book's order."""
    if not article.policy_document:
        return []
    return [rule for rule in rulebook().rules if rule.document.code == article.policy_document]


def _checked(data: ArticleInput) -> dict:
    if data.kind not in Article.Kind.values:
        raise InvalidInput("请选择信息类别。")
    document = (data.policy_document or "").strip()
    if document and document not in dict(policy_documents()):
        raise InvalidInput("所选政策文件不在政策规则库中。")
    if data.kind != Article.Kind.POLICY:
        document = ""
    body = clean_html(data.body)
    if len(body) > BODY_MAX:
        raise InvalidInput(f"正文最多 {BODY_MAX} 个字符（清洗后现有 {len(body)} 个）。")
    return {"kind": data.kind, "title": checks.words(data.title, "标题", TITLE_MAX, required=True),
            "summary": checks.words(data.summary, "摘要", SUMMARY_MAX, lines=True), "body": body,
            "category": data.category, "policy_document": document}


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update(of=("self",)).get(pk=article.pk)


@transaction.atomic
def create(user, data: ArticleInput) -> Article:
    require(user, "publishing.write", message=NOT_EDITOR)
    article = Article.objects.create(author=user, **_checked(data))
    audit.log_action(article, ArticleAction.CREATE, user, to_value=article.status, data={"kind": article.kind})
    return article


@transaction.atomic
def edit(user, article: Article, data: ArticleInput) -> Article:
    require(user, "publishing.write", message=NOT_EDITOR)
    article = _locked(article)
    if article.status not in EDITABLE:
        raise Refused(f"“{article.get_status_display()}”的稿件不能修改；退回后可修改。")
    values = _checked(data)
    changed = sorted(name for name, value in values.items() if getattr(article, name) != value)
    for name, value in values.items():
        setattr(article, name, value)
    article.save()
    audit.log_action(article, ArticleAction.EDIT, user, data={"fields": changed})
    return article


@transaction.atomic
def attach(user, article: Article, uploaded) -> Attachment:
    """Attach a file (the upload checks of common.uploads); the same file twice is kept once."""
    require(user, "publishing.write", message=NOT_EDITOR)
    article = _locked(article)
    if article.status not in EDITABLE:
        raise Refused("只有草稿可以添加附件。")
    checked = check_upload(uploaded)
    existing = article.attachments.filter(sha256=checked.sha256).first()
    if existing:
        return existing
    if article.attachments.count() >= MAX_ATTACHMENTS:
        raise InvalidInput(f"每篇信息最多 {MAX_ATTACHMENTS} 个附件。")
    attachment = Attachment(article=article, name=checked.name, content_type=checked.type.content_type,
                            extension=checked.type.extension, sha256=checked.sha256, size=checked.size,
                            uploaded_by=user)
    attachment.file.save(checked.name, ContentFile(checked.data), save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError:  # the same file, attached by a concurrent request
        return article.attachments.get(sha256=checked.sha256)
    audit.log_action(article, ArticleAction.ATTACH, user, data={"name": checked.name, "sha256": checked.sha256})
    return attachment


def _move(user, article: Article, allowed_from: tuple, to: str, action: str, *, reason: str = "",
          **fields) -> Article:
    article = _locked(article)
    if article.status == to:
        raise Conflict(f"该稿件已是“{article.get_status_display()}”，未重复操作。")
    if article.status not in allowed_from:
        raise Refused(f"“{article.get_status_display()}”的稿件不能{ArticleAction(action).label}。")
    before = article.status
    article.status = to
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    audit.log_action(article, action, user, from_value=before, to_value=to, reason=reason)
    return article


@transaction.atomic
def submit(user, article: Article) -> Article:
    require(user, "publishing.write", message=NOT_EDITOR)
    if not article.body.strip() and not article.summary.strip():
        raise InvalidInput("请先填写正文或摘要，再提交审核。")
    article = _move(user, article, (Status.DRAFT,), Status.REVIEW, ArticleAction.SUBMIT, submitted_at=timezone.now())
    reviewers = _reviewers()
    notifications.notify(reviewers, TOPIC, f"待审核信息：{article.title}", "", article.get_absolute_url())
    return article


def _reviewers():
    from django.contrib.auth import get_user_model

    return [u for u in get_user_model().objects.filter(is_active=True).filter(
        Q(groups__permissions__codename="review_article") | Q(user_permissions__codename="review_article"))
        .distinct() if allowed(u, "publishing.review")]


@transaction.atomic
def approve(user, article: Article, publish_at: datetime.datetime | None = None, note: str = "") -> Article:
    """Approve for publication at `publish_at` (now when not given): public from that moment on."""
    require(user, "publishing.review", message=NOT_REVIEWER)
    if article.author_id == user.pk:
        raise Refused(OWN_REVIEW)
    when = checks.moment(publish_at, "发布时间") if publish_at else timezone.now()
    note = checks.words(note, "审核意见", REASON_MAX, lines=True)
    article = _move(user, article, (Status.REVIEW,), Status.SCHEDULED, ArticleAction.APPROVE, reason=note,
                    reviewed_by=user, reviewed_at=timezone.now(), review_note=note, publish_at=when)
    if article.author_id:
        notifications.notify([article.author], TOPIC, f"稿件已审核通过：{article.title}",
                             f"发布时间：{timezone.localtime(when):%Y-%m-%d %H:%M}", article.get_absolute_url())
    return article


@transaction.atomic
def send_back(user, article: Article, reason: str) -> Article:
    """Return an article in review to its draft, with the reason (the editor revises and submits again)."""
    require(user, "publishing.review", message=NOT_REVIEWER)
    reason = checks.words(reason, "退回原因", REASON_MAX, required=True, lines=True)
    article = _move(user, article, (Status.REVIEW,), Status.DRAFT, ArticleAction.RETURN, reason=reason,
                    reviewed_by=user, reviewed_at=timezone.now(), review_note=reason)
    if article.author_id:
        notifications.notify([article.author], TOPIC, f"稿件被退回修改：{article.title}", f"原因：{reason}",
                             article.get_absolute_url())
    return article


@transaction.atomic
def withdraw(user, article: Article, reason: str) -> Article:
    """Withdraw a scheduled or published article: who, when and why are kept; it leaves pages, feeds and search."""
    require(user, "publishing.withdraw", message=NOT_DESK)
    reason = checks.words(reason, "撤回原因", REASON_MAX, required=True, lines=True)
    return _move(user, article, (Status.SCHEDULED,), Status.WITHDRAWN, ArticleAction.WITHDRAW, reason=reason,
                 withdrawn_by=user, withdrawn_at=timezone.now(), withdrawal_reason=reason)


# --- Reading ---------------------------------------------------------------------------------------------------

def public_articles(now: datetime.datetime | None = None) -> QuerySet[Article]:
    """What everyone sees: scheduled articles whose time has come, newest first."""
    return (Article.objects.filter(status=Status.SCHEDULED, publish_at__lte=now or timezone.now())
            .select_related("category").order_by("-publish_at", "-id"))


def is_public(article: Article, now: datetime.datetime | None = None) -> bool:
    return (article.status == Status.SCHEDULED and article.publish_at is not None
            and article.publish_at <= (now or timezone.now()))


def visible(user, pk: int) -> Article:
    """The article, or 404 for those who may not see it (drafts, review, not yet published, withdrawn: the desk)."""
    article = Article.objects.select_related("category", "author", "reviewed_by", "withdrawn_by").filter(pk=pk).first()
    if article is None or not (is_public(article) or allowed(user, "publishing.desk")):
        raise NotFound()
    return article


@dataclass
class Filters:
    kind: str = ""
    category: str = ""  # a category's code
    q: str = ""


def find(filters: Filters) -> tuple[list[Article] | QuerySet[Article], tuple[str, ...]]:
    """Public articles matching the filters; with a text query only those the search finds, best first."""
    from techmarket.publishing.services import search

    qs = public_articles()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if not filters.q:
        return qs, ()
    hits = search.search(filters.q)
    rank = {hit.pk: i for i, hit in enumerate(hits)}
    words = tuple(sorted({w for hit in hits for w in hit.words}))
    return sorted(qs.filter(pk__in=list(rank)), key=lambda a: rank[a.pk]), words


def latest(limit: int = 5) -> list[Article]:
    """The newest public articles, for the home page."""
    return list(public_articles()[:limit])


def desk(user) -> dict[str, QuerySet[Article]]:
    """The editors' and reviewers' desk: drafts, in review, scheduled (not yet public), published, withdrawn."""
    now = timezone.now()
    base = Article.objects.select_related("author", "category")
    return {
        "drafts": base.filter(status=Status.DRAFT).order_by("-updated_at"),
        "review": base.filter(status=Status.REVIEW).order_by("submitted_at", "id"),
        "scheduled": base.filter(status=Status.SCHEDULED, publish_at__gt=now).order_by("publish_at"),
        "published": base.filter(status=Status.SCHEDULED, publish_at__lte=now).order_by("-publish_at")[:50],
        "withdrawn": base.filter(status=Status.WITHDRAWN).order_by("-withdrawn_at")[:50],
    }


def history(article: Article):
    return audit.history_for(article).select_related("actor")
