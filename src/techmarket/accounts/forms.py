"""Sign-up: a new user says who they are and which organisation they work for; staff verify (核验) it."""

import re

from django import forms
from django.contrib.auth.forms import UserCreationForm

from techmarket.accounts.models import User
from techmarket.common.bounds import NAME_MAX, REASON_MAX, validate_single_line, validate_text
from techmarket.common.forms import BootstrapMixin
from techmarket.directory.models import Organisation, Region

# A mainland China mobile number: 11 digits, 13x to 19x. Stored as typed (spaces and dashes removed), not verified.
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
MOBILE_INVALID = "请填写有效的手机号码（11 位数字，以 13 至 19 开头）。"


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "email", "phone", "claimed_organisation_name")
        labels = {"username": "用户名", "display_name": "姓名", "email": "电子邮箱", "phone": "手机号码",
                  "claimed_organisation_name": "所在单位"}
        help_texts = {
            "username": "登录时使用，可包含字母、数字和 @/./+/-/_ 。",
            "email": "我们将发送一封确认邮件；确认后，核验结果和平台通知将发送到此邮箱。",
            "phone": "中国大陆手机号码，11 位，用于工作人员核验身份时联系您。",
            "claimed_organisation_name": "请填写单位全称，工作人员核验后将您的账户关联到该单位。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("display_name", "email", "phone", "claimed_organisation_name"):
            self.fields[name].required = True
        # Bounds: the model's (EMAIL_MAX, PHONE_MAX), checked by the fields; the phone's format by clean_phone.
        self.fields["phone"].widget.attrs.update(maxlength="20", inputmode="tel", autocomplete="tel")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["display_name"].error_messages["required"] = "请填写姓名。"
        self.fields["email"].error_messages.update(required="请填写电子邮箱。", invalid="请填写有效的电子邮箱地址。")
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

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("该电子邮箱已被注册。如忘记密码，请联系平台服务台。", code="unique")
        return email

    def clean_phone(self):
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"])
        if phone.startswith("+86"):
            phone = phone[3:]
        if not MOBILE.match(phone):
            raise forms.ValidationError(MOBILE_INVALID, code="invalid")
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


# --- Onboarding: claiming or registering an organisation (accounts/onboarding.py checks everything again) --------

# 泛指单位 is the importer's placeholder for "related units", not something a member registers.
REGISTERABLE_KINDS = [(value, label) for value, label in Organisation.Kind.choices
                      if value != Organisation.Kind.GROUP]


class VerificationRequestForm(BootstrapMixin, forms.Form):
    credit_code = forms.CharField(
        label="统一社会信用代码", max_length=30,
        help_text=("18 位，见营业执照或事业单位法人证书、社会团体登记证书。平台已有该单位的，直接认领；"
                   "没有的，请同时填写下方信息登记新单位。"),
        error_messages={"required": "请填写所在单位的统一社会信用代码。", "max_length": "统一社会信用代码应为 18 位。"},
    )
    name = forms.CharField(label="单位名称（全称）", max_length=NAME_MAX, required=False,
                           validators=[validate_single_line],
                           error_messages={"max_length": f"单位名称最多 {NAME_MAX} 个字。"})
    org_kind = forms.ChoiceField(label="单位类型", choices=[("", "请选择")] + REGISTERABLE_KINDS, required=False,
                                 error_messages={"invalid_choice": "请从列表中选择单位类型。"})
    region = forms.ModelChoiceField(label="所在地", queryset=Region.objects.all(), required=False, empty_label="请选择",
                                    error_messages={"invalid_choice": "请从列表中选择所在地。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit_code"].widget.attrs.update(autocomplete="off", spellcheck="false", maxlength="30")


class VerificationRejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="未通过原因", max_length=REASON_MAX, validators=[validate_text],
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写未通过的原因，申请人将看到此说明。",
                                             "max_length": f"原因最多 {REASON_MAX} 个字（现有 %(show_value)d 个）。"})
