"""`{% support_help %}`: who to contact for help with an account (the platform's service desk, from settings
TECHMARKET_SUPPORT_EMAIL / _PHONE / _HOURS) and what the signed-in user still has to do."""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


def support_contact() -> dict:
    return {
        "email": getattr(settings, "TECHMARKET_SUPPORT_EMAIL", "").strip(),
        "phone": getattr(settings, "TECHMARKET_SUPPORT_PHONE", "").strip(),
        "hours": getattr(settings, "TECHMARKET_SUPPORT_HOURS", "").strip(),
    }


@register.inclusion_tag("accounts/_support.html", takes_context=True)
def support_help(context):
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    steps = []
    if signed_in:
        if user.email and user.email_confirmed_at is None:
            steps.append("打开注册后收到的确认邮件中的链接，确认您的电子邮箱（没有收到的，可在“单位与核验”页面重新发送）。")
        if not user.is_verified:
            steps.append("完成实名核验：在“单位与核验”页面填写所在单位的统一社会信用代码并提交核验申请，"
                         "工作人员核对您的身份和单位后为您办理核验。")
        if not user.organisation_id:
            steps.append("关联单位：在“单位与核验”页面认领平台上已有的单位，或登记新单位；核验通过后，"
                         "您可代表单位发布需求或成果。")
    return {"support": support_contact(), "steps": steps, "signed_in": signed_in,
            "onboarding_url": reverse("my-organisation") if steps else ""}
