"""Forms of the policy pages. They turn what a user enters into an event (the JSON form of docs/policy.md) and
validate input only; the rules live in the engine."""

import json
from decimal import Decimal

from django import forms

from techmarket.common.bounds import date_form_field, money_form_field, validate_single_line, validate_text
from techmarket.common.forms import DateInput, style_widget
from techmarket.policy.services.data import rulebook

AMOUNT_FIELDS = {
    "amount": ("主金额（元）",
               "合同成交额、年度交易额、研发投入、不良贷款本金余额、项目投资额、融资额、地方贡献、免税额或税额"),
    "paid": ("实际到位金额（元）", "引进省外技术：实际到位金额或股权折算金额"),
    "costs": ("发行费用（元）", "上市或再融资"),
    "in_province_subscription": ("省内法人股东认购部分（元）", "再融资"),
    "equipment": ("关键设备购置总额（元）", "招商引资项目"),
    "technology_fee": ("技术引进费用（元）", "招商引资项目"),
    "requested": ("申请金额（元）", "用于“最高”“以内”类条款；不填按上限预估"),
}


def _styled(field: forms.Field) -> forms.Field:
    style_widget(field.widget)
    return field


class CalculatorForm(forms.Form):
    """"What could I get?": the facts of an event. The user's organisation takes the role chosen."""

    type = forms.ChoiceField(label="事件类型")
    kind = forms.ChoiceField(label="类别", required=False, help_text="合同类别、认定类别或贡献类别")
    date = date_form_field("事件日期", widget=DateInput(),
                           help_text="合同登记或交割日、认定日、损失确认日等，用于判断条款是否在有效期内")
    role = forms.ChoiceField(label="本单位在事件中的角色")
    others = forms.CharField(
        label="其他当事方", required=False, max_length=5000, validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个，格式“角色：名称”，如“技术经纪人：张三”“卖方：中国科学院青海盐湖研究所”",
    )
    flags = forms.MultipleChoiceField(label="事实", required=False, widget=forms.CheckboxSelectMultiple)
    project = forms.CharField(label="项目或合同编号", required=False, max_length=200, validators=[validate_single_line],
                              help_text="同一项目分次申报时填写相同编号，按项目累计的上限据此核算")
    year = forms.IntegerField(label="申报年度", required=False, min_value=1949, max_value=2200,
                              help_text="不填按事件日期所在年度")
    since = date_form_field("起算日期", required=False, widget=DateInput(),
                            help_text="建成投产日期或税务登记日期（按年度支持的条款）")
    years = forms.IntegerField(label="年数", required=False, min_value=1, max_value=100,
                               help_text="建设期年数（按年支持的平台）")
    advanced = forms.CharField(
        label="事件 JSON（高级）", required=False, widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
        help_text="填写后以此为准，格式见 docs/policy.md",
    )

    def __init__(self, *args, organisation_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        words = rulebook().vocabulary
        self.words = words
        self.organisation_name = organisation_name or "本单位"
        self.fields["type"].choices = list(words.event_types.items())
        self.fields["kind"].choices = [("", "—")] + [
            (words.event_types[event_type], list(kinds.items())) for event_type, kinds in words.kinds_by_type.items()
        ]
        self.fields["role"].choices = list(words.roles.items())
        self.fields["flags"].choices = list(words.flags.items())
        for name, (label, help_text) in AMOUNT_FIELDS.items():
            self.fields[name] = money_form_field(label, help_text=help_text, required=False)
        self.order_fields(["type", "kind", "date", "role", "others", *AMOUNT_FIELDS, "flags", "project", "year",
                           "since", "years", "advanced"])
        for field in self.fields.values():
            _styled(field)

    def clean_others(self) -> list[dict]:
        roles = {code: code for code in self.words.roles}
        roles.update({label: code for code, label in self.words.roles.items()})
        parties = []
        for number, line in enumerate(self.cleaned_data["others"].splitlines(), start=1):
            if not line.strip():
                continue
            role, sep, name = line.replace(":", "：").partition("：")
            if not sep or role.strip() not in roles or not name.strip():
                known = "、".join(self.words.roles.values())
                raise forms.ValidationError(f"第{number}行应为“角色：名称”，角色如：{known}")
            parties.append({"role": roles[role.strip()], "name": name.strip()})
        return parties

    def clean_advanced(self):
        text = self.cleaned_data["advanced"].strip()
        if not text:
            return None
        try:
            data = json.loads(text, parse_float=Decimal)
        except ValueError as error:
            raise forms.ValidationError(f"不是有效的 JSON：{error}") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("事件 JSON 须为对象。")
        return data

    def event_data(self, organisation_id: int | None) -> dict:
        data = self.cleaned_data
        if data.get("advanced"):
            return data["advanced"]
        event = {
            "type": data["type"], "date": data["date"].isoformat(), "kind": data["kind"],
            "amounts": {name: str(data[name]) for name in AMOUNT_FIELDS if data.get(name) is not None},
            "parties": [{"role": data["role"], "name": self.organisation_name,
                         **({"organisation_id": organisation_id} if organisation_id else {})}, *data["others"]],
            "flags": {flag: True for flag in data["flags"]},
            "project": data["project"],
        }
        for name in ("year", "years"):
            if data.get(name):
                event[name] = data[name]
        if data.get("since"):
            event["since"] = data["since"].isoformat()
        return event


class DecisionForm(forms.Form):
    """Approve (reason optional), or reject (reason required)."""

    reason = forms.CharField(label="理由", required=False, max_length=2000, validators=[validate_text],
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


def _at_most(limit: Decimal):
    def check(value):
        if value is not None and value > limit:
            raise forms.ValidationError(f"不能超过条款允许的最高额 ¥{limit:,.2f}。", code="above_rule")
    return check


class AdjustForm(forms.Form):
    """One amount per award (initially as computed now), and the reason for the adjustment."""

    reason = forms.CharField(label="调整理由", max_length=2000, validators=[validate_text],
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def __init__(self, *args, awards: list[dict], maximums: dict[str, Decimal] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = {}
        for i, award in enumerate(awards):
            name = f"amount_{i}"
            self.keys[name] = f"{award['rule']}|{award['beneficiary']['role']}"
            limit = (maximums or {}).get(self.keys[name])
            self.fields[name] = money_form_field(
                f"{award['title']}（{award['rule']}）", initial=Decimal(award["amount"]),
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
                help_text=f"按当前台账计算 ¥{Decimal(award['amount']):,.2f}"
                          + (f"；条款允许的最高额 ¥{limit:,.2f}" if limit is not None else ""),
            )
            if limit is not None:
                self.fields[name].widget.attrs["max"] = str(limit)
                self.fields[name].validators.append(_at_most(limit))
        self.order_fields([*self.keys, "reason"])

    def amounts(self) -> dict[str, Decimal]:
        return {key: self.cleaned_data[name] for name, key in self.keys.items()}


class PaymentForm(forms.Form):
    year = forms.TypedChoiceField(label="拨付年度", coerce=int, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年度") for y in years]


class LedgerFilterForm(forms.Form):
    programme = forms.ChoiceField(label="资金项目", required=False, widget=forms.Select(attrs={"class": "form-select"}))
    year = forms.IntegerField(label="年度", required=False, min_value=1949, max_value=2200,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", "全部")] + [
            (p.code, p.name) for p in rulebook().programmes.values()]
