"""`{% support_help %}`: who to contact for help with an account (the platform's service desk, from settings
TECHMARKET_SUPPORT_EMAIL / _PHONE / _HOURS) and what the signed-in user still has to do."""

from django import template
from django.conf import settings

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
            steps.append("打开注册后收到的确认邮件中的链接，确认您的电子邮箱。")
        if not user.is_verified:
            steps.append("完成实名核验：联系服务台，提供您的姓名、注册用户名、手机号码和所在单位全称；"
                         "工作人员核对后为您办理核验。")
        if not user.organisation_id:
            steps.append("关联单位：核验时请说明您所在单位的全称，工作人员将把您的账户关联到该单位，"
                         "之后您可代表单位发布需求或成果。")
    return {"support": support_contact(), "steps": steps, "signed_in": signed_in}
