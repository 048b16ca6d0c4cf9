"""Forms of the expert pool: joining (or editing one's profile), the directory's filters, a reviewer's decision
and a draw. The services check every rule again."""

from django import forms

from techmarket.catalogue.models import Field
from techmarket.common.bounds import NAME_MAX
from techmarket.common.forms import BootstrapMixin, DateInput
from techmarket.directory.models import Region
from techmarket.directory.services.organisations import find_organisation
from techmarket.experts.models import CONFLICTS_MAX, SPECIALITIES_MAX, Expert
from techmarket.experts.services.profiles import ProfileInput


def field_choices() -> list:
    """Fields with their areas, as option groups: a whole field, or one of its areas."""
    groups = []
    fields = list(Field.objects.select_related("parent").order_by("position", "pk"))
    for top in (f for f in fields if f.parent_id is None):
        areas = [(f.code, f.name) for f in fields if f.parent_id == top.pk]
        groups.append((top.name, [(top.code, f"{top.name}（全部）"), *areas]))
    return groups


class JoinForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    title = forms.CharField(label="职称", max_length=60, required=False, help_text="如 研究员、教授、高级工程师。")
    organisation = forms.CharField(label="工作单位", max_length=NAME_MAX, required=False,
                                   help_text="请填写单位全称；平台已登记的单位将自动关联。")
    region = forms.ModelChoiceField(label="所在地", queryset=Region.objects.order_by("position", "code"),
                                    empty_label="请选择")
    fields = forms.MultipleChoiceField(label="专业领域", widget=forms.SelectMultiple(attrs={"size": 8}),
                                       help_text="可多选（最多 10 个）。")
    specialities = forms.CharField(label="研究专长", max_length=SPECIALITIES_MAX, required=False,
                                   widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text="研究方向、代表性成果等，供检索和匹配使用。")
    availability = forms.ChoiceField(label="可参加评审情况", choices=Expert.Availability.choices)
    busy_until = forms.DateField(label="暂不可参加至", required=False, widget=DateInput())
    conflict_organisations = forms.CharField(
        label="有利益关系的单位", max_length=CONFLICTS_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="曾任职、兼职、合作或亲属任职的单位，每行一个单位全称；抽取评审专家时将回避这些单位。")
    conflict_notes = forms.CharField(label="其他利益关系说明", max_length=CONFLICTS_MAX, required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    phone = forms.CharField(label="电话", max_length=40, required=False, help_text="仅向已实名核验的用户显示。")
    email = forms.EmailField(label="电子邮箱", required=False, help_text="仅向已实名核验的用户显示。",
                             error_messages={"invalid": "请填写有效的电子邮箱地址。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = field_choices()
        self.fields["name"].error_messages["required"] = "请填写姓名。"
        self.fields["region"].error_messages.update(required="请选择所在地。", invalid_choice="请选择所在地。")
        self.fields["fields"].error_messages.update(required="请至少选择一个专业领域。",
                                                    invalid_choice="所选专业领域不存在，请重新选择。")

    @staticmethod
    def initial_for(expert: Expert | None, user) -> dict:
        if expert is None:
            return {"name": getattr(user, "display_name", "") or "",
                    "organisation": user.organisation.name if user.organisation_id else "",
                    "region": user.organisation.region_id if user.organisation_id else None,
                    "email": user.email}
        declared = [o.name for o in expert.conflict_organisations.all()]
        return {"name": expert.name, "title": expert.title,
                "organisation": expert.organisation.name if expert.organisation_id else "",
                "region": expert.region_id, "fields": [f.code for f in expert.fields.all()],
                "specialities": expert.specialities, "availability": expert.availability,
                "busy_until": expert.busy_until, "conflict_organisations": "\n".join(declared),
                "conflict_notes": expert.conflict_notes, "phone": expert.phone, "email": expert.email}

    def clean_organisation(self):
        name = self.cleaned_data["organisation"].strip()
        if not name:
            return None
        organisation = find_organisation(name)
        if organisation is None:
            raise forms.ValidationError("平台上没有找到该单位，请核对单位全称；也可留空。")
        return organisation

    def to_input(self) -> ProfileInput:
        data = self.cleaned_data
        declared, unknown = [], []
        for line in (data["conflict_organisations"] or "").splitlines():
            line = line.strip()
            if line:
                organisation = find_organisation(line)
                (declared.append(organisation.pk) if organisation else unknown.append(line))
        # Units the platform does not know stay as written: they are matched by name when drawing.
        notes = "\n".join([*unknown, data["conflict_notes"]]).strip()
        return ProfileInput(
            name=data["name"], title=data["title"], organisation_id=data["organisation"].pk if data["organisation"]
            else None, region_id=data["region"].pk, field_codes=data["fields"], specialities=data["specialities"],
            availability=data["availability"], busy_until=data["busy_until"], conflict_organisation_ids=declared,
            conflict_notes=notes, phone=data["phone"], email=data["email"])


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="未通过原因", max_length=NAME_MAX)

