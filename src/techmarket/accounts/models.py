"""Users, their organisation and whether staff have verified them."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

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
    def can_submit_listings(self) -> bool:
        return self._allowed("accounts.act_for_organisation")

    def _allowed(self, perm: str) -> bool:
        from techmarket.common.permissions import allowed

        return allowed(self, perm)
