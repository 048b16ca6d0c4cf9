"""Forms of achievements: the same bounds as the services and the database (common.bounds)."""

from django import forms

from techmarket.achievements.models import IP_NUMBER_MAX, REPORT_TEXT_MAX, Achievement, Evaluation
from techmarket.achievements.services.criteria import criteria, reporting
from techmarket.catalogue.models import Field
from techmarket.common.bounds import DESCRIPTION_MAX, MAX_BUDGET_WAN, NAME_MAX, REASON_MAX, TITLE_MAX
from techmarket.directory.models import Organisation


def _money(label):
    return forms.DecimalField(label=label, min_value=0, max_value=MAX_BUDGET_WAN, max_digits=10, decimal_places=2)


class AchievementForm(forms.Form):
    title = forms.CharField(label="成果名称", max_length=TITLE_MAX)
    kind = forms.ChoiceField(label="成果类型", choices=Achievement.Kind.choices)
    ip_status = forms.ChoiceField(label="知识产权状态", choices=Achievement.IpStatus.choices)
    ip_number = forms.CharField(label="知识产权编号（申请号、专利号或登记号）", max_length=IP_NUMBER_MAX,
                                required=False)
    trl = forms.TypedChoiceField(label="技术成熟度", coerce=int, choices=[(i, f"{i} 级") for i in range(1, 10)])
    field = forms.ModelChoiceField(label="领域", queryset=Field.objects.filter(parent__isnull=False)
                                   .select_related("parent").order_by("parent__position", "position"),
                                   required=False, to_field_name="code")
    summary = forms.CharField(label="成果简介（公开）", max_length=DESCRIPTION_MAX,
                              widget=forms.Textarea(attrs={"rows": 5}))
    confidential = forms.CharField(label="保密内容（仅本单位、评估专家和审核人员可见）", max_length=DESCRIPTION_MAX,
                                   required=False, widget=forms.Textarea(attrs={"rows": 4}))
    completers = forms.CharField(label="完成人及贡献份额（每行一位，如“张三 60”，合计 100%）", max_length=3000,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    public_funds = forms.BooleanField(label="利用财政资金形成", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].label_from_instance = lambda f: f"{f.parent.name} · {f.name}" if f.parent_id else f.name


class EvaluationRequestForm(forms.Form):
    mode = forms.ChoiceField(label="评估方式", choices=Evaluation.Mode.choices, widget=forms.RadioSelect)
    panel_size = forms.IntegerField(label="专家人数（评价专家委员会）", min_value=3, max_value=15, initial=3)
    institution = forms.ModelChoiceField(
        label="评价机构（专业评价机构）", required=False,
        queryset=Organisation.objects.filter(kind=Organisation.Kind.TRANSFER_INSTITUTION).order_by("name"))


class ScoreForm(forms.Form):
    price_low = _money("估价下限（万元）")
    price_high = _money("估价上限（万元）")
    comment = forms.CharField(label="评估意见", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for c in reversed(criteria().criteria):
            self.fields = {f"point_{c.code}": forms.IntegerField(
                label=f"{c.name}（0–{c.max} 分）", min_value=0, max_value=c.max, help_text=c.guide),
                **self.fields}

    def clean(self):
        data = super().clean()
        if data.get("price_low") is not None and data.get("price_high") is not None \
                and data["price_high"] < data["price_low"]:
            self.add_error("price_high", "估价上限不能低于下限。")
        return data

    def points(self) -> dict:
        return {c.code: self.cleaned_data[f"point_{c.code}"] for c in criteria().criteria}


class PriceNoticeForm(forms.Form):
    price = _money("拟交易价格（万元）")
    buyer = forms.CharField(label="拟受让方", max_length=NAME_MAX)
    days = forms.IntegerField(label="公示期（日）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = reporting()
        days = self.fields["days"]
        days.min_value, days.max_value, days.initial = rules.price_notice_min_days, rules.price_notice_max_days, \
            rules.price_notice_min_days
        days.validators = []
        days.widget.attrs.update(min=rules.price_notice_min_days, max=rules.price_notice_max_days)

    def clean_days(self):
        rules = reporting()
        days = self.cleaned_data["days"]
        if not rules.price_notice_min_days <= days <= rules.price_notice_max_days:
            raise forms.ValidationError(f"协议定价公示期不少于 {rules.price_notice_min_days} 日"
                                        f"（至多 {rules.price_notice_max_days} 日）。")
        return days


class ReportForm(forms.Form):
    year = forms.IntegerField(label="报告年度", min_value=2000, max_value=2100)
    contracts_count = forms.IntegerField(label="转化合同项数", min_value=0, max_value=100000)
    contracts_amount = _money("转化合同金额（万元）")
    income = _money("转化到账收入（万元）")
    rewards = _money("奖励个人金额（万元）")
    summary = forms.CharField(label="年度情况说明", max_length=REPORT_TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 5}))
    achievements = forms.ModelMultipleChoiceField(label="汇交成果", queryset=Achievement.objects.none(),
                                                  required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, organisation_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["achievements"].queryset = Achievement.objects.filter(owner_id=organisation_id).order_by("title")


class SupervisorForm(forms.Form):
    supervisor = forms.ModelChoiceField(label="主管部门", queryset=Organisation.objects.filter(
        kind=Organisation.Kind.GOVERNMENT).order_by("name"))
