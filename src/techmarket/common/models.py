"""Models of what every domain uses: the notification centre (inbox and e-mail preferences) and public notices
(公示) with objections. No domain app is imported: users through settings.AUTH_USER_MODEL, the object a notice
is about through a generic relation."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from techmarket.common.bounds import (
    DESCRIPTION_MAX,
    REASON_MAX,
    TITLE_MAX,
    date_check,
    validate_single_line,
    validate_text,
)

TOPIC_MAX = 60
LINK_MAX = 500
KEY_MAX = 200
MAX_NOTICE_DAYS = 365


class Notification(models.Model):
    """One message in a user's inbox (消息). `link` is a site-relative URL; `key`, when set, makes the message
    once-only: notify() writes no second message with the same key to the same user."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name="接收人")
    topic = models.CharField("类别", max_length=TOPIC_MAX)
    title = models.CharField("标题", max_length=TITLE_MAX)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=LINK_MAX, blank=True)
    key = models.CharField("去重键", max_length=KEY_MAX, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "消息"
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="common_notif_recipient"),
            models.Index(fields=["recipient", "-created_at"], condition=Q(read_at__isnull=True),
                         name="common_notif_unread"),
            models.Index(fields=["key", "recipient"], condition=~Q(key=""), name="common_notif_key"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's choice of e-mail for one topic. No row means the default: e-mail on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences", verbose_name="用户")
    topic = models.CharField("类别", max_length=TOPIC_MAX)
    email = models.BooleanField("发送邮件", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知设置"
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="common_notification_pref_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic}: {'邮件' if self.email else '不发邮件'}"


class Notice(models.Model):
    """A public notice (公示) about any object, open to objections for `period_days` calendar days from `opens_on`
    to `closes_on` (both included)."""

    kind = models.CharField("公示类别", max_length=TOPIC_MAX, blank=True,
                            help_text="使用方的代码，如 achievements.agreed-price。")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="对象类型")
    object_id = models.PositiveBigIntegerField("对象编号")
    target = GenericForeignKey("content_type", "object_id")
    title = models.CharField("标题", max_length=TITLE_MAX, validators=[validate_single_line])
    body = models.TextField("内容", validators=[validate_text, MaxLengthValidator(DESCRIPTION_MAX)])
    opens_on = models.DateField("公示开始日期")
    period_days = models.PositiveSmallIntegerField(
        "公示期（日）", validators=[MinValueValidator(1), MaxValueValidator(MAX_NOTICE_DAYS)])
    closes_on = models.DateField("公示截止日期", help_text="公示期的最后一日（含当日）。")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="发布人")
    published_at = models.DateTimeField("发布时间", default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = verbose_name_plural = "公示"
        indexes = [models.Index(fields=["content_type", "object_id"], name="common_notice_target"),
                   models.Index(fields=["-opens_on"], name="common_notice_opens")]
        constraints = [
            models.CheckConstraint(condition=Q(period_days__gte=1, period_days__lte=MAX_NOTICE_DAYS),
                                   name="common_notice_period_bounds"),
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")),
                                   name="common_notice_closes_after_opening"),
            date_check("opens_on", "common_notice_opens_on_bounds"),
            date_check("closes_on", "common_notice_closes_on_bounds"),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def closing_day(opens_on: datetime.date, days: int) -> datetime.date:
        return opens_on + datetime.timedelta(days=days - 1)


class Objection(models.Model):
    """An objection (异议) to a notice, and its resolution on the record."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections", verbose_name="公示")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="提出人")
    text = models.TextField("异议内容", validators=[validate_text, MaxLengthValidator(REASON_MAX)])
    filed_at = models.DateTimeField("提出时间", default=timezone.now)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField("处理意见", blank=True, validators=[validate_text, MaxLengthValidator(REASON_MAX)])
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="处理人")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        ordering = ["filed_at", "id"]
        verbose_name = verbose_name_plural = "异议"
        indexes = [models.Index(fields=["notice", "status"], name="common_objection_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "upheld", "dismissed"]),
                                   name="common_objection_status_valid"),
            models.CheckConstraint(condition=Q(status="open", resolved_at__isnull=True)
                                   | (~Q(status="open") & Q(resolved_at__isnull=False)),
                                   name="common_objection_resolved_when_decided"),
        ]

    def __str__(self) -> str:
        return f"异议 #{self.pk}（{self.get_status_display()}）"


AUDIT_CODE_MAX = 60
AUDIT_VALUE_MAX = 200


class AuditEntry(models.Model):
    """One line of the audit log (操作记录): who did what to which object, when, from what to what and why.
    Written only through techmarket.common.audit.log_action; every domain's history and every administrative act
    (verification, directory edits, role grants, rule and budget changes) is a row here. The object is a generic
    target; `target_label` keeps how it was named when the entry was written, so the line still reads after the
    object is gone. Action labels come from the registry in techmarket.common.audit."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="对象类型")
    object_id = models.PositiveBigIntegerField("对象编号")
    target = GenericForeignKey("content_type", "object_id")
    target_label = models.CharField("对象", max_length=AUDIT_VALUE_MAX, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="audit_entries", verbose_name="操作人")
    actor_label = models.CharField("操作方", max_length=80, blank=True,
                                   help_text="Who acted when no user did (import, system, scheduler).")
    action = models.CharField("操作", max_length=AUDIT_CODE_MAX)
    from_value = models.CharField("原值", max_length=AUDIT_VALUE_MAX, blank=True)
    to_value = models.CharField("新值", max_length=AUDIT_VALUE_MAX, blank=True)
    reason = models.TextField("说明", blank=True)
    data = models.JSONField("明细", default=dict, blank=True, encoder=DjangoJSONEncoder)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "操作记录"
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="common_audit_target"),
            models.Index(fields=["actor", "at"], name="common_audit_actor"),
            models.Index(fields=["action"], name="common_audit_action"),
        ]

    def __str__(self) -> str:
        return f"{self.target_label or self.object_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        from techmarket.common import audit

        return audit.action_label(self.content_type_id, self.action)

    def get_action_display(self) -> str:
        return self.action_label

    @property
    def from_label(self) -> str:
        from techmarket.common import audit

        return audit.value_label(self.content_type_id, self.from_value)

    @property
    def to_label(self) -> str:
        from techmarket.common import audit

        return audit.value_label(self.content_type_id, self.to_value)

    @property
    def who(self) -> str:
        """The user who acted, or the label of whoever acted without one."""
        from techmarket.common import audit

        if self.actor_id:
            return str(self.actor)
        return audit.ACTOR_LABELS.get(self.actor_label, self.actor_label)
