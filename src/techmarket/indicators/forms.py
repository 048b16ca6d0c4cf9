from django import forms

from techmarket.common.bounds import validate_text
from techmarket.indicators.models import MAX_VALUE, VALUE_MESSAGE, Indicator
from techmarket.indicators.services.periods import PeriodError, parse


def _value_bounds(value):
    if value is not None and not (0 <= value <= MAX_VALUE and value.as_tuple().exponent >= -4):
        raise forms.ValidationError(VALUE_MESSAGE, code="value_bounds")


class ValueForm(forms.Form):
    indicator = forms.ModelChoiceField(label="指标", queryset=Indicator.objects.filter(active=True))
    period = forms.CharField(label="周期", max_length=10, help_text="如 2026Q3（季度）、2026-09（月）或 2026（年）。")
    value = forms.DecimalField(label="数值", error_messages={"invalid": "请填写数值。"})
    evidence = forms.FileField(label="佐证材料", required=False,
                               help_text="PDF、Word、Excel、JPEG 或 PNG，10 MB 以内；必须上传。")
    note = forms.CharField(label="说明", required=False, max_length=2000, validators=[validate_text],
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].validators = [_value_bounds]  # one message naming the limit

    def clean_period(self):
        try:
            return parse(self.cleaned_data["period"])
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None
