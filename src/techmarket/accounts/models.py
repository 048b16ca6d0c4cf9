"""Users, their organisation and whether staff have verified them."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=100, blank=True)
    phone = models.CharField("手机号码", max_length=30, blank=True)
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
