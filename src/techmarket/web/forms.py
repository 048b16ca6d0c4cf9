"""Forms of the web interface for writing, moving and reviewing listings. They validate input only;
the rules live in catalogue/services."""

import datetime
from functools import partial

from django import forms
from django.utils import timezone

from techmarket.catalogue.models import CooperationMode, Field, Listing
from techmarket.catalogue.services.listings import ListingInput
from techmarket.common.bounds import (
    BUDGET_MESSAGE,
    DESCRIPTION_MAX,
    MAX_BUDGET_WAN,
    REASON_MAX,
    TITLE_MAX,
    clean_text,
    validate_date,
    validate_single_line,
    validate_text,
    validate_validity,
)
from techmarket.common.forms import BootstrapMixin, DateInput  # noqa: F401  (re-exported)

FUTURE_DATE_ERROR = "有效期须晚于今天。"
MAX_PK = 2**63 - 1  # larger integers overflow the database's integer columns (a 500 on SQLite)
BUDGET_ERRORS = {key: BUDGET_MESSAGE for key in ("min_value", "max_value", "max_digits", "max_decimal_places",
                                                 "max_whole_digits")} | {"invalid": "请填写数字。",
                                                                         "min_value": "预算不能为负数。"}


def area_choices(blank_label: str) -> list:
    """Areas (second-level fields) grouped under their field."""
    groups: dict[Field, list] = {}
    for area in Field.objects.filter(parent__isnull=False).select_related("parent").order_by(
        "parent__position", "position"
    ):
        groups.setdefault(area.parent, []).append((area.code, area.name))
    return [("", blank_label)] + [(top.name, areas) for top, areas in groups.items()]


def field_choices(blank_label: str) -> list:
    """Fields and their areas, for filtering: a field includes its areas."""
    choices = [("", blank_label)]
    for top in Field.objects.filter(parent__isnull=True).prefetch_related("areas"):
        choices.append((top.code, top.name))
        choices += [(area.code, f"　{area.name}") for area in top.areas.all()]
    return choices


