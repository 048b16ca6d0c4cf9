"""The news desk: the editorial flow, sanitised bodies, attachments, policy documents linked to the rule book,
visibility of drafts, scheduled publication, withdrawal (who, when, why) and search."""

import datetime

import pytest
from django.utils import timezone

from techmarket.common.audit import history_for
from techmarket.common.errors import Conflict, InvalidInput, NotAllowed, NotFound, Refused
from techmarket.common.notifications import inbox
from techmarket.publishing.models import Article
from techmarket.publishing.services import articles, search
from tests.market.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def published(editor, reviewer, draft_article, **kwargs):
    article = draft_article(**kwargs)
    articles.submit(editor, article)
    return articles.approve(reviewer, article)


def test_the_body_is_sanitised(draft_article):
    article = draft_article(body='<p onclick="x()">通知<script>alert(1)</script><a href="javascript:x">链接</a>'
                                 '<a href="https://kjt.qinghai.gov.cn/">厅网站</a><iframe src="//x"></iframe></p>')
    assert "script" not in article.body and "onclick" not in article.body and "iframe" not in article.body
    assert "javascript" not in article.body
    assert 'href="https://kjt.qinghai.gov.cn/"' in article.body and 'rel="noopener noreferrer"' in article.body


def test_draft_review_and_publication_are_logged_and_notified(editor, reviewer, draft_article):
    article = draft_article()
    assert not articles.is_public(article)
    articles.submit(editor, article)
    assert inbox(reviewer).filter(topic="publishing.review").exists()
    article = articles.approve(reviewer, article, note="同意发布")
    assert article.status == Article.Status.SCHEDULED and articles.is_public(article)
    assert article in articles.public_articles()
    assert [e.action for e in history_for(article)] == ["create", "submit", "approve"]
    assert inbox(editor).filter(title__contains="已审核通过").exists()


def test_only_editors_write_and_only_reviewers_approve_others_articles(editor, reviewer, member, draft_article):
    with pytest.raises(NotAllowed):
        articles.create(member, articles.ArticleInput(kind="news", title="未授权的稿件"))
    article = draft_article()
    articles.submit(editor, article)
    with pytest.raises(NotAllowed):
        articles.approve(editor, article)
    reviewer_editor = reviewer
    reviewer_editor.groups.add(*editor.groups.all())
    own = articles.create(reviewer_editor,
                          articles.ArticleInput(kind="news", title="审核员自己的稿件", body="<p>正文</p>"))
    articles.submit(reviewer_editor, own)
    with pytest.raises(Refused, match="不能审核自己的稿件"):
        articles.approve(reviewer_editor, own)


def test_returned_with_a_reason_then_edited_and_resubmitted(editor, reviewer, draft_article):
    article = draft_article()
    articles.submit(editor, article)
    with pytest.raises(InvalidInput):
        articles.send_back(reviewer, article, "")
    article = articles.send_back(reviewer, article, "请补充报名方式")
    assert article.status == Article.Status.DRAFT and article.review_note == "请补充报名方式"
    articles.edit(editor, article, articles.ArticleInput(kind="notice", title=article.title,
                                                         body="<p>报名方式：网上报名。</p>"))
    articles.submit(editor, article)
    with pytest.raises(Conflict):
        articles.submit(editor, article)
    with pytest.raises(Refused):
        articles.edit(editor, article, articles.ArticleInput(kind="notice", title="审核中不能改"))


def test_scheduled_publication_waits_for_its_time(editor, reviewer, draft_article, anonymous=None):
    article = draft_article()
    articles.submit(editor, article)
    later = timezone.now() + datetime.timedelta(days=2)
    article = articles.approve(reviewer, article, publish_at=later)
    assert not articles.is_public(article)
    assert article not in articles.public_articles()
    with pytest.raises(NotFound):
        articles.visible(None, article.pk)
    assert articles.visible(editor, article.pk) == article  # the desk sees it
    assert article in articles.public_articles(now=later + datetime.timedelta(minutes=1))


def test_drafts_are_hidden_from_everyone_but_the_desk(editor, reviewer, member, draft_article):
    article = draft_article()
    for user in (None, member):
        with pytest.raises(NotFound):
            articles.visible(user, article.pk)
    assert articles.visible(editor, article.pk) == article
    assert articles.visible(reviewer, article.pk) == article


def test_withdrawal_keeps_who_when_why_and_removes_it_from_search(editor, reviewer, draft_article):
    article = published(editor, reviewer, draft_article, title="关于盐湖锂资源开发专项申报的通知")
    assert article.pk in [h.pk for h in search.search("盐湖")]
    with pytest.raises(InvalidInput):
        articles.withdraw(editor, article, " ")
    article = articles.withdraw(editor, article, "通知内容有误，更正后重发")
    assert article.withdrawn_by == editor and article.withdrawn_at and "有误" in article.withdrawal_reason
    assert article not in articles.public_articles()
    assert article.pk not in [h.pk for h in search.search("盐湖")]
    entry = history_for(article).last()
    assert entry.action == "withdraw" and entry.reason == "通知内容有误，更正后重发" and entry.actor == editor
    with pytest.raises(Conflict):
        articles.withdraw(editor, article, "再次撤回")


def test_search_finds_public_articles_by_their_words(editor, reviewer, draft_article):
    article = published(editor, reviewer, draft_article, title="牦牛乳制品加工技术成功案例", kind="story",
                        body="<p>企业与高校合作开发酸奶发酵工艺。</p>")
    draft = draft_article(title="牦牛养殖草稿")
    found, words = articles.find(articles.Filters(q="牦牛"))
    assert article in found and draft not in found and words


def test_attachments_are_checked_and_kept_once(editor, draft_article):
    article = draft_article()
    first = articles.attach(editor, article, pdf_upload("notice", "报名表.pdf"))
    again = articles.attach(editor, article, pdf_upload("notice", "报名表.pdf"))
    assert first.pk == again.pk and article.attachments.count() == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(InvalidInput):
        articles.attach(editor, article, SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>"))


def test_a_policy_document_lists_the_rules_the_engine_holds(editor):
    code, _ = articles.policy_documents()[0]
    article = articles.create(editor, articles.ArticleInput(kind="policy", title="政策文件全文", body="<p>全文</p>",
                                                            policy_document=code))
    rules = articles.policy_rules(article)
    assert rules and all(rule.document.code == code for rule in rules)
    with pytest.raises(InvalidInput):
        articles.create(editor, articles.ArticleInput(kind="policy", title="不存在的文件", policy_document="nope"))


def test_text_bounds(editor):
    with pytest.raises(InvalidInput):
        articles.create(editor, articles.ArticleInput(kind="news", title="x" * 301))
    with pytest.raises(InvalidInput):
        articles.create(editor, articles.ArticleInput(kind="news", title="标题\u202e反向"))
    with pytest.raises(InvalidInput):
        articles.create(editor, articles.ArticleInput(kind="unknown", title="类别错误"))
