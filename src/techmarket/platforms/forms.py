"""Forms of platforms, teams and 科技专员 (the services check every rule again)."""

from django import forms

from techmarket.catalogue.models import Field
from techmarket.common.bounds import DESCRIPTION_MAX, NAME_MAX, REASON_MAX, date_form_field, money_form_field
from techmarket.common.forms import BootstrapMixin, DateInput
from techmarket.directory.models import Region
from techmarket.platforms.models import Platform
from techmarket.platforms.services.kinds import kind_choices, level_choices


def _fields():
    return forms.ModelChoiceField(label="领域", required=False, empty_label="（不限或未定）",
                                  queryset=Field.objects.filter(parent__isnull=True))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class RecordForm(BootstrapMixin, forms.Form):
    """What platforms and teams share: the host (reviewers only: a member records for their own organisation),
    field, description and the evidence document."""

    def __init__(self, *args, reviewer=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not reviewer:
            del self.fields["host_name"]

    host_name = forms.CharField(label="依托或引进单位（单位全称）", max_length=NAME_MAX)
    field = _fields()
    description = forms.CharField(label="简介", required=False, max_length=DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(label="证明文件（认定、批准或引进文件）", required=False,
                               help_text="PDF、图片、Word 或 Excel，不超过 10 MB；审核员直接登记时可不上传。")


class PlatformForm(RecordForm):
    name = forms.CharField(label="平台名称", max_length=NAME_MAX)
    kind = forms.ChoiceField(label="类别")
    level = forms.ChoiceField(label="级别")
    recognised_on = date_form_field("认定日期", past=True, widget=DateInput())
    recognition_number = forms.CharField(label="认定文号", required=False, max_length=100)
    partner_names = forms.CharField(
        label="共建单位（援扶单位）", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个单位全称；平台上还没有的单位将按名称新建。")
    partner_regions = forms.ModelMultipleChoiceField(
        label="共建省市", required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Region.objects.filter(kind=Region.Kind.OTHER_PROVINCE))
    construction_years = forms.IntegerField(label="建设期（年）", required=False, min_value=1, max_value=10)
    state = forms.ChoiceField(label="运行状态", choices=Platform.State.choices, initial=Platform.State.OPERATING)

    field_order = ["name", "kind", "level", "host_name", "recognised_on", "recognition_number", "partner_names",
                   "partner_regions", "field", "construction_years", "state", "description", "document"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        self.fields["level"].choices = level_choices()

    def partner_lines(self) -> list[str]:
        return _lines(self.cleaned_data.get("partner_names", ""))


class TeamForm(RecordForm):
    name = forms.CharField(label="团队名称", max_length=NAME_MAX)
    leader_name = forms.CharField(label="带头人姓名", max_length=100)
    leader_title = forms.CharField(label="带头人职称或职务", required=False, max_length=100)
    members = forms.CharField(label="团队成员", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="每行一人：姓名，职称或职务（如“张三，研究员”）。")
    origin_name = forms.CharField(label="来源单位（单位全称，可为省外单位）", max_length=NAME_MAX)
    introduced_on = date_form_field("引进日期", past=True, widget=DateInput())
    qianren_team = forms.BooleanField(label="已入选“高端创新人才千人计划”引进创新创业团队", required=False,
                                      help_text="仅在证明文件载明入选时勾选。")

    field_order = ["name", "leader_name", "leader_title", "members", "origin_name", "host_name", "introduced_on",
                   "field", "qianren_team", "description", "document"]

    def member_rows(self) -> list[tuple[str, str]]:
        rows = []
        for line in _lines(self.cleaned_data.get("members", "")):
            name, _, title = line.replace(",", "，").partition("，")
            rows.append((name.strip(), title.strip()))
        return rows


class DecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label="审核结论", choices=[("approve", "通过"), ("reject", "不通过")],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label="意见或原因", required=False, max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="搜索名称", required=False, max_length=100)
    kind = forms.ChoiceField(label="类别", required=False)
    level = forms.ChoiceField(label="级别", required=False)
    region = forms.ChoiceField(label="所在地", required=False)
    field = forms.ChoiceField(label="领域", required=False)

    def __init__(self, *args, teams=False, **kwargs):
        super().__init__(*args, **kwargs)
        if teams:
            del self.fields["kind"], self.fields["level"]
        else:
            self.fields["kind"].choices = [("", "全部类别"), *kind_choices()]
            self.fields["level"].choices = [("", "全部级别"), *level_choices()]
        self.fields["region"].choices = [("", "全部地区")] + [
            (r.code, r.name) for r in Region.objects.filter(kind__in=[Region.Kind.PROVINCE, Region.Kind.PREFECTURE])]
        self.fields["field"].choices = [("", "全部领域")] + [
            (f.code, f.name) for f in Field.objects.filter(parent__isnull=True)]


class AssignmentForm(BootstrapMixin, forms.Form):
    institution_name = forms.CharField(label="选派单位（单位全称）", max_length=NAME_MAX)
    enterprise_name = forms.CharField(label="服务企业（省内企业全称）", max_length=NAME_MAX)
    person_name = forms.CharField(label="科技专员姓名", max_length=100)
    person_title = forms.CharField(label="职称或职务", required=False, max_length=100)
    starts_on = date_form_field("服务开始日期", widget=DateInput())
    ends_on = date_form_field("服务结束日期", widget=DateInput())
    tasks = forms.CharField(label="服务内容", required=False, max_length=DESCRIPTION_MAX,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, reviewer=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not reviewer:
            del self.fields["institution_name"]


class ServiceEntryForm(BootstrapMixin, forms.Form):
    served_on = date_form_field("服务日期", past=True, widget=DateInput())
    text = forms.CharField(label="服务内容", max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class EvaluationForm(BootstrapMixin, forms.Form):
    score = forms.TypedChoiceField(label="评分", coerce=int, choices=[(i, f"{i} 分") for i in range(5, 0, -1)],
                                   widget=forms.RadioSelect)
    text = forms.CharField(label="评价", required=False, max_length=DESCRIPTION_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))


class PayForm(BootstrapMixin, forms.Form):
    amount = money_form_field("绩效报酬（元）")
    note = forms.CharField(label="报酬依据", required=False, max_length=REASON_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))
