"""Forms of the market pages. They check input only; the rules live in techmarket.market.services."""

from __future__ import annotations

import json
import uuid

from django import forms
from django.core.exceptions import ValidationError

from techmarket.catalogue.models import Field
from techmarket.common.bounds import (
    date_form_field,
    money_form_field,
    validate_single_line,
    validate_text,
)
from techmarket.common.forms import BootstrapMixin, DateInput
from techmarket.directory.services.organisations import find_organisation
from techmarket.market.models import Location, Milestone, Registration
from techmarket.market.services.attachments import MAX_BYTES
from techmarket.market.services.contracts import ContractInput, MilestoneInput, PartyInput
from techmarket.market.services.registries import active_registries
from techmarket.market.services.rules import rules

TEXT = [validate_text]
LINE = [validate_single_line]


def type_choices(blank: str = "请选择") -> list:
    return [("", blank), *rules().type_choices()]


class MessageForm(BootstrapMixin, forms.Form):
    body = forms.CharField(label="消息", max_length=5000, validators=TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))


class InquiryForm(BootstrapMixin, forms.Form):
    message = forms.CharField(
        label="洽谈意向", max_length=5000, validators=TEXT,
                             widget=forms.Textarea(attrs={"rows": 5}),
        help_text="说明贵单位的合作意向、需求或可提供的技术，对方单位的已核验成员将在平台上答复。",
    )


class OneTimeKeyForm(forms.Form):
    """A form carrying a one-time key per form shown (`intent`): submitting the same form twice records one record
    (the services keep the key, unique; docs/market.md, "Bounds and one record per intent")."""

    intent = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intent"].initial = uuid.uuid4().hex


class UploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label="文件", help_text="PDF、Word（DOCX）、Excel（XLSX）、JPEG 或 PNG，不超过 10 MB。")

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_BYTES:
            raise ValidationError("文件过大：上限为 10 MB。")
        return uploaded


class WithdrawDocumentForm(BootstrapMixin, forms.Form):
    """Removing a contract's document (the service checks who may, and when)."""

    reason = forms.CharField(label="移除原因（选填）", max_length=500, required=False, validators=LINE)
    next = forms.ChoiceField(choices=[("", "合同页面"), ("edit", "修改页面")], required=False)


class ReplaceDocumentForm(UploadForm):
    """Replacing a contract's document by another file of the same kind."""

    reason = forms.CharField(label="替换原因（选填）", max_length=500, required=False, validators=LINE)
    next = forms.ChoiceField(choices=[("", "合同页面"), ("edit", "修改页面")], required=False)


class PaymentForm(UploadForm, OneTimeKeyForm):
    """A payment received against a contract, with its evidence (services.payments checks every rule again). The
    prefix keeps its ids apart from the documents card's upload form on the same page."""

    prefix = "payment"
    amount = money_form_field("到账金额（元）")
    received_on = date_form_field("到账日期", past=True, widget=DateInput())
    note = forms.CharField(label="说明（选填）", max_length=500, required=False, validators=LINE,
                           help_text="如：首期款、第二期款。")
    field_order = ["amount", "received_on", "file", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "到账凭证"
        self.fields["file"].help_text = ("银行回单、转账记录等的扫描件或截图：PDF、JPEG、PNG、Word（DOCX）"
                                         "或 Excel（XLSX），不超过 10 MB。")


class WithdrawPaymentForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=500, validators=LINE)


class AgreementForm(BootstrapMixin, forms.Form):
    contract_type = forms.ChoiceField(label="合同类型", choices=())
    amount = money_form_field("拟定合同金额（元）", required=False)
    terms = forms.CharField(label="协议要点", max_length=10000, validators=TEXT,
                             widget=forms.Textarea(attrs={"rows": 5}),
                            help_text="标的、价款及支付方式、交付内容与期限等双方已商定的事项。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_type"].choices = type_choices()


class AnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label="答复", max_length=5000, required=False, validators=TEXT,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="原因", max_length=5000, validators=TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="说明", max_length=5000, required=False, validators=TEXT,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ContractForm(BootstrapMixin, OneTimeKeyForm):
    title = forms.CharField(label="合同名称", max_length=300, validators=LINE)
    contract_type = forms.ChoiceField(label="合同类型", choices=())
    signed_on = date_form_field("签订日期", past=True, widget=DateInput())
    total_amount = money_form_field("合同总额（元）")
    technology_amount = money_form_field(
        "技术交易额（元）", help_text="合同总额中扣除设备、原材料、基建等非技术性款项后的部分。")
    field = forms.ModelChoiceField(label="技术领域", queryset=Field.objects.none(), required=False,
                                   empty_label="（按关联条目或不填）")
    summary = forms.CharField(label="主要内容", required=False, max_length=10000, validators=TEXT,
                              widget=forms.Textarea(attrs={"rows": 4}))
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_type"].choices = type_choices()
        self.fields["field"].queryset = Field.objects.select_related("parent").order_by("position", "id")

    def clean(self):
        data = super().clean()
        total, technology = data.get("total_amount"), data.get("technology_amount")
        if total is not None and technology is not None and technology > total:
            self.add_error("technology_amount", "技术交易额不能大于合同总额。")
        return data


def type_roles(contract_type) -> list[tuple[str, str]]:
    """The roles a party of `contract_type` (a rules ContractType) may hold: its own, then the common ones (the
    broker). Codes as stored in ContractParty.role; names as in data/market/registration.yaml."""
    return [(code, role.name) for code, role in contract_type.roles.items()]


def roles_by_type() -> dict[str, list[tuple[str, str]]]:
    return {t.code: type_roles(t) for t in rules().types.values()}


class PartyForm(BootstrapMixin, forms.Form):
    """One party of a contract. The role select offers the roles of the contract's type only (研究开发方 under a
    development contract, 让与方 under a transfer…), and the server refuses any other. The type comes from the
    formset (`contract_type`, the contract form's field of the same request); without one (a form not yet
    submitted) every type's roles are listed by type, and the page's script (web/static/web/site.js) narrows them
    to the type chosen, from the select's data-choices."""

    organisation = forms.CharField(label="单位名称", max_length=200, validators=LINE,
                                   widget=forms.TextInput(attrs={"list": "organisation-names"}))
    role = forms.ChoiceField(label="合同角色", choices=())
    location = forms.ChoiceField(label="所在地", required=False,
                                 choices=[("", "按单位所在地"), *Location.choices])
    is_registering_party = forms.BooleanField(label="登记方", required=False)

    def __init__(self, *args, contract_type: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.contract_type = rules().type(contract_type) if contract_type else None
        role = self.fields["role"]
        if self.contract_type is None:
            role.choices = [("", "请选择"), *rules().role_choices()]
        else:
            allowed = type_roles(self.contract_type)
            role.choices = [("", "请选择"), *allowed]
            role.error_messages["invalid_choice"] = (
                f"{self.contract_type.name}的当事人角色只能是：{'、'.join(name for _, name in allowed)}。")
        role.widget.attrs.update({
            "data-choices-by": "contract_type",
            "data-choices": json.dumps(roles_by_type(), ensure_ascii=False, separators=(",", ":")),
            "data-blank": "请选择",
            "data-blank-none": "请先选择合同类型",
        })

    def clean_organisation(self):
        name = self.cleaned_data["organisation"].strip()
        organisation = find_organisation(name)
        if organisation is None:
            raise ValidationError(f"未找到单位“{name}”：请使用平台单位库中的名称或别名。")
        return organisation


class MilestoneForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="类别", choices=[("", "—"), *Milestone.Kind.choices])
    description = forms.CharField(label="内容", max_length=300, validators=LINE)
    amount = money_form_field("金额（元）", required=False)
    due_on = date_form_field("约定日期", required=False, widget=DateInput())


