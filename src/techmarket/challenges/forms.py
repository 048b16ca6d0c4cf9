"""Forms of challenges: the same bounds as the services and the database (common.bounds)."""

from django import forms

from techmarket.catalogue.models import Field
from techmarket.challenges.models import (
    APPROACH_MAX,
    COMMENT_MAX,
    MAX_NOTICE_DAYS,
    MAX_REVIEWERS,
    PROBLEM_MAX,
    TERMS_MAX,
    TRL_MAX,
    TRL_MIN,
    Mode,
)
from techmarket.common.bounds import NAME_MAX, REASON_MAX, TITLE_MAX, date_form_field, money_form_field
from techmarket.directory.models import Region

DATE = forms.DateInput(attrs={"type": "date"})


def _text(label, limit, required=True, rows=None):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(label=label, max_length=limit, required=required, widget=widget)


class ChallengeForm(forms.Form):
    title = _text("榜单名称", TITLE_MAX)
    mode = forms.ChoiceField(label="组织方式", choices=Mode.choices)
    field_code = forms.ChoiceField(label="所属领域")
    problem = _text("攻关任务", PROBLEM_MAX, rows=5)
    indicators = _text("可考核指标（每行一项：指标：目标值）", TERMS_MAX, rows=3)
    public_funds = money_form_field("财政资金（元）", required=False)
    own_funds = money_form_field("企业自筹资金（元）", required=False)
    payment_terms = _text("资金拨付方式", TERMS_MAX, required=False, rows=2)
    deadline = date_form_field("截止日期", widget=DATE)
    eligibility = _text("揭榜条件", TERMS_MAX, required=False, rows=2)
    joint_required = forms.BooleanField(label="须省内单位联合省外单位揭榜", required=False)
    ip_terms = _text("知识产权约定", TERMS_MAX, required=False, rows=2)
    confidentiality = _text("保密要求", TERMS_MAX, required=False, rows=2)
    reviewers_count = forms.IntegerField(label="评审专家人数", min_value=1, max_value=MAX_REVIEWERS, initial=5)
    winners_count = forms.IntegerField(label="立项支持团队数（赛马制可多个）", min_value=1, max_value=10, initial=1)
    notice_days = forms.IntegerField(label="公示天数", min_value=1, max_value=MAX_NOTICE_DAYS, initial=5)
    listed_in_plan = forms.BooleanField(label="已列入省级科技计划（企业自有资金投入可获奖励）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_code"].choices = [(f.code, f.name) for f in Field.objects.order_by("position", "code")]
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-control")

    def indicator_rows(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data["indicators"].splitlines():
            if line.strip():
                name, _, target = line.replace(":", "：").partition("：")
                rows.append({"name": name.strip(), "target": target.strip() or "见任务书"})
        return rows


class ProposalForm(forms.Form):
    team_name = _text("团队名称", NAME_MAX)
    leader_name = _text("团队负责人", 100)
    approach = _text("技术路线（一页以内）", APPROACH_MAX, rows=6)
    trl_now = forms.IntegerField(label="现有技术成熟度 TRL", min_value=TRL_MIN, max_value=TRL_MAX)
    trl_promised = forms.IntegerField(label="承诺技术成熟度 TRL", min_value=TRL_MIN, max_value=TRL_MAX)
    budget = money_form_field("经费预算（元）")
    price = money_form_field("投标报价（元，技术招标必填）", required=False)
    partner_name = _text("合作单位名称", NAME_MAX, required=False)
    partner_region = forms.ChoiceField(label="合作单位所在地", required=False)
    partner_role = _text("合作单位分工", NAME_MAX, required=False)
    milestone1 = _text("里程碑一", TITLE_MAX)
    milestone1_due = date_form_field("里程碑一计划完成日期", widget=DATE)
    milestone1_amount = money_form_field("里程碑一完成后拨付（元）", required=False)
    milestone2 = _text("里程碑二", TITLE_MAX, required=False)
    milestone2_due = date_form_field("里程碑二计划完成日期", required=False, widget=DATE)
    milestone2_amount = money_form_field("里程碑二完成后拨付（元）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_region"].choices = [("", "请选择")] + [(r.code, r.name) for r in Region.objects.all()]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def partners(self) -> list[dict]:
        d = self.cleaned_data
        if not d.get("partner_name"):
            return []
        return [{"name": d["partner_name"], "region": d.get("partner_region"), "role": d.get("partner_role", "")}]

    def milestones(self) -> list[dict]:
        d, out = self.cleaned_data, []
        for n in (1, 2):
            if d.get(f"milestone{n}"):
                due = d.get(f"milestone{n}_due")
                out.append({"title": d[f"milestone{n}"], "due_on": due.isoformat() if due else None,
                            "amount": d.get(f"milestone{n}_amount") or 0})
        return out


class ScoreForm(forms.Form):
    comment = _text("评审意见", COMMENT_MAX, rows=3)


class ReasonForm(forms.Form):
    reason = _text("理由或意见", REASON_MAX, required=False, rows=2)
