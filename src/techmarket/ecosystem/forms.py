"""Forms of the ecosystem's pages (the services check every rule again)."""

from decimal import Decimal

from django import forms

from techmarket.common.bounds import NAME_MAX, REASON_MAX, date_form_field
from techmarket.common.forms import BootstrapMixin, DateInput
from techmarket.ecosystem.models import MAX_STAFF, Institution, InstitutionChange, Sanction, Training
from techmarket.ecosystem.services.complaints import behaviour_choices, kind_choices

CASE_SLOTS = 3
UPLOAD_HELP = "PDF、Word（DOCX）、Excel（XLSX）、JPEG 或 PNG，不超过 10 MB。"


def _count(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_STAFF, help_text=help_text,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class InstitutionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="机构名称", max_length=NAME_MAX)
    kind = forms.ChoiceField(label="机构类型", choices=[("", "请选择")] + Institution.Kind.choices,
                             help_text="独立法人机构须专职人员 10 人以上；法人内设机构 6 人以上（第二十条）。")
    founded_on = date_form_field("依法设立日期", past=True, widget=DateInput(),
                                 help_text="第二十二条：应在依法设立后 30 日内备案；逾期仍可提交，但将注明逾期天数。")
    services = forms.CharField(label="服务项目", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="如：技术转让与代理、技术咨询、技术评估、技术投融资服务等（第二十一条）。")
    business_years = forms.DecimalField(label="从事技术转移服务业务年限（年）", min_value=Decimal(0),
                                        max_value=Decimal(999), decimal_places=1, max_digits=4,
                                        help_text="第二十条：须有 2 年以上的业务经历。")
    full_time_staff = _count("专职从业人员（人）")
    managers_total = _count("管理人员（人）")
    managers_college = _count("其中具有大专以上学历的管理人员（人）", "第二十条：须占管理人员的 80% 以上。")
    st_staff = _count("科技人员（人）", "第二十条：不得低于从业人员总数的 60%。")
    contact_phone = forms.CharField(label="机构联系电话", max_length=40, required=False)

    def __init__(self, *args, require_case=True, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, CASE_SLOTS + 1):
            self.fields[f"case_title_{i}"] = forms.CharField(
                label=f"成功案例 {i} 名称", max_length=NAME_MAX, required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}))
            self.fields[f"case_file_{i}"] = forms.FileField(
                label=f"成功案例 {i} 证明材料", required=False, help_text=UPLOAD_HELP,
                widget=forms.ClearableFileInput(attrs={"class": "form-control"}))
        self.require_case = require_case

    def clean(self):
        data = super().clean()
        cases = []
        for i in range(1, CASE_SLOTS + 1):
            title, upload = data.get(f"case_title_{i}"), data.get(f"case_file_{i}")
            if bool(title) != bool(upload):
                self.add_error(f"case_file_{i}" if title else f"case_title_{i}", "案例名称和证明材料须同时填写。")
            elif title:
                cases.append((title, upload))
        if self.require_case and not cases:
            self.add_error("case_title_1", "请至少上传一个成功案例及其证明材料（第二十条）。")
        if (data.get("managers_college") or 0) > (data.get("managers_total") or 0):
            self.add_error("managers_college", "不能多于管理人员总数。")
        if (data.get("st_staff") or 0) > (data.get("full_time_staff") or 0):
            self.add_error("st_staff", "不能多于专职从业人员总数。")
        data["cases"] = cases
        return data


class CaseForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label="案例名称", max_length=NAME_MAX)
    file = forms.FileField(label="证明材料", help_text=UPLOAD_HELP)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="理由", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class ChangeForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="类别", choices=InstitutionChange.Kind.choices)
    changed_on = date_form_field("依法办理相关手续的日期", past=True, widget=DateInput(),
                                 help_text="第二十四条：应在办理相关手续后 30 日内备案。")
    description = forms.CharField(label="变更事项", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="名称、经营场所、法定代表人（负责人）、经营范围等；歇业请写明原因。")
    new_name = forms.CharField(label="变更后名称（如有）", max_length=NAME_MAX, required=False)
    new_services = forms.CharField(label="变更后服务项目（如有）", max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))


class SanctionForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="处理方式", choices=Sanction.Kind.choices)
    starts_on = date_form_field("起始日期", widget=DateInput())
    ends_on = date_form_field("截止日期（暂停、整顿必填）", required=False, widget=DateInput())
    article = forms.CharField(label="依据条款", max_length=40, required=False,
                              help_text="留空时：撤销技术经纪人资格依第二十八条，登记机构依第十九条，其余依第二十七条。")
    reason = forms.CharField(label="处理理由", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, target: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if target:
            self.fields["kind"].choices = kind_choices(target)


class DecideComplaintForm(SanctionForm):
    DECISIONS = [("dismiss", "投诉不成立"), ("sanction", "作出处理决定")]

    decision = forms.ChoiceField(label="调查结论", choices=DECISIONS)
    starts_on = date_form_field("起始日期", required=False, widget=DateInput())
    kind = forms.ChoiceField(label="处理方式", choices=Sanction.Kind.choices, required=False)

    field_order = ["decision", "kind", "starts_on", "ends_on", "article", "reason"]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "sanction" and not data.get("starts_on"):
            self.add_error("starts_on", "请填写起始日期。")
        if data.get("decision") == "sanction" and not data.get("kind"):
            self.add_error("kind", "请选择处理方式。")
        return data


class ComplaintForm(BootstrapMixin, forms.Form):
    behaviour = forms.ChoiceField(label="违规行为（第二十七条）", choices=[])
    description = forms.CharField(label="事实和理由", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=f"请写明事实和理由，最多 {REASON_MAX} 字。您的身份不会公开。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["behaviour"].choices = [("", "请选择")] + behaviour_choices()


class BrokerForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="身份证件号码", max_length=40, required=False, help_text="不公开。")
    institution = forms.ModelChoiceField(label="所属技术转移机构", required=False, queryset=Institution.objects.none())
    phone = forms.CharField(label="联系电话", max_length=40, required=False, help_text="仅向已核验用户显示。")
    email = forms.EmailField(label="电子邮箱", required=False, help_text="仅向已核验用户显示。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(status=Institution.Status.FILED)


class TrainingForm(BootstrapMixin, forms.Form):
    trainer = forms.CharField(label="培训机构", max_length=NAME_MAX,
                              help_text="国家或省级技术市场管理机构（第二十五条）。")
    trained_on = date_form_field("培训日期", past=True, widget=DateInput())
    assessed_on = date_form_field("考核日期", past=True, widget=DateInput())
    result = forms.ChoiceField(label="考核结果", choices=Training.Result.choices)
    certificate_number = forms.CharField(label="证书编号", max_length=60, required=False)


class DealForm(BootstrapMixin, forms.Form):
    contract = forms.TypedChoiceField(label="经纪的合同", coerce=int, choices=[])

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].choices = [(c.id, f"{c.title}（{c.signed_on:%Y-%m-%d}）") for c in contracts]


class RegistryForm(BootstrapMixin, forms.Form):
    """A contract-registration institution's record (第十五条), as the department keeps it."""

    name = forms.CharField(label="名称", max_length=100)
    legal_person = forms.CharField(label="依托法人单位", max_length=NAME_MAX, required=False,
                                   help_text="第十五条（一）：登记机构应具备法人资格。")
    has_premises = forms.BooleanField(label="具备登记所需的办公场所和办公条件（第十五条（三））", required=False)
    served_regions = forms.MultipleChoiceField(label="服务的市州", required=False,
                                               widget=forms.CheckboxSelectMultiple,
                                               help_text="这些市州的当事人可向本机构申请登记；不选时为所在市州。")
    active = forms.BooleanField(label="在用", required=False)

    def __init__(self, *args, registry=None, **kwargs):
        from techmarket.market.services.registries import prefectures

        if registry is not None and not args:
            kwargs.setdefault("initial", {
                "name": registry.name, "legal_person": registry.legal_person, "has_premises": registry.has_premises,
                "active": registry.active, "served_regions": [r.code for r in registry.served_regions.all()]})
        super().__init__(*args, **kwargs)
        self.fields["served_regions"].choices = [(r.code, r.name) for r in prefectures()]


class RegistrarForm(BootstrapMixin, forms.Form):
    """A registrar and the 技术合同认定登记员证书 they hold (第十五条（二））."""

    login = forms.CharField(label="用户名或注册邮箱", max_length=254)
    certificate_number = forms.CharField(label="登记员证书编号", max_length=40)
    certificate_issued_on = date_form_field("发证日期", required=False, widget=DateInput())
    full_time = forms.BooleanField(label="专职", required=False, initial=True)

    def __init__(self, *args, appointed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if appointed:
            del self.fields["login"]