class BasePartyFormSet(forms.BaseFormSet):
    """The parties of a contract, each offered the roles of the contract's type: `contract_type` if given, else
    the `contract_type` submitted with them (the contract form has no prefix, so it is a key of the same data)."""

    def __init__(self, *args, contract_type: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract_type = contract_type

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        contract_type = self.contract_type
        if contract_type is None and self.is_bound:
            contract_type = self.data.get("contract_type", "")
        kwargs["contract_type"] = contract_type or ""
        return kwargs


PartyFormSet = forms.formset_factory(PartyForm, formset=BasePartyFormSet, extra=1, min_num=2, validate_min=True,
                                     max_num=10)
MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2, max_num=30)


def contract_input(form: ContractForm, parties, milestones) -> ContractInput:
    data = form.cleaned_data
    return ContractInput(
        title=data["title"], contract_type=data["contract_type"], signed_on=data["signed_on"],
        total_amount=data["total_amount"], technology_amount=data["technology_amount"],
        summary=data.get("summary") or "", field=data.get("field"), intent_key=data.get("intent") or None,
        parties=[PartyInput(f.cleaned_data["organisation"], f.cleaned_data["role"], f.cleaned_data.get("location", ""),
                            f.cleaned_data.get("is_registering_party", False))
                 for f in parties.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")],
        milestones=[MilestoneInput(f.cleaned_data["kind"], f.cleaned_data["description"], f.cleaned_data.get("amount"),
                                   f.cleaned_data.get("due_on"))
                    for f in milestones.forms if f.cleaned_data],
    )


class SubmitForm(BootstrapMixin, forms.Form):
    registry = forms.ModelChoiceField(label="登记机构", queryset=None, empty_label=None)
    external_registry = forms.CharField(label="省外登记机构", max_length=200, required=False, validators=LINE,
                                        help_text="登记方位于省外或境外时填写：已办理登记的所在地登记机构。")
    external_number = forms.CharField(label="省外登记号", max_length=40, required=False, validators=LINE)

    def __init__(self, *args, registries=None, external: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registry"].queryset = active_registries()
        if not external:
            del self.fields["external_registry"], self.fields["external_number"]
        if registries is not None:
            self.fields["registry"].queryset = active_registries().filter(pk__in=[r.pk for r in registries])


class RegisterForm(BootstrapMixin, forms.Form):
    technology_amount = money_form_field("认定技术交易额（元）", required=False,
                                         help_text="不填则按合同所列技术交易额认定。")
    reason = forms.CharField(label="说明", required=False, max_length=5000, validators=TEXT,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReconsiderationDecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label="复议决定", choices=[("overturn", "撤销原结论，准予登记"),
                                                         ("uphold", "维持未予登记结论")],
                                 widget=forms.RadioSelect)
    technology_amount = money_form_field("认定技术交易额（元）", required=False)
    reason = forms.CharField(label="理由", max_length=5000, validators=TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ChangeForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label="变更后的合同名称", max_length=300, required=False, validators=LINE)
    total_amount = money_form_field("变更后的合同总额（元）", required=False)
    technology_amount = money_form_field("变更后的技术交易额（元）", required=False)
    reason = forms.CharField(label="变更内容及依据", max_length=5000, validators=TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="注销原因", choices=Registration.CancelKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="说明及依据", max_length=5000, validators=TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))


class StatisticsForm(BootstrapMixin, forms.Form):
    start = date_form_field("登记日期起", required=False, widget=DateInput())
    end = date_form_field("登记日期止", required=False, widget=DateInput())
    contract_type = forms.ChoiceField(label="合同类型", required=False, choices=())
    registry = forms.ChoiceField(label="登记机构", required=False, choices=())
    field = forms.ChoiceField(label="技术领域", required=False, choices=())
    on_platform = forms.ChoiceField(label="成交方式", required=False,
                                    choices=[("", "全部"), ("yes", "经平台成交"), ("no", "非平台成交")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_type"].choices = type_choices("全部")
        self.fields["registry"].choices = [("", "全部"), *((r.code, r.name) for r in active_registries())]
        self.fields["field"].choices = [("", "全部"), *((f.code, f.name) for f in Field.objects.filter(
            parent__isnull=True).order_by("position"))]
