"""Form helpers every domain uses (Bootstrap styling, the date input), and the forms of the notification centre
and of notices (the services check every rule again)."""

from django import forms

from techmarket.common.bounds import REASON_MAX


def style_widget(widget: forms.Widget) -> None:
    """The Bootstrap class of a widget (unless it has one)."""
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
        widget.attrs.setdefault("class", "form-check-input")
    elif isinstance(widget, forms.Select):
        widget.attrs.setdefault("class", "form-select")
    else:
        widget.attrs.setdefault("class", "form-control")


class BootstrapMixin:
    """Adds Bootstrap classes to a form's widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field.widget)


class DateInput(forms.DateInput):
    """A browser date picker, with the ISO date it needs."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


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