class AreaChoiceField(forms.ChoiceField):
    """An area of the taxonomy, chosen by code and cleaned to a Field."""

    def __init__(self, *, blank_label: str = "请选择", **kwargs):
        super().__init__(choices=partial(area_choices, blank_label), **kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        area = Field.objects.filter(code=code, parent__isnull=False).select_related("parent").first()
        if area is None:
            raise forms.ValidationError("请选择二级领域。", code="invalid_choice")
        return area


def _require_future(value: datetime.date | None) -> datetime.date | None:
    """A new validity date: after today, and no more than ten years ahead (common.bounds)."""
    if value is not None and value <= timezone.localdate():
        raise forms.ValidationError(FUTURE_DATE_ERROR, code="past")
    validate_validity(value)
    return value


def reason_field(label: str, **kwargs) -> forms.CharField:
    """A reason written by a person: at most REASON_MAX characters, no control characters."""
    kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
    error_messages = {"max_length": f"{label}最多 {REASON_MAX} 个字（现有 %(show_value)d 个）。"}
    return forms.CharField(label=label, max_length=REASON_MAX, validators=[validate_text],
                           error_messages=error_messages | kwargs.pop("error_messages", {}), **kwargs)


class ModesField(forms.ModelMultipleChoiceField):
    """Cooperation modes by id; an id that is not a plausible integer is an invalid choice, not a
    database error."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else []:
            text = str(pk).strip()
            if not text.isascii() or not text.isdigit() or int(text) > MAX_PK:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": text[:40]})
        return super()._check_values(value)


class ListingForm(BootstrapMixin, forms.Form):
    """What an organisation writes in a listing; `to_input()` gives the services' ListingInput."""

    kind = forms.ChoiceField(label="类别", choices=Listing.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(
        label="项目名称", max_length=TITLE_MAX, validators=[validate_single_line],
        error_messages={"required": "请填写项目名称。",
                        "max_length": f"项目名称最多 {TITLE_MAX} 个字（现有 %(show_value)d 个）。"},
    )
    description = forms.CharField(
        label="主要内容", widget=forms.Textarea(attrs={"rows": 8}), max_length=DESCRIPTION_MAX,
        validators=[validate_text], help_text=f"研究内容、技术指标、预期成果等，最多 {DESCRIPTION_MAX} 字。",
        error_messages={"required": "请填写主要内容。",
                        "max_length": f"主要内容最多 {DESCRIPTION_MAX} 个字（现有 %(show_value)d 个）。"},
    )
    modes = ModesField(
        label="合作方式", queryset=CooperationMode.objects.all(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一种合作方式。", "invalid_list": "请选择合作方式。",
                        "invalid_choice": "“%(value)s”不是可选的合作方式。",
                        "invalid_pk_value": "“%(pk)s”不是可选的合作方式。"},
    )
    field = AreaChoiceField(label="领域", required=False, blank_label="（按内容自动分类）",
                            help_text="留空时平台按项目名称和内容自动分类，审核人员可调整。")
    trl = forms.IntegerField(
        label="技术成熟度（TRL）", required=False, min_value=1, max_value=9,
        help_text="1–9，可不填。",
        error_messages={"min_value": "技术成熟度须在 1 到 9 之间。", "max_value": "技术成熟度须在 1 到 9 之间。",
                        "invalid": "技术成熟度须为 1 到 9 的整数。"},
    )
    budget_wan = forms.DecimalField(
        label="预算（万元）", required=False, min_value=0, max_value=MAX_BUDGET_WAN, max_digits=10,
        decimal_places=2, help_text="0 到 10,000,000 万元，可不填。", error_messages=BUDGET_ERRORS,
    )
    valid_until = forms.DateField(label="有效期至", required=False, widget=DateInput,
                                  help_text="可不填；审核通过时默认有效一年；最长 10 年。",
                                  error_messages={"invalid": "请填写有效的日期。"})

    def __init__(self, *args, listing: Listing | None = None, **kwargs):
        self.listing = listing
        if listing is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": listing.kind, "title": listing.title, "description": listing.description,
                "modes": list(listing.modes.all()), "field": listing.field.code if listing.field_id else "",
                "trl": listing.trl, "budget_wan": listing.budget_wan, "valid_until": listing.valid_until,
            }
        super().__init__(*args, **kwargs)

    def clean_title(self):
        return clean_text(self.cleaned_data["title"].strip())

    def clean_description(self):
        return clean_text(self.cleaned_data["description"])

    def clean_valid_until(self):
        value = self.cleaned_data["valid_until"]
        if self.listing is not None and value == self.listing.valid_until:
            validate_date(value)
            return value  # an unchanged date may have passed (e.g. editing an expired listing)
        return _require_future(value)

    def to_input(self) -> ListingInput:
        data = self.cleaned_data
        return ListingInput(
            kind=data["kind"], title=data["title"], description=data["description"], modes=list(data["modes"]),
            field=data["field"], trl=data["trl"], budget_wan=data["budget_wan"], valid_until=data["valid_until"],
        )


class TransitionForm(forms.Form):
    """A status change asked for by a listing's organisation (or a reviewer)."""

    to_status = forms.ChoiceField(choices=Listing.Status.choices,
                                  error_messages={"invalid_choice": "无效的状态。", "required": "无效的状态。"})
    reason = reason_field("原因", required=False, widget=forms.TextInput)
    valid_until = forms.DateField(label="新有效期至", required=False, widget=DateInput,
                                  error_messages={"invalid": "请填写有效的日期。"})

    def clean_valid_until(self):
        return _require_future(self.cleaned_data["valid_until"])


class ApproveForm(BootstrapMixin, forms.Form):
    valid_until = forms.DateField(
        label="有效期至", required=False, widget=DateInput,
        help_text="留空：条目没有有效期（或已过期）时默认有效一年。",
        error_messages={"invalid": "请填写有效的日期。"},
    )

    def clean_valid_until(self):
        return _require_future(self.cleaned_data["valid_until"])


class RejectForm(BootstrapMixin, forms.Form):
    reason = reason_field("退回原因", error_messages={"required": "请填写退回原因，发布单位将看到此说明。"})


class RegradeForm(BootstrapMixin, forms.Form):
    grade = forms.ChoiceField(label="分级", choices=Listing.Grade.choices,
                              error_messages={"required": "请选择分级。", "invalid_choice": "分级无效。"})
    reason = reason_field("调整原因", widget=forms.TextInput,
                          error_messages={"required": "请填写调整分级的原因。"})


class ReclassifyForm(BootstrapMixin, forms.Form):
    field = AreaChoiceField(label="领域", error_messages={"required": "请选择二级领域。",
                                                        "invalid_choice": "请选择二级领域。"})
    reason = reason_field("调整原因", required=False, widget=forms.TextInput)


class ReviewFilterForm(BootstrapMixin, forms.Form):
    """Filters of the reviewers' list of all listings."""

    grade = forms.ChoiceField(label="分级", required=False, choices=[("", "全部分级")] + Listing.Grade.choices)
    field = forms.ChoiceField(label="领域", required=False, choices=partial(field_choices, "全部领域"))
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态")] + Listing.Status.choices)
    unconfirmed = forms.BooleanField(label="仅未人工确认分类", required=False)
    q = forms.CharField(label="关键词", required=False, max_length=100)
