"""Sign-up. Logging in and out use Django's views (see web/urls.py)."""

from django.contrib import messages
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render

from techmarket.accounts.forms import SignupForm

VERIFICATION_NOTICE = (
    "注册成功。工作人员将核验您的身份和所在单位；核验通过后，您才能查看联系人信息并代表单位发布需求或成果。"
)


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
        except IntegrityError:  # the same user name taken by a request a moment ago
            form.add_error("username", "该用户名已被注册，请换一个。")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, VERIFICATION_NOTICE)
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})
