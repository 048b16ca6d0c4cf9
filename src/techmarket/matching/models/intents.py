"""Targeted publishing (定向发布): a reviewer sends a public listing to chosen institutions, each of
which answers — interested, declined or a proposal — and is reminded while it stays silent.

The rules (who may send, who may answer, which answer may follow which) live in
techmarket.matching.services.intents; every change of an intent is recorded in the audit log (common.audit).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class CooperationIntent(models.Model):
    """One listing sent to one organisation, with the organisation's answer."""

    class Status(models.TextChoices):
        SENT = "sent", "待回复"
        INTERESTED = "interested", "有意向"
        DECLINED = "declined", "暂不合作"
        PROPOSAL = "proposal", "提交方案"

    listing = models.ForeignKey("catalogue.Listing", on_delete=models.CASCADE, related_name="intents",
                                verbose_name="条目")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.CASCADE,
                                     related_name="cooperation_intents", verbose_name="接收机构")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name="发送人")
    sent_at = models.DateTimeField("发送时间", default=timezone.now)
    message = models.TextField("附言", blank=True)
    fit_score = models.FloatField("匹配得分", null=True, blank=True,
                                  help_text="The ranking score when the intent was sent; null if not ranked.")
    fit_reasons = models.JSONField("匹配理由", default=list, blank=True,
                                   help_text="Snapshot of the ranking reasons: [{code, label, weight}].")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SENT)
    response = models.TextField("回复内容", blank=True)
    responded_at = models.DateTimeField("回复时间", null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="回复人")
    reminder_count = models.PositiveIntegerField("提醒次数", default=0)
    last_reminded_at = models.DateTimeField("最近提醒时间", null=True, blank=True)
    # The talks a positive answer opened with the listing's owner (market.Inquiry), when the listing is one the
    # market deals in; kept when the talks close so the intent still leads to them.
    inquiry = models.ForeignKey("market.Inquiry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name="洽谈")

    class Meta:
        ordering = ["-sent_at", "id"]
        verbose_name = verbose_name_plural = "合作意向"
        constraints = [
            models.UniqueConstraint(fields=["listing", "organisation"], name="unique_intent_listing_org"),
        ]
        indexes = [models.Index(fields=["status", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.listing_id} → {self.organisation_id} ({self.status})"

    @property
    def audit_label(self) -> str:
        """How the audit log names the intent."""
        return f"{self.listing.reference} → {self.organisation.name}"

    @property
    def fit_explanation(self) -> str:
        return "；".join(r.get("label", "") for r in self.fit_reasons if isinstance(r, dict) and r.get("label"))


class IntentAction(models.TextChoices):
    """What the audit log records about an intent: sending, every answer and every reminder."""

    SENT = "sent", "定向发布"
    RESPONSE = "response", "回复"
    REMINDER = "reminder", "提醒"
