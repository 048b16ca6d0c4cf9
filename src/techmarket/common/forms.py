"""Forms of the notification centre and of notices; the services check every rule again."""

from django import forms

from techmarket.common.bounds import REASON_MAX


class ObjectionForm(forms.Form):
    text = forms.CharField(label="异议内容", max_length=REASON_MAX, strip=True,
                           widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
                           help_text=f"请写明异议的事实和理由，最多 {REASON_MAX} 字。您的身份不会公开。")


class ResolutionForm(forms.Form):
    DECISIONS = [("dismiss", "异议不成立"), ("uphold", "异议成立")]

    decision = forms.ChoiceField(label="处理结论", choices=DECISIONS,
                                 widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    resolution = forms.CharField(label="处理意见", max_length=REASON_MAX, strip=True,
                                 widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))
