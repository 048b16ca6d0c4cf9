"""Pages of achievements for every role (docs/achievements.md, "Pages"). Views read the form, call the service,
catch its error, add a message and redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.achievements import forms
from techmarket.achievements.models import Achievement, AnnualReport, Evaluation
from techmarket.achievements.services import evaluation as ev
from techmarket.achievements.services import pricing, records, reports
from techmarket.achievements.services.criteria import reporting
from techmarket.common import notices
from techmarket.common.audit import history_for
from techmarket.common.downloads import content_disposition
from techmarket.common.errors import DomainError, NotFound
from techmarket.common.permissions import allowed, require

PAGE_SIZE = 20


def achievement_list(request):
    qs = records.public_list()
    kind = request.GET.get("kind", "")
    if kind in Achievement.Kind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "achievements/list.html", {
        "page": page, "kinds": Achievement.Kind.choices, "kind": kind,
        "can_create": allowed(request.user, "achievements.create")})


@login_required
def mine(request):
    user = request.user
    return render(request, "achievements/mine.html", {
        "achievements": records.of_organisation(user.organisation_id) if user.organisation_id else [],
        "can_create": allowed(user, "achievements.create"),
        "evaluations": Evaluation.objects.filter(status=Evaluation.Status.REQUESTED).select_related("achievement")
        if allowed(user, "achievements.manage") else []})


def _form_input(form) -> records.AchievementInput:
    d = form.cleaned_data
    return records.AchievementInput(
        title=d["title"], kind=d["kind"], trl=d["trl"], summary=d["summary"],
        completers=records.parse_completers(d["completers"]), ip_number=d["ip_number"], ip_status=d["ip_status"],
        field_code=d["field"].code if d["field"] else "", confidential=d["confidential"],
        public_funds=d["public_funds"])


def _edit(request, achievement=None):
    if achievement is None:
        records.check_can_create(request.user)
    else:
        require(request.user, "achievements.edit", achievement, message="只有成果持有单位的已核验成员可以修改成果。")
    if request.method == "POST":
        form = forms.AchievementForm(request.POST)
        if form.is_valid():
            try:
                data = _form_input(form)
                achievement = (records.create(request.user, data) if achievement is None
                               else records.update(request.user, achievement, data))
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "成果信息已保存。")
                return redirect(achievement)
    else:
        initial = {}
        if achievement is not None:
            initial = {k: getattr(achievement, k) for k in ("title", "kind", "ip_status", "ip_number", "trl",
                                                            "summary", "confidential", "public_funds")}
            initial["field"] = achievement.field
            initial["completers"] = "\n".join(f"{c.name} {c.share.normalize():f}"
                                              for c in achievement.completers.all())
        form = forms.AchievementForm(initial=initial)
    return render(request, "achievements/form.html", {"form": form, "achievement": achievement})


@login_required
def achievement_new(request):
    return _edit(request)


@login_required
def achievement_edit(request, pk):
    return _edit(request, get_object_or_404(Achievement, pk=pk))


def achievement_detail(request, pk):
    achievement = get_object_or_404(Achievement.objects.select_related("owner", "field", "listing"), pk=pk)
    user = request.user
    confidential = records.can_see_confidential(user, achievement)
    owner = allowed(user, "achievements.edit", achievement)
    price_notices = list(achievement.price_notices.select_related("notice"))
    for p in price_notices:
        p.state = pricing.state_label(p)
    evaluations = list(achievement.evaluations.select_related("institution")) if confidential else []
    done = ev.latest_completed(achievement)
    return render(request, "achievements/detail.html", {
        "achievement": achievement, "confidential": confidential, "owner": owner,
        "completers": achievement.completers.all(),
        "evaluation": done, "evaluations": evaluations,
        "criteria_rows": ev.criteria_rows(done) if done else [],
        "price_notices": price_notices, "blocked": pricing.blocker_reason(achievement) if owner else None,
        "request_form": forms.EvaluationRequestForm() if owner else None,
        "notice_form": forms.PriceNoticeForm() if owner else None,
        "contracts": pricing.linkable_contracts(user) if owner else [],
        "links": achievement.contract_links.select_related("contract") if confidential else [],
        "history": history_for(achievement, achievement.evaluations.all()) if confidential else None,
    })


@require_POST
@login_required
def publish_offer(request, pk):
    achievement = get_object_or_404(Achievement, pk=pk)
    try:
        listing = records.publish_offer(request.user, achievement)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(achievement)
    messages.success(request, "已生成成果供给条目草稿，请检查后提交审核。")
    return redirect("listing-detail", listing.reference)


@require_POST
@login_required
def request_evaluation(request, pk):
    achievement = get_object_or_404(Achievement, pk=pk)
    form = forms.EvaluationRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(achievement)
    try:
        evaluation = ev.request(request.user, achievement, form.cleaned_data["mode"],
                                form.cleaned_data["institution"], form.cleaned_data["panel_size"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(achievement)
    messages.success(request, "评估申请已提交。")
    return redirect(evaluation)


def _evaluation(request, pk) -> Evaluation:
    evaluation = get_object_or_404(Evaluation.objects.select_related("achievement", "achievement__owner",
                                                                     "institution", "panel"), pk=pk)
    require(request.user, "achievements.view_confidential", evaluation.achievement, hide=True)
    return evaluation


@login_required
def evaluation_detail(request, pk):
    evaluation = _evaluation(request, pk)
    user = request.user
    can_score = allowed(user, "achievements.score", evaluation) and not evaluation.scores.filter(
        scorer=user).exists()
    form = forms.ScoreForm()
    if request.method == "POST":
        form = forms.ScoreForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                ev.score(user, evaluation, form.points(), d["price_low"], d["price_high"], d["comment"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "评分已提交。")
                return redirect(evaluation)
    department = allowed(user, "achievements.manage")
    return render(request, "achievements/evaluation.html", {
        "evaluation": evaluation, "achievement": evaluation.achievement, "form": form, "can_score": can_score,
        "department": department, "panel": evaluation.panel,
        "scored": evaluation.scores.count(), "expected": ev.expected_scorers(evaluation),
        "criteria_rows": ev.criteria_rows(evaluation) if evaluation.status == Evaluation.Status.COMPLETED else [],
        "scores": evaluation.scores.all() if evaluation.status == Evaluation.Status.COMPLETED else [],
    })


@require_POST
@login_required
def draw(request, pk):
    evaluation = _evaluation(request, pk)
    try:
        ev.draw_panel(request.user, evaluation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已抽取评估专家，存在利益关系的专家已自动回避。")
    return redirect(evaluation)


@login_required
def evaluation_pdf(request, pk):
    evaluation = _evaluation(request, pk)
    if evaluation.status != Evaluation.Status.COMPLETED:
        raise NotFound("评估完成后才能下载评估报告。")
    response = HttpResponse(ev.report_pdf(evaluation), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"科技成果评估报告-{evaluation.achievement.title[:40]}.pdf", f"evaluation-{evaluation.pk}.pdf")
    return response


@require_POST
@login_required
def price_notice(request, pk):
    achievement = get_object_or_404(Achievement, pk=pk)
    form = forms.PriceNoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(achievement)
    d = form.cleaned_data
    try:
        record = pricing.publish(request.user, achievement, d["price"], d["buyer"], d["days"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(achievement)
    messages.success(request, "协议定价公示已发布。")
    return redirect(notices.notice_url(record.notice))


@require_POST
@login_required
def link_contract(request, pk):
    achievement = get_object_or_404(Achievement, pk=pk)
    contract = next((c for c in pricing.linkable_contracts(request.user)
                     if str(c.pk) == request.POST.get("contract", "")), None)
    if contract is None:
        messages.error(request, "请选择本单位为当事人、尚未关联成果的技术合同。")
        return redirect(achievement)
    try:
        pricing.link_contract(request.user, achievement, contract)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已关联技术合同。")
    return redirect(achievement)


@login_required
def report_home(request):
    """The unit's reports and state, the supervisor's units, the department's overdue list."""
    user = request.user
    org = user.organisation_id
    own = reports.own_state(org) if org else None
    supervised = reports.supervised(org) if org and user.is_verified else []
    today = reports.today()
    form = forms.ReportForm(organisation_id=org, initial={"year": reports.report_year(today)})
    if request.method == "POST" and "supervisor" in request.POST:
        sform = forms.SupervisorForm(request.POST)
        if sform.is_valid():
            try:
                reports.set_supervisor(user, user.organisation, sform.cleaned_data["supervisor"])
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "主管部门已登记。")
                return redirect("achievements:reports")
    elif request.method == "POST":
        form = forms.ReportForm(request.POST, organisation_id=org)
        if form.is_valid():
            d = form.cleaned_data
            try:
                report = reports.submit(user, reports.ReportInput(
                    year=d["year"], contracts_count=d["contracts_count"], contracts_amount=d["contracts_amount"],
                    income=d["income"], rewards=d["rewards"], summary=d["summary"],
                    achievement_ids=[a.pk for a in d["achievements"]]))
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "年度报告已报送主管部门。")
                return redirect(report)
    return render(request, "achievements/reports.html", {
        "own": own, "overdue": own.overdue(today) if own else False, "form": form,
        "supervisor_form": forms.SupervisorForm(), "reports": reports.reports_of(org) if org else [],
        "supervised": [(s, s.overdue(today)) for s in supervised], "rules": reporting(), "today": today,
        "department_overdue": reports.overdue(today) if allowed(user, "achievements.manage") else None,
    })


@login_required
def report_detail(request, pk):
    report = get_object_or_404(AnnualReport.objects.select_related("organisation", "supervisor"), pk=pk)
    if not reports.can_view(request.user, report):
        raise NotFound()
    if request.method == "POST":
        try:
            reports.review(request.user, report, request.POST.get("action") == "forward",
                           request.POST.get("note", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已处理。")
        return redirect(report)
    is_supervisor = request.user.organisation_id == report.supervisor_id and request.user.is_verified
    return render(request, "achievements/report.html", {
        "report": report, "achievements": report.achievements.all(), "history": history_for(report),
        "can_review": is_supervisor and report.status == AnnualReport.Status.SUBMITTED})
