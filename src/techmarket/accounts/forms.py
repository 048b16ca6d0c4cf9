"""Sign-up: a new user says who they are and which organisation they work for; staff verify (核验) it."""

import re

from django import forms
from django.contrib.auth.forms import UserCreationForm

from techmarket.accounts.models import User

PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "phone", "claimed_organisation_name")
        labels = {"username": "用户名", "display_name": "姓名", "phone": "手机号码",
                  "claimed_organisation_name": "所在单位"}
        help_texts = {
            "username": "登录时使用，可包含字母、数字和 @/./+/-/_ 。",
            "claimed_organisation_name": "请填写单位全称，工作人员核验后将您的账户关联到该单位。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("display_name", "phone", "claimed_organisation_name"):
            self.fields[name].required = True
        self.fields["display_name"].error_messages["required"] = "请填写姓名。"
        self.fields["phone"].error_messages["required"] = "请填写手机号码，便于核验身份。"
        self.fields["claimed_organisation_name"].error_messages["required"] = "请填写所在单位。"
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def _post_clean(self):
        super()._post_clean()
        # Django ships no Chinese for this validator's message; show ours.
        errors = self._errors.get("password2")
        if errors:
            self._errors["password2"] = self.error_class([
                _too_short(error) if error.code == "password_too_short" else error for error in errors.as_data()
            ])

    def clean_display_name(self):
        return self.cleaned_data["display_name"].strip()

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not PHONE.match(phone):
            raise forms.ValidationError("请填写有效的电话号码。", code="invalid")
        return phone

    def clean_claimed_organisation_name(self):
        return self.cleaned_data["claimed_organisation_name"].strip()

    def save(self, commit=True):
        user = super().save(commit=False)
        user.is_verified = False
        user.organisation = None
        if commit:
            user.save()
        return user


def _too_short(error: forms.ValidationError) -> forms.ValidationError:
    min_length = (error.params or {}).get("min_length", 8)
    return forms.ValidationError(f"密码太短，至少需要 {min_length} 个字符。", code=error.code)
