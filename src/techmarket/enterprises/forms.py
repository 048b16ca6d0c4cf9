"""Forms of the financing pages (docs/enterprises.md, "Financing needs"); the services check every rule again."""

from decimal import Decimal

from django import forms

from techmarket.common.bounds import date_form_field, money_form_field
from techmarket.common.forms import BootstrapMixin, DateInput
from techmarket.enterprises.models import (
    MAX_RATE,
    MAX_TERM_MONTHS,
    EnterpriseSize,
    FinancingKind,
    FinancingResponse,
    Recognition,
    Security,
)
from techmarket.enterprises.services.questionnaire import field_choices


def _term(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_TERM_MONTHS,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def _fields():
    return list(field_choices().items())


class NeedForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="融资方式", choices=FinancingKind.choices)
    amount = money_form_field("需求金额（元）")
    term_months = _term("期限（月）")
    use = forms.CharField(label="资金用途", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    security = forms.ChoiceField(label="担保方式", choices=Security.choices,
                                 help_text="股权融资选“不适用”。")
    security_note = forms.CharField(label="抵质押物说明", max_length=300, required=False,
                                    help_text="如：发明专利 3 件质押；厂房抵押。")
    field = forms.ChoiceField(label="所属领域", choices=())
    size = forms.ChoiceField(label="企业规模", choices=EnterpriseSize.choices)
    share_with = forms.MultipleChoiceField(label="向以下金融机构开放本企业信息", required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text="只有选中的金融机构能看到本需求和企业的创新积分、体检数据；"
                                                     "其他机构只能看到汇总统计。")

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _fields()
        self.fields["amount"].widget.attrs["min"] = "0.01"
        self.fields["share_with"].choices = [(str(o.pk), o.name) for o in institutions]

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError("需求金额须大于 0。")
        return amount


class ShareForm(forms.Form):
    share_with = forms.MultipleChoiceField(label="可查看本企业信息的金融机构", required=False,
                                           widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share_with"].choices = [(str(o.pk), o.name) for o in institutions]


class ProductForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="产品名称", max_length=100)
    kind = forms.ChoiceField(label="融资方式", choices=FinancingKind.choices)
    min_amount = money_form_field("最低金额（元）")
    max_amount = money_form_field("最高金额（元）")
    max_term_months = _term("最长期限（月）")
    securities = forms.MultipleChoiceField(label="接受的担保方式", required=False, widget=forms.CheckboxSelectMultiple,
                                           choices=Security.choices, help_text="不选表示均可。")
    fields = forms.MultipleChoiceField(label="支持的领域", required=False, widget=forms.CheckboxSelectMultiple,
                                       choices=(), help_text="不选表示全部领域。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = _fields()


class RespondForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label="回应", choices=[c for c in FinancingResponse.Status.choices
                                                      if c[0] != FinancingResponse.Status.GRANTED])
    product = forms.ChoiceField(label="拟用产品", required=False, choices=())
    message = forms.CharField(label="说明", max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "不指定")] + [(str(p.pk), p.name) for p in products]


class OutcomeForm(BootstrapMixin, forms.Form):
    amount = money_form_field("放款/投资金额（元）")
    rate = forms.DecimalField(label="年利率（%）", required=False, min_value=Decimal("0"), max_value=MAX_RATE,
                              max_digits=5, decimal_places=2, help_text="贷款必填；股权融资不填。")
    term_months = _term("期限（月）")
    granted_on = date_form_field("放款日期", past=True, widget=DateInput())


class BadLoanForm(BootstrapMixin, forms.Form):
    principal = money_form_field("不良贷款本金余额（元）")
    recognised_on = date_form_field("认定不良日期", past=True, widget=DateInput())


# The enterprise profile.

def _count_field(label: str) -> forms.IntegerField:
    from techmarket.enterprises.models import MAX_COUNT

    return forms.IntegerField(label=label, min_value=0, max_value=MAX_COUNT,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def _wan_field(label: str) -> forms.DecimalField:
    from techmarket.common.bounds import MAX_BUDGET_WAN

    return forms.DecimalField(label=label, min_value=Decimal("0"), max_value=MAX_BUDGET_WAN, max_digits=10,
                              decimal_places=2)


class FiguresForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    employees = _count_field("职工总数（人）")
    rd_staff = _count_field("研发人员（人）")
    revenue_wan = _wan_field("营业收入（万元）")
    rd_spending_wan = _wan_field("研发投入（万元）")
    invention_patents = _count_field("有效发明专利（件）")
    other_ip = _count_field("其他知识产权（件）")

    def clean(self):
        data = super().clean()
        if data.get("rd_staff") is not None and data.get("employees") is not None \
                and data["rd_staff"] > data["employees"]:
            raise forms.ValidationError("研发人员不能多于职工总数。")
        return data


class RecognitionForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="认定类别", choices=Recognition.Kind.choices)
    certificate_number = forms.CharField(label="证书编号", max_length=50)
    recognised_on = date_form_field("认定日期", past=True, widget=DateInput())
    valid_until = date_form_field("有效期至", required=False, widget=DateInput())
    document = forms.FileField(label="证书文件",
                               help_text="PDF、Word（DOCX）、Excel（XLSX）、JPEG 或 PNG，不超过 10 MB。")


class DecideForm(forms.Form):
    verified = forms.TypedChoiceField(label="核验结论", choices=[("1", "核验通过"), ("0", "退回")],
                                      coerce=lambda v: v == "1")
    reason = forms.CharField(label="意见", max_length=2000, required=False)
