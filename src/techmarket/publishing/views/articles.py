"""Pages of the news desk: the public list and article pages, the feeds, and the editors' and reviewers' desk.
Views read the form, call the service, catch its error, add a message and redirect."""

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_POST

from techmarket.common.downloads import content_disposition
from techmarket.common.errors import DomainError, NotFound
from techmarket.common.permissions import allowed, permission_required
from techmarket.publishing import forms
from techmarket.publishing.models import Article
from techmarket.publishing.services import articles
from techmarket.publishing.services.sanitise import plain_text

PAGE_SIZE = 20
FEED_SIZE = 30


def news(request):
    form = forms.FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    found, words = articles.find(articles.Filters(kind=data.get("kind", ""), category=data.get("category", ""),
                                                  q=(data.get("q") or "").strip()))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "publishing/news.html", {
        "form": form, "page": page, "words": words, "query": query.urlencode(),
        "desk": allowed(request.user, "publishing.desk")})


def _desk_forms(request, article: Article) -> dict:
    user = request.user
    status = article.status
    return {
        "can_edit": status == Article.Status.DRAFT and allowed(user, "publishing.write"),
        "can_submit": status == Article.Status.DRAFT and allowed(user, "publishing.write"),
        "approve_form": forms.ApproveForm() if status == Article.Status.REVIEW and allowed(
            user, "publishing.review") and article.author_id != user.pk else None,
        "return_form": forms.ReasonForm(prefix="return") if status == Article.Status.REVIEW and allowed(
            user, "publishing.review") else None,
        "withdraw_form": forms.ReasonForm(prefix="withdraw") if status == Article.Status.SCHEDULED and allowed(
            user, "publishing.withdraw") else None,
    }


def article(request, pk: int):
    item = articles.visible(request.user, pk)
    desk = allowed(request.user, "publishing.desk")
    return render(request, "publishing/article.html", {
        "article": item, "attachments": list(item.attachments.all()), "rules": articles.policy_rules(item),
        "public": articles.is_public(item), "desk": desk, **(_desk_forms(request, item) if desk else {}),
        "history": list(articles.history(item)) if desk else []})


def attachment(request, pk: int, attachment_pk: int):
    item = articles.visible(request.user, pk)
    file = get_object_or_404(item.attachments, pk=attachment_pk)
    response = FileResponse(file.file.open("rb"), content_type=file.content_type)
    response["Content-Disposition"] = content_disposition(file.name, f"attachment-{file.pk}{file.extension}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


class NewsFeed(Feed):
    """RSS 2.0 of the public articles, newest first (Django's syndication framework)."""

    title = "青海科技开放合作平台 · 信息发布"
    description = "通知公告、政策文件、工作动态和成功案例。"

    def link(self):
        return reverse("publishing:news")

    def items(self):
        return articles.public_articles()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or plain_text(item.body)[:300]

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display(), *([item.category.name] if item.category_id else [])]


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description


# --- The desk --------------------------------------------------------------------------------------------------

NOT_DESK = "只有信息发布编辑和审核员可以进入编辑部。"


@permission_required("publishing.desk", NOT_DESK)
def desk(request):
    return render(request, "publishing/desk.html", {
        **articles.desk(request.user), "can_write": allowed(request.user, "publishing.write")})


def _input(form) -> articles.ArticleInput:
    data = form.cleaned_data
    return articles.ArticleInput(kind=data["kind"], title=data["title"], body=data["body"], summary=data["summary"],
                                 category=data["category"], policy_document=data["policy_document"])


def _save(request, form, item: Article | None):
    try:
        with transaction.atomic():
            if item is None:
                item = articles.create(request.user, _input(form))
            else:
                item = articles.edit(request.user, item, _input(form))
            if form.cleaned_data.get("attachment"):
                articles.attach(request.user, item, form.cleaned_data["attachment"])
    except DomainError as error:
        form.add_error(None, str(error))
        return None
    return item


@permission_required("publishing.write", articles.NOT_EDITOR)
def article_new(request):
    form = forms.ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        item = _save(request, form, None)
        if item is not None:
            messages.success(request, "草稿已保存。")
            return redirect(item.get_absolute_url())
    return render(request, "publishing/form.html", {"form": form, "title": "撰写信息"})


@permission_required("publishing.write", articles.NOT_EDITOR)
def article_edit(request, pk: int):
    item = articles.visible(request.user, pk)
    initial = {"kind": item.kind, "title": item.title, "category": item.category, "summary": item.summary,
               "body": item.body, "policy_document": item.policy_document}
    form = forms.ArticleForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, item)
        if saved is not None:
            messages.success(request, "已保存修改。")
            return redirect(saved.get_absolute_url())
    return render(request, "publishing/form.html", {"form": form, "title": "修改信息", "article": item})


ACTIONS = {"submit", "approve", "return", "withdraw"}
DONE = {"submit": "已提交审核。", "approve": "已审核通过，将按发布时间公开。", "return": "已退回撰稿人修改。",
        "withdraw": "已撤回，页面、订阅和搜索中不再显示。"}


def _act(request, item: Article, action: str):
    if action == "submit":
        return articles.submit(request.user, item)
    if action == "approve":
        form = forms.ApproveForm(request.POST)
        if not form.is_valid():
            raise articles.InvalidInput("；".join(e for errors in form.errors.values() for e in errors))
        return articles.approve(request.user, item, form.cleaned_data["publish_at"], form.cleaned_data["note"])
    form = forms.ReasonForm(request.POST, prefix=action)
    reason = form.data.get(f"{action}-reason", "")
    if action == "return":
        return articles.send_back(request.user, item, reason)
    return articles.withdraw(request.user, item, reason)


@require_POST
@permission_required("publishing.desk", NOT_DESK)
def article_act(request, pk: int):
    item = articles.visible(request.user, pk)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise NotFound()
    try:
        with transaction.atomic():
            _act(request, item, action)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, DONE[action])
    return redirect(item.get_absolute_url())
