"""Information publishing (信息发布) and matchmaking events (对接活动) — docs/publishing.md.

Articles (notices, policy documents, news, success stories) go draft → review → scheduled publication → (withdrawn);
an article is public once it is scheduled and its publication time has come. Its body is HTML kept sanitised
(services/sanitise.py, nh3). Events (对接会, 路演, 科技集市, 直通车, 招标会) have an organiser (the department or a
prefecture bureau), linked listings, sign-ups with approval and check-in, one-to-one meetings between attendees
and the outcomes recorded at them (intents, inquiries, agreements, each linked to the record it names).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from techmarket.common.bounds import (
    EARLIEST_DATE,
    LATEST_DATE,
    NAME_MAX,
    REASON_MAX,
    TITLE_MAX,
    range_check,
    validate_single_line,
    validate_text,
)

SUMMARY_MAX = 500
BODY_MAX = 100_000
AGENDA_MAX = 5_000
PLACE_MAX = 200
MAX_CAPACITY = 100_000
MEETING_MINUTES = (10, 120)

EARLIEST_MOMENT = datetime.datetime.combine(EARLIEST_DATE, datetime.time.min, tzinfo=datetime.UTC)
LATEST_MOMENT = datetime.datetime.combine(LATEST_DATE, datetime.time.max, tzinfo=datetime.UTC)


def moment_check(field: str, name: str) -> models.CheckConstraint:
    """A date and time within the platform's date bounds (or NULL), enforced by the database."""
    return range_check(field, name, EARLIEST_MOMENT, LATEST_MOMENT)


def choices_check(field: str, choices, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": list(choices.values)}), name=name)


class ArticleAction(models.TextChoices):
    """Audit codes of articles (common.audit)."""

    CREATE = "create", "新建稿件"
    EDIT = "edit", "修改稿件"
    ATTACH = "attach", "上传附件"
    SUBMIT = "submit", "提交审核"
    APPROVE = "approve", "审核通过并定时发布"
    RETURN = "return", "退回修改"
    WITHDRAW = "withdraw", "撤回"


class Category(models.Model):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60, unique=True, validators=[validate_single_line])
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = verbose_name_plural = "信息栏目"

    def __str__(self) -> str:
        return self.name


class ArticleKind(models.TextChoices):
    NOTICE = "notice", "通知公告"
    POLICY = "policy", "政策文件"
    NEWS = "news", "工作动态"
    STORY = "story", "成功案例"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEW = "review", "待审核"
    SCHEDULED = "scheduled", "已审核（按时发布）"
    WITHDRAWN = "withdrawn", "已撤回"


