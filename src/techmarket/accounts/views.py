"""Sign-up, confirming the e-mail address (and sending the link again), the member's organisation and
verification page, and the staff's verification queue. Logging in and out use Django's views (see web/urls.py).
The rules are in accounts/services.py and accounts/onboarding.py; these views only ask and show."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from techmarket.accounts import onboarding, services
from techmarket.accounts.forms import SignupForm, VerificationRejectForm, VerificationRequestForm
from techmarket.common.errors import DomainError, InvalidInput
from techmarket.common.permissions import permission_required

VERIFICATION_NOTICE = (
    "注册成功。请在本页填写所在单位的统一社会信用代码，认领或登记单位并申请核验；工作人员核验通过后，"
    "您才能查看联系人信息并代表单位发布需求或成果。"
)
EMAIL_SENT_NOTICE = "我们已向 {email} 发送确认邮件，请在 {days} 天内打开邮件中的链接确认邮箱。"
EMAIL_NOT_SENT_NOTICE = "确认邮件暂时未能发出，请稍后在“单位与核验”页面点击“重新发送确认邮件”。"

CONFIRM_PAGES = {
    services.Outcome.CONFIRMED: (200, "邮箱已确认", "您的电子邮箱 {email} 已确认。核验结果和平台通知将发送到此邮箱。"),
    services.Outcome.ALREADY: (200, "邮箱已确认", "您的电子邮箱 {email} 此前已经确认，无需再次操作。"),
    services.Outcome.EXPIRED: (400, "确认链接已过期",
                               "此确认链接已超过 {days} 天有效期。请登录后在“单位与核验”页面点击“重新发送确认邮件”；"
                               "如仍有问题，请联系平台服务台。"),
    services.Outcome.INVALID: (400, "确认链接无效",
                               "此确认链接无效：可能复制不完整，或邮箱在发送后已更改。请检查链接，或登录后在“单位与核验”页面重新发送确认邮件。"),
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
            return redirect("my-organisation")  # the next step: claim or register the organisation
    return render(request, "accounts/signup.html", {"form": form})


def confirm_email(request, token):
    """The link in the confirmation e-mail. Works logged in or not; never more than the outcome is shown."""
    outcome, user = services.confirm(token)
    status, title, text = CONFIRM_PAGES[outcome]
    email = user.email if user is not None and outcome in (services.Outcome.CONFIRMED, services.Outcome.ALREADY) else ""
    context = {"title": title, "text": text.format(email=email, days=services.max_age_days()),
               "ok": status == 200}
    return render(request, "accounts/confirm_email.html", context, status=status)


# --- The member's organisation and verification (accounts/onboarding.py) -----------------------------------------

@login_required
def my_organisation(request):
    """单位与核验: the account's state, the latest request and, while there is none pending, the form."""
    user = request.user
    form = VerificationRequestForm(request.POST if request.method == "POST" else None,
                                   initial={"name": user.claimed_organisation_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        application = onboarding.Application(data["credit_code"], data["name"], data["org_kind"],
                                             data["region"].pk if data["region"] else None)
        try:
            submitted = onboarding.submit(user, application)
        except InvalidInput as error:
            form.add_error(None, error.message)
        except DomainError as error:  # a request already pending, an account already linked: show the state
            messages.error(request, error.message)
            return redirect("my-organisation")
        else:
            what = "认领" if submitted.kind == submitted.Kind.CLAIM else "登记"
            messages.success(request, f"已提交申请（{what}单位“{submitted.name}”），请等待工作人员核验；"
                                      "结果将通过消息通知您。")
            return redirect("my-organisation")
    current = onboarding.current_request(user)
    pending = current is not None and current.status == current.Status.PENDING
    return render(request, "accounts/organisation.html", {
        "form": form, "current": current, "onboarded": onboarding.is_onboarded(user),
        "can_apply": not onboarding.is_onboarded(user) and not pending,
    })


@require_POST
@login_required
def resend_confirmation(request):
    """重新发送确认邮件, at most once a minute (accounts/services.resend_confirmation)."""
    try:
        sent = services.resend_confirmation(request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if sent:
            messages.success(request, EMAIL_SENT_NOTICE.format(email=request.user.email,
                                                               days=services.max_age_days()))
        else:
            messages.error(request, "确认邮件暂时未能发出，请稍后再试；如多次失败，请联系平台服务台。")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "my-organisation"
    return redirect(target)


# --- Staff: the verification queue -------------------------------------------------------------------------------

verifier_required = permission_required("accounts.review_members", onboarding.NOT_VERIFIER)


@verifier_required
def member_review_queue(request):
    return render(request, "accounts/member_review_queue.html", {
        "requests": onboarding.pending_requests(), "reject_form": VerificationRejectForm(),
    })


@require_POST
@verifier_required
def member_review_decide(request, pk):
    action = request.POST.get("action", "")
    try:
        if action == "approve":
            decided = onboarding.approve(request.user, pk)
            messages.success(request, f"已核验通过“{decided.user}”，其账户已关联单位“{decided.organisation.name}”。")
        elif action == "reject":
            form = VerificationRejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, " ".join(form.errors["reason"]))
                return redirect("member-review-queue")
            decided = onboarding.reject(request.user, pk, form.cleaned_data["reason"])
            messages.success(request, f"已将“{decided.user}”的申请标记为未通过，申请人将在消息中看到原因。")
        else:
            messages.error(request, "未知的核验操作。")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("member-review-queue")
