"""Forms of the news desk and of events (the services check every rule again)."""

from django import forms
from django.utils import timezone

from techmarket.common.bounds import NAME_MAX, REASON_MAX, TITLE_MAX
from techmarket.common.forms import BootstrapMixin
from techmarket.directory.models import Organisation
from techmarket.publishing.models import (
    AGENDA_MAX,
    BODY_MAX,
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    MAX_CAPACITY,
    MEETING_MINUTES,
    PLACE_MAX,
    SUMMARY_MAX,
    Article,
    Category,
    Event,
    Outcome,
)
from techmarket.publishing.services.articles import policy_documents


class MomentInput(forms.DateTimeInput):
    """The browser's date-and-time picker, with the value format it needs."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def moment_field(label: str, *, required: bool = True) -> forms.DateTimeField:
    def bounded(value):
        if value is not None and not EARLIEST_MOMENT <= value <= LATEST_MOMENT:
            raise forms.ValidationError("时间须在 1985 年至 2100 年之间。")

    return forms.DateTimeField(label=label, required=required, widget=MomentInput(),
                               input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], validators=[bounded])


class ArticleForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="类别", choices=Article.Kind.choices)
    title = forms.CharField(label="标题", max_length=TITLE_MAX)
    category = forms.ModelChoiceField(label="栏目", required=False, queryset=Category.objects.all(),
                                      empty_label="（不分栏目）")
    summary = forms.CharField(label="摘要", required=False, max_length=SUMMARY_MAX,
                              widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(label="正文", required=False, max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text="可使用段落、标题、列表、表格、加粗和链接；脚本、样式和嵌入内容会被自动清除。")
    policy_document = forms.ChoiceField(label="对应的政策规则文件（仅政策文件）", required=False)
    attachment = forms.FileField(label="添加附件", required=False,
                                 help_text="PDF、Word、Excel 或图片，不超过 10 MB；草稿可继续添加。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_document"].choices = [("", "（无）"), *policy_documents()]


class ApproveForm(BootstrapMixin, forms.Form):
    publish_at = moment_field("发布时间（留空则立即发布）", required=False)
    note = forms.CharField(label="审核意见", required=False, max_length=REASON_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="原因", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=100)
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *Article.Kind.choices])
    category = forms.ChoiceField(label="栏目", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "全部栏目"), *[(c.code, c.name) for c in Category.objects.all()]]


class EventForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="活动类型", choices=Event.Kind.choices)
    title = forms.CharField(label="活动名称", max_length=TITLE_MAX)
    organiser = forms.ModelChoiceField(label="主办单位", queryset=Organisation.objects.none())
    starts_at = moment_field("开始时间")
    ends_at = moment_field("结束时间")
    signup_deadline = moment_field("报名截止时间", required=False)
    place = forms.CharField(label="地点", required=False, max_length=PLACE_MAX)
    online_url = forms.URLField(label="线上参会链接", required=False, max_length=500, assume_scheme="https")
    capacity = forms.IntegerField(label="名额（人）", min_value=1, max_value=MAX_CAPACITY)
    requires_approval = forms.BooleanField(label="报名需经主办单位审核", required=False, initial=True)
    meeting_minutes = forms.IntegerField(label="一对一洽谈时长（分钟）", min_value=MEETING_MINUTES[0],
                                         max_value=MEETING_MINUTES[1], initial=20)
    summary = forms.CharField(label="活动简介", required=False, max_length=SUMMARY_MAX * 4,
                              widget=forms.Textarea(attrs={"rows": 3}))
    agenda = forms.CharField(label="议程", required=False, max_length=AGENDA_MAX,
                             widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一项，如“09:00 开幕致辞”。")
    listing_numbers = forms.CharField(label="推介需求与展示成果（条目编号）", required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="每行或用逗号分隔一个编号，如 CG-2026-0012。")

    def __init__(self, *args, organisers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers if organisers is not None else Organisation.objects.filter(
            kind=Organisation.Kind.GOVERNMENT)

    def numbers(self) -> list[str]:
        text = (self.cleaned_data.get("listing_numbers") or "").replace("，", ",").replace("\n", ",")
        return [n.strip() for n in text.split(",") if n.strip()]


class SignUpForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label="报名说明（可选）", required=False, max_length=SUMMARY_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="如希望对接的需求或成果、参会人数和职务。")


class DecideForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "通过"), ("reject", "不通过")])
    reason = forms.CharField(label="意见或原因", required=False, max_length=REASON_MAX)


class CheckInForm(BootstrapMixin, forms.Form):
    token = forms.CharField(label="签到码", max_length=200, help_text="扫描参会人的签到二维码，或输入码下方的文字。")


class BookForm(BootstrapMixin, forms.Form):
    invitee = forms.TypedChoiceField(label="洽谈对象", coerce=int)
    slot = forms.ChoiceField(label="时段")
    listing = forms.TypedChoiceField(label="涉及条目（可选）", coerce=int, required=False, empty_value=None)
    topic = forms.CharField(label="洽谈事项（可选）", required=False, max_length=NAME_MAX)

    def __init__(self, *args, partners=(), slots=(), listings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitee"].choices = [
            (s.pk, f"{s.organisation.name if s.organisation_id else ''} {s.user.display_name or s.user}".strip())
            for s in partners]
        self.fields["slot"].choices = [(at.isoformat(), f"{timezone.localtime(at):%m-%d %H:%M}") for at in slots]
        self.fields["listing"].choices = [("", "（不指定）"), *[(x.pk, f"{x.number} {x.title}") for x in listings]]


class OutcomeForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="成果类型", choices=Outcome.Kind.choices,
                             help_text="选择“洽谈”将以本单位名义就该条目发起洽谈。")
    listing = forms.TypedChoiceField(label="条目", coerce=int)
    signup = forms.TypedChoiceField(label="参会单位", coerce=int, required=False, empty_value=None)
    note = forms.CharField(label="说明", required=False, max_length=REASON_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, listings=(), attendees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].choices = [(x.pk, f"{x.number} {x.title}") for x in listings]
        if attendees is None:
            del self.fields["signup"]
        else:
            self.fields["signup"].choices = [("", "（本人所在单位）"), *[
                (s.pk, s.organisation.name) for s in attendees if s.organisation_id]]