class Article(models.Model):
    Kind = ArticleKind

    Status = ArticleStatus

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=TITLE_MAX, validators=[validate_single_line])
    summary = models.TextField("摘要", blank=True, max_length=SUMMARY_MAX, validators=[validate_text])
    body = models.TextField("正文", blank=True, max_length=BODY_MAX,
                            help_text="经过清洗的 HTML（services/sanitise.py），只含允许的标签和属性。")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="articles",
                                 verbose_name="栏目")
    # A policy document names the rule file of data/policy it is the text of (its document code, e.g. tm2016):
    # its page lists the rules the policy engine holds for it, read through policy.services.data.rulebook().
    policy_document = models.CharField("对应的政策规则文件", max_length=40, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name="撰稿人")
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True, max_length=REASON_MAX, validators=[validate_text])
    publish_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="撤回人")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawal_reason = models.TextField("撤回原因", blank=True, max_length=REASON_MAX, validators=[validate_text])
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-publish_at", "-id"]
        verbose_name = verbose_name_plural = "信息"
        permissions = [
            ("edit_article", "撰写和编辑信息"),
            ("review_article", "审核信息发布"),
            ("organise_event", "组织对接活动"),
        ]
        indexes = [models.Index(fields=["status", "publish_at"], name="publishing_public_idx")]
        constraints = [
            choices_check("kind", ArticleKind, "publishing_article_kind_valid"),
            choices_check("status", ArticleStatus, "publishing_article_status_valid"),
            models.CheckConstraint(condition=~Q(status="scheduled") | Q(publish_at__isnull=False),
                                   name="publishing_scheduled_has_time"),
            models.CheckConstraint(condition=~Q(status="withdrawn") | (Q(withdrawn_at__isnull=False)
                                                                       & ~Q(withdrawal_reason="")),
                                   name="publishing_withdrawn_has_reason"),
            moment_check("publish_at", "publishing_article_publish_at_bounds"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publishing:article", args=[self.pk])


def attachment_path(instance, filename: str) -> str:
    # Never the uploaded name: the sha256 and the detected type's extension.
    return f"publishing/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "信息附件"
        constraints = [models.UniqueConstraint(fields=["article", "sha256"], name="publishing_attachment_once")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:attachment", args=[self.article_id, self.pk])


class EventAction(models.TextChoices):
    """Audit codes of events, sign-ups, meetings and outcomes (common.audit)."""

    CREATE = "create", "创建活动"
    EDIT = "edit", "修改活动"
    PUBLISH = "publish", "发布活动"
    CANCEL = "cancel", "取消活动"
    SIGN_UP = "sign-up", "报名"
    APPROVE = "approve", "通过报名"
    REJECT = "reject", "不通过报名"
    WITHDRAW = "withdraw", "取消报名"
    CHECK_IN = "check-in", "签到"
    BOOK = "book", "预约一对一洽谈"
    DECLINE = "decline", "谢绝洽谈"
    CANCEL_MEETING = "cancel-meeting", "取消洽谈"
    OUTCOME = "outcome", "记录活动成果"
    REMIND = "remind", "发送活动提醒"


class EventKind(models.TextChoices):
    MATCHMAKING = "matchmaking", "对接会"
    ROADSHOW = "roadshow", "路演"
    FAIR = "fair", "科技集市"
    EXPRESS = "express", "科技成果直通车"
    TENDER = "tender", "招标会"


class EventStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    PUBLISHED = "published", "已发布"
    CANCELLED = "cancelled", "已取消"


class Event(models.Model):
    Kind = EventKind

    Status = EventStatus

    kind = models.CharField("活动类型", max_length=20, choices=Kind.choices)
    title = models.CharField("活动名称", max_length=TITLE_MAX, validators=[validate_single_line])
    summary = models.TextField("活动简介", blank=True, max_length=SUMMARY_MAX * 4, validators=[validate_text])
    agenda = models.TextField("议程", blank=True, max_length=AGENDA_MAX, validators=[validate_text],
                              help_text="每行一项，如“09:00 开幕致辞”。")
    organiser = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="主办单位")
    place = models.CharField("地点", max_length=PLACE_MAX, blank=True, validators=[validate_single_line])
    online_url = models.URLField("线上参会链接", blank=True, max_length=500)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    signup_deadline = models.DateTimeField("报名截止时间", null=True, blank=True)
    capacity = models.PositiveIntegerField("名额（人）")
    requires_approval = models.BooleanField("报名需经主办单位审核", default=True)
    meeting_minutes = models.PositiveSmallIntegerField("一对一洽谈时长（分钟）", default=20)
    listings = models.ManyToManyField("catalogue.Listing", blank=True, related_name="+",
                                      verbose_name="推介需求与展示成果")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    cancel_reason = models.TextField("取消原因", blank=True, max_length=REASON_MAX, validators=[validate_text])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = verbose_name_plural = "对接活动"
        constraints = [
            choices_check("kind", EventKind, "publishing_event_kind_valid"),
            choices_check("status", EventStatus, "publishing_event_status_valid"),
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="publishing_event_order"),
            models.CheckConstraint(condition=Q(signup_deadline__isnull=True)
                                   | Q(signup_deadline__lte=models.F("starts_at")),
                                   name="publishing_event_deadline_before_start"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(online_url=""), name="publishing_event_has_place"),
            range_check("capacity", "publishing_event_capacity_bounds", 1, MAX_CAPACITY),
            range_check("meeting_minutes", "publishing_event_meeting_minutes_bounds", *MEETING_MINUTES),
            moment_check("starts_at", "publishing_event_starts_at_bounds"),
            moment_check("ends_at", "publishing_event_ends_at_bounds"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publishing:event", args=[self.pk])


class SignUpStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已取消"


class SignUp(models.Model):
    Status = SignUpStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name="报名人")
    organisation = models.ForeignKey("directory.Organisation", null=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="所在单位")
    note = models.TextField("报名说明", blank=True, max_length=SUMMARY_MAX, validators=[validate_text])
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="审核人")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_reason = models.TextField("审核意见", blank=True, max_length=REASON_MAX, validators=[validate_text])
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name="签到确认人")
    created_at = models.DateTimeField("报名时间", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "活动报名"
        constraints = [
            # One sign-up per person and event: signing up again reuses it (a repeated request changes nothing).
            models.UniqueConstraint(fields=["event", "user"], name="publishing_one_signup_per_user"),
            choices_check("status", SignUpStatus, "publishing_signup_status_valid"),
            models.CheckConstraint(condition=Q(checked_in_at__isnull=True) | Q(status="approved"),
                                   name="publishing_checkin_needs_approval"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.event}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.APPROVED)


class MeetingStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    DECLINED = "declined", "已谢绝"
    CANCELLED = "cancelled", "已取消"


class Meeting(models.Model):
    """A one-to-one meeting (一对一洽谈) between two approved attendees of an event, in one slot."""

    Status = MeetingStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    requester = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="+", verbose_name="发起方")
    invitee = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="+", verbose_name="受邀方")
    starts_at = models.DateTimeField("洽谈时间")
    topic = models.CharField("洽谈事项", max_length=NAME_MAX, blank=True, validators=[validate_single_line])
    listing = models.ForeignKey("catalogue.Listing", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name="涉及条目")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    ended_at = models.DateTimeField("谢绝或取消时间", null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = verbose_name_plural = "一对一洽谈"
        constraints = [
            models.CheckConstraint(condition=~Q(requester=models.F("invitee")), name="publishing_meeting_two_sides"),
            choices_check("status", MeetingStatus, "publishing_meeting_status_valid"),
            moment_check("starts_at", "publishing_meeting_starts_at_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.requester.user} — {self.invitee.user}"


class Seat(models.Model):
    """An attendee's place in a booked meeting's slot: unique per sign-up and slot, so no attendee is booked twice
    at once, whichever side asked, and two concurrent requests create one meeting. Removed when the meeting is
    declined or cancelled (the meeting stays, with its status)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="seats")
    starts_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "洽谈时段占用"
        constraints = [models.UniqueConstraint(fields=["signup", "starts_at"], name="publishing_no_double_booking")]

    def __str__(self) -> str:
        return f"{self.signup} {self.starts_at:%Y-%m-%d %H:%M}"


class OutcomeKind(models.TextChoices):
    INTENT = "intent", "合作意向"
    INQUIRY = "inquiry", "洽谈"
    AGREEMENT = "agreement", "协议"


class Outcome(models.Model):
    """What came of an event for a linked listing and an attending organisation, linked to the record it names:
    a cooperation intent (matching), an inquiry or an agreement (market)."""

    Kind = OutcomeKind

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField("成果类型", max_length=20, choices=Kind.choices)
    listing = models.ForeignKey("catalogue.Listing", on_delete=models.PROTECT, related_name="+",
                                verbose_name="条目")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name="参会单位")
    intent = models.ForeignKey("matching.CooperationIntent", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="合作意向")
    inquiry = models.ForeignKey("market.Inquiry", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="洽谈")
    agreement = models.ForeignKey("market.Agreement", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="协议")
    note = models.TextField("说明", blank=True, max_length=REASON_MAX, validators=[validate_text])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="记录人")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "活动成果"
        constraints = [
            models.UniqueConstraint(fields=["event", "kind", "listing", "organisation"],
                                    name="publishing_one_outcome_per_kind"),
            choices_check("kind", OutcomeKind, "publishing_outcome_kind_valid"),
            models.CheckConstraint(condition=~Q(kind="inquiry") | Q(inquiry__isnull=False),
                                   name="publishing_inquiry_outcome_linked"),
            models.CheckConstraint(condition=~Q(kind="agreement") | Q(agreement__isnull=False),
                                   name="publishing_agreement_outcome_linked"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.listing}"
