"""Users, their organisation and whether staff have verified them."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from techmarket.common.bounds import NAME_MAX, REASON_MAX, validate_single_line, validate_text
from techmarket.directory.credit_code import validate_credit_code

EMAIL_MAX = 254  # RFC 5321's limit on a forward path, as Django's EmailField
PHONE_MAX = 30  # sign-up takes an 11-digit mainland mobile number; staff may record other numbers in the admin


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=100, blank=True)
    # Unique ignoring case (the constraint below); blank only for accounts made by staff or before sign-up
    # asked for it. Sign-up sends a link confirming it (accounts/services.py): email_confirmed_at.
    email = models.EmailField("电子邮箱", max_length=EMAIL_MAX, blank=True)
    email_confirmed_at = models.DateTimeField("邮箱确认时间", null=True, blank=True, editable=False)
    phone = models.CharField("手机号码", max_length=PHONE_MAX, blank=True, help_text="注册时填写，未经短信验证。")
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="members", verbose_name="所属单位",
    )
    claimed_organisation_name = models.CharField("注册时填写的单位", max_length=200, blank=True)
    is_verified = models.BooleanField(
        "已实名核验", default=False, help_text="核验后可查看联系人信息；关联单位后可代表单位提交需求。"
    )

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_ci_unique",
                                    violation_error_message="该电子邮箱已被注册。"),
        ]

    @property
    def email_confirmed(self) -> bool:
        return bool(self.email) and self.email_confirmed_at is not None

    def __str__(self) -> str:
        return self.display_name or self.username

    # Thin wrappers, for templates and many call sites: the rules decide (accounts/rules.py, catalogue/rules.py).
    @property
    def is_reviewer(self) -> bool:
        return self._allowed("catalogue.review")

    @property
    def can_see_contacts(self) -> bool:
        return self._allowed("accounts.see_contacts")

    @property
    def can_verify_members(self) -> bool:
        return self._allowed("accounts.review_members")

    @property
    def can_submit_listings(self) -> bool:
        return self._allowed("accounts.act_for_organisation")

    def _allowed(self, perm: str) -> bool:
        from techmarket.common.permissions import allowed

        return allowed(self, perm)


class VerificationRequest(models.Model):
    """A member asks to be verified as working for an organisation (核验申请): by its unified social credit code,
    either claiming an organisation the platform has (`organisation` set) or registering a new one (`name`,
    `org_kind`, `region`, created when staff approve). Domain logic: accounts/onboarding.py."""

    class Kind(models.TextChoices):
        CLAIM = "claim", "认领已有单位"
        REGISTER = "register", "登记新单位"

    class Status(models.TextChoices):
        PENDING = "pending", "待核验"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_requests",
                             verbose_name="申请人")
    kind = models.CharField("申请类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    credit_code = models.CharField("统一社会信用代码", max_length=18, validators=[validate_credit_code])
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="单位", help_text="认领时为已有单位；登记新单位时，核验通过后为新建的单位。",
    )
    # A claim copies the organisation's name when it is made, so the request reads the same later.
    name = models.CharField("单位名称", max_length=NAME_MAX, validators=[validate_single_line])
    org_kind = models.CharField("单位类型", max_length=30, blank=True)
    region = models.ForeignKey("directory.Region", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="所在地")
    reason = models.TextField("未通过原因", max_length=REASON_MAX, blank=True, validators=[validate_text])
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="处理人")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "核验申请"
        permissions = [("verify_member", "可核验用户身份与所在单位")]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(status="pending"),
                                    name="accounts_one_pending_verification_request",
                                    violation_error_message="您已有一项待核验的申请。"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @property
    def org_kind_label(self) -> str:
        from techmarket.directory.models import Organisation

        return Organisation.Kind(self.org_kind).label if self.org_kind in Organisation.Kind.values else ""
