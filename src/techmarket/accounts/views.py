"""Sign-up and confirming the e-mail address. Logging in and out use Django's views (see web/urls.py)."""

from django.contrib import messages
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render

from techmarket.accounts import services
from techmarket.accounts.forms import SignupForm

VERIFICATION_NOTICE = (
    "注册成功。工作人员将核验您的身份和所在单位；核验通过后，您才能查看联系人信息并代表单位发布需求或成果。"
)
EMAIL_SENT_NOTICE = "我们已向 {email} 发送确认邮件，请在 {days} 天内打开邮件中的链接确认邮箱。"
EMAIL_NOT_SENT_NOTICE = "确认邮件暂时未能发出，请稍后联系平台服务台重新发送。"

CONFIRM_PAGES = {
    services.Outcome.CONFIRMED: (200, "邮箱已确认", "您的电子邮箱 {email} 已确认。核验结果和平台通知将发送到此邮箱。"),
    services.Outcome.ALREADY: (200, "邮箱已确认", "您的电子邮箱 {email} 此前已经确认，无需再次操作。"),
    services.Outcome.EXPIRED: (400, "确认链接已过期",
                               "此确认链接已超过 {days} 天有效期。请联系平台服务台重新发送确认邮件。"),
    services.Outcome.INVALID: (400, "确认链接无效",
                               "此确认链接无效：可能复制不完整，或邮箱在发送后已更改。请检查链接，或联系平台服务台。"),
}


@transaction.non_atomic_requests  # hash the password before taking the write lock, not while holding it
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)  # hashes the password
        try:
            with transaction.atomic():
                user.save()
                form.save_m2m()
        except IntegrityError:  # the same user name or e-mail taken by a request a moment ago
            form.add_error(None, "该用户名或电子邮箱刚刚已被注册，请检查后重试。")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if services.send_confirmation(user):  # after the commit: the link names a saved user
                mail = EMAIL_SENT_NOTICE.format(email=user.email, days=services.max_age_days())
            else:
                mail = EMAIL_NOT_SENT_NOTICE
            messages.success(request, VERIFICATION_NOTICE + mail)
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


def confirm_email(request, token):
    """The link in the confirmation e-mail. Works logged in or not; never more than the outcome is shown."""
    outcome, user = services.confirm(token)
    status, title, text = CONFIRM_PAGES[outcome]
    email = user.email if user is not None and outcome in (services.Outcome.CONFIRMED, services.Outcome.ALREADY) else ""
    context = {"title": title, "text": text.format(email=email, days=services.max_age_days()),
               "ok": status == 200}
    return render(request, "accounts/confirm_email.html", context, status=status)
