from django import forms

from techmarket.common.bounds import REASON_MAX
from techmarket.common.uploads import ALLOWED_LABEL


class AssignForm(forms.Form):
    username = forms.CharField(label="填报人用户名", max_length=150)


class ReportForm(forms.Form):
    period = forms.ChoiceField(label="报送周期")
    progress = forms.CharField(label="工作进展", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 6}),
                               help_text=f"不超过 {REASON_MAX} 字。")
    evidence = forms.FileField(label="佐证材料", help_text=f"{ALLOWED_LABEL}，不超过 10 MB。")

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.key, p.label) for p in periods]
