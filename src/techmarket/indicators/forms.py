from django import forms

from techmarket.indicators.models import Indicator
from techmarket.indicators.services.periods import PeriodError, parse


class ValueForm(forms.Form):
    indicator = forms.ModelChoiceField(label="指标", queryset=Indicator.objects.filter(active=True))
    period = forms.CharField(label="周期", max_length=10, help_text="如 2026Q3（季度）、2026-09（月）或 2026（年）。")
    value = forms.DecimalField(label="数值", min_value=0, max_digits=20, decimal_places=4)
    evidence = forms.FileField(label="佐证材料", required=False,
                               help_text="PDF、Word、Excel、JPEG 或 PNG，10 MB 以内；必须上传。")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_period(self):
        try:
            return parse(self.cleaned_data["period"])
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None
