"""Forms of the policy pages. They turn what a user enters into an event (the JSON form of docs/policy.md) and
validate input only; the rules live in the engine."""

import json
from decimal import Decimal

from django import forms

from techmarket.common.bounds import date_form_field, money_form_field, validate_single_line, validate_text
from techmarket.common.forms import DateInput, style_widget
from techmarket.common.templatetags.chinese import to_simplified
from techmarket.policy.services.data import rulebook
from techmarket.policy.services.display import AMOUNT_LABELS, FIELD_LABELS

AMOUNT_HELP = {
    "amount": "合同成交额、年度交易额、研发投入、不良贷款本金余额、项目投资额、融资额、地方贡献、免税额或税额",
    "paid": "引进省外技术：实际到位金额或股权折算金额",
    "costs": "上市或再融资",
    "in_province_subscription": "再融资",
    "equipment": "招商引资项目",
    "technology_fee": "招商引资项目",
    "requested": "用于“最高”“以内”类条款；不填按上限预估",
}
AMOUNT_FIELDS = {name: (f"{AMOUNT_LABELS[name]}（元）", help_text) for name, help_text in AMOUNT_HELP.items()}


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
    project = forms.CharField(label=FIELD_LABELS["project"], required=False, max_length=200,
                              validators=[validate_single_line],
                              help_text="同一项目分次申报时填写相同编号，按项目累计的上限据此核算")
    year = forms.IntegerField(label=FIELD_LABELS["year"], required=False, min_value=1949, max_value=2200,
                              help_text="不填按事件日期所在年度")
    since = date_form_field(FIELD_LABELS["since"], required=False, widget=DateInput(),
                            help_text="建成投产日期或税务登记日期（按年度支持的条款）")
    years = forms.IntegerField(label=FIELD_LABELS["years"], required=False, min_value=1, max_value=100,
                               help_text="建设期年数（按年支持的平台）")
    # The event typed in full, as the API takes it: offered to reviewers only (`advanced`), for the ranged
    # parameters and the events the fields above cannot express.
    advanced = forms.CharField(
        label="完整事件数据（高级）", required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
        help_text="按开放接口“计算事件可得的奖补”的事件格式填写（见页脚“开放接口”），可给出条款参数；填写后以此为准。",
    )

    def __init__(self, *args, organisation_name: str = "", advanced: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not advanced:
            del self.fields["advanced"]
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
                           "since", "years", *(["advanced"] if advanced else [])])
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
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"不是有效的事件数据：第{error.lineno}行第{error.colno}列格式有误。") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("事件数据须为一个以花括号括起的对象。")
        return data

    def clean(self):
        data = super().clean()
        event_type, kind = data.get("type"), data.get("kind")
        if event_type and kind and not data.get("advanced"):
            kinds = self.words.kinds_by_type.get(event_type, {})
            if kind not in kinds:
                label = self.words.kinds.get(kind, kind)
                self.add_error("kind", f"类别“{label}”不适用于“{self.words.event_types[event_type]}”事件"
                                       + (f"，可选：{'、'.join(kinds.values())}。" if kinds else "，请留空。"))
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


class ApprovalChecks(forms.Form):
    """What a reviewer confirms before committing money: the checklist was checked item by item, and, when the
    commitment goes past a budget, that it knowingly does (the reason says why)."""

    evidence_checked = forms.BooleanField(label="已逐项核对上述证明材料", required=False,
                                          widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    over_budget = forms.BooleanField(label="超出预算核准（须在理由中说明）", required=False,
                                     widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


class ApproveForm(ApprovalChecks, DecisionForm):
    """Approve as computed (reason optional, unless past a budget)."""


def _at_most(limit: Decimal):
    def check(value):
        if value is not None and value > limit:
            raise forms.ValidationError(f"不能超过条款允许的最高额 ¥{limit:,.2f}。", code="above_rule")
    return check


def _award_label(award: dict, awards: list[dict]) -> str:
    """An award by its rule's title, and the role it is paid in when the same rule pays the organisation twice."""
    title = to_simplified(award["title"])
    if sum(a["rule"] == award["rule"] for a in awards) > 1:
        role = award["beneficiary"]["role"]
        return f"{title}（{rulebook().vocabulary.roles.get(role, role)}）"
    return title


class AdjustForm(ApprovalChecks):
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
                _award_label(award, awards), initial=Decimal(award["amount"]),
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
                help_text=f"按当前台账计算 ¥{Decimal(award['amount']):,.2f}"
                          + (f"；条款允许的最高额 ¥{limit:,.2f}" if limit is not None else ""),
            )
            if limit is not None:
                self.fields[name].widget.attrs["max"] = str(limit)
                self.fields[name].validators.append(_at_most(limit))
        self.order_fields([*self.keys, "reason", "evidence_checked", "over_budget"])

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
            (p.code, to_simplified(p.name)) for p in rulebook().programmes.values()]


class BudgetForm(forms.Form):
    """A reviewer records a programme's budget for a year, naming the document it comes from."""

    programme = forms.ChoiceField(label="资金项目", widget=forms.Select(attrs={"class": "form-select"}))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))
    amount = money_form_field("预算（元）", widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}))
    source = forms.CharField(label="依据（文件名称、文号）", max_length=500, validators=[validate_text],
                             widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, to_simplified(p.name)) for p in rulebook().programmes.values()]
