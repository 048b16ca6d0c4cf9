"""Pages of "policy in code": the rules, the "what could I get?" calculator, applications and their review,
and the ledger. Views call the services in policy/services and hold no rule of their own."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.common import audit
from techmarket.common.downloads import content_disposition
from techmarket.common.errors import NotAllowed
from techmarket.common.permissions import permission_required
from techmarket.policy.forms import (
    AdjustForm,
    ApproveForm,
    BudgetForm,
    CalculatorForm,
    DecisionForm,
    LedgerFilterForm,
    PaymentForm,
)
from techmarket.policy.models import Application, ApplicationEvidence, LedgerEntry
from techmarket.policy.services import applications
from techmarket.policy.services.applications import ApplicationError, can_apply, can_review
from techmarket.policy.services.data import ensure_synced, rulebook
from techmarket.policy.services.display import readable
from techmarket.policy.services.events import EventError
from techmarket.policy.services.facts import FactsError, Provenance, records_for
from techmarket.policy.services.ledger import ledger_rows, ledger_totals, set_budget

NOT_REVIEWER = "只有省科技厅审核人员可以审核奖补申请和查看台账。"
CANNOT_APPLY = applications.CANNOT_APPLY

reviewer_required = permission_required("policy.review", NOT_REVIEWER)


def index(request):
    """The rules, by source document, with their articles and excerpts."""
    book = rulebook()
    documents = [(document, [r for r in book.rules if r.document.code == document.code])
                 for document in sorted(book.documents, key=lambda d: d.valid_from or d.issued, reverse=True)]
    return render(request, "policy/index.html", {
        "documents": documents, "rule_count": len(book.rules), "words": book.vocabulary,
        "programmes": book.programmes,
    })


def _split_not_applied(result) -> tuple[list, int]:
    """Rules of the event's type that did not apply, and the number of rules for other types of event."""
    relevant = [n for n in result.not_applied if n.code != "event_type"]
    return relevant, len(result.not_applied) - len(relevant)


@login_required
def calculator(request):
    user = request.user
    organisation = user.organisation if user.organisation_id else None
    form = CalculatorForm(request.POST or None, organisation_name=organisation.name if organisation else "",
                          advanced=can_review(user))
    context = {"form": form, "can_apply": can_apply(user)}
    if request.method == "POST" and form.is_valid():
        try:
            event, result = applications.calculate(form.event_data(user.organisation_id), user)
        except EventError as error:
            # Event data typed in full names the fields as typed; the form's own fields are named by their labels.
            detail = error.zh if form.cleaned_data.get("advanced") else readable(error.zh)
            form.add_error(None, f"事件数据有误：{detail}")
        else:
            relevant, others = _split_not_applied(result)
            awards = [{**a.as_dict(), "own": bool(organisation) and a.organisation_id == organisation.pk}
                      for a in result.awards]
            own = any(a["own"] for a in awards)
            own_awards = [a for a in awards if a["own"]]
            context.update({
                "evidence": applications.evidence_items(applications.evidence_required(own_awards)),
                "result": result, "awards": awards, "not_applied": [n.as_dict() for n in relevant],
                "other_rules": others,
                "event_json": json.dumps(event.as_dict(), ensure_ascii=False) if own and can_apply(user) else "",
            })
    return render(request, "policy/calculator.html", context)


def _evidence_uploads(request) -> dict:
    """The files of a form's checklist: `evidence-<code>` inputs, by code."""
    return {name.removeprefix("evidence-"): upload for name, upload in request.FILES.items()
            if name.startswith("evidence-")}


@require_POST
@login_required
def apply(request):
    if not can_apply(request.user):
        raise NotAllowed(CANNOT_APPLY)
    try:
        application = applications.submit(request.user, json.loads(request.POST.get("event", "")),
                                          _evidence_uploads(request))
    except ValueError as error:  # not JSON, or an EventError
        detail = readable(error.zh) if isinstance(error, EventError) else "提交的事件数据有误，请重新计算后再提交。"
        messages.error(request, f"未能提交申请：{detail}")
        return redirect("policy:calculator")
    except applications.DuplicateApplication as duplicate:  # a double submission: show the one already made
        messages.info(request, str(duplicate))
        return redirect("policy:application", pk=duplicate.existing.pk)
    except ApplicationError as error:
        messages.error(request, f"未能提交申请：{error}")
        return redirect("policy:calculator")
    messages.success(request, f"已提交申请（编号 {application.pk}），计算合计 ¥{application.computed_total:,.2f}，"
                              "等待省科技厅审核。")
    return redirect("policy:application", pk=application.pk)


@login_required
def claimable(request):
    """The platform records the user's organisation may claim rewards from (registered contracts, …)."""
    if not can_apply(request.user):
        raise NotAllowed(CANNOT_APPLY)
    return render(request, "policy/claimable.html", {"records": records_for(request.user)})


@login_required
def claim(request, source: str, key: str):
    """"我能获得什么" from a platform record: GET shows what the user's organisation may claim, with the derivations
    and the facts the record vouches for; POST applies with those facts (none typed, so none can be changed)."""
    if not can_apply(request.user):
        raise NotAllowed(CANNOT_APPLY)
    if request.method == "POST":
        try:
            application = applications.submit_record(request.user, source, key, _evidence_uploads(request))
        except applications.DuplicateApplication as duplicate:
            messages.info(request, str(duplicate))
            return redirect("policy:application", pk=duplicate.existing.pk)
        except (ApplicationError, FactsError, EventError) as error:
            detail = readable(error.zh) if isinstance(error, EventError) else str(error)
            messages.error(request, f"未能提交申请：{detail}")
            return redirect("policy:claim", source=source, key=key)
        messages.success(request, f"已提交申请（编号 {application.pk}），计算合计 ¥{application.computed_total:,.2f}，"
                                  "事实取自平台记录，等待省科技厅审核。")
        return redirect("policy:application", pk=application.pk)
    try:
        item, event, result = applications.claim(request.user, source, key)
    except applications.DuplicateApplication as duplicate:  # claimed before, and nothing paid since
        messages.info(request, str(duplicate))
        return redirect("policy:application", pk=duplicate.existing.pk)
    except (ApplicationError, FactsError) as error:
        raise NotAllowed(str(error)) from None
    except EventError as error:
        messages.error(request, f"该记录的事实不完整，暂无法计算：{readable(error.zh)}")
        return redirect("policy:claimable")
    relevant, others = _split_not_applied(result)
    own = applications.own_awards(result, request.user.organisation_id)
    awards = [a.as_dict() for a in own]
    evidence = applications.evidence_items(applications.evidence_required(own), item.evidence)
    return render(request, "policy/claim.html", {
        "record": item, "provenance": Provenance.from_record(item), "event": event, "evidence": evidence,
        "earlier": list(applications.earlier_claims(request.user.organisation_id, item)),
        "facts": applications.fact_lines(event), "awards": awards,
        "total": sum((a.amount for a in own), applications.ZERO),
        "not_applied": [n.as_dict() for n in relevant], "other_rules": others,
        "existing": applications.existing_application(request.user.organisation_id, event),
    })


@login_required
def my_applications(request):
    user = request.user
    items = Application.objects.filter(organisation_id=user.organisation_id) if can_apply(user) else []
    return render(request, "policy/my_applications.html", {"applications": items})


@login_required
def application_detail(request, pk: int):
    application = get_object_or_404(Application.objects.select_related("organisation", "applicant", "reviewer"), pk=pk)
    reviewer = can_review(request.user)
    own = can_apply(request.user) and application.organisation_id == request.user.organisation_id
    if not reviewer and not own:
        raise NotAllowed("只能查看本单位的申请（须为已核验的本单位用户）。")
    current, maximums = [], {}
    if reviewer and application.is_open:
        current = [a.as_dict() for a in applications.current_awards(application)]
        maximums = applications.maximum_awards(application, current)
    forms = {
        "approve": ApproveForm(prefix="approve"), "reject": DecisionForm(prefix="reject"),
        "adjust": AdjustForm(prefix="adjust", awards=current, maximums=maximums),
        "pay": PaymentForm(prefix="pay", years=applications.payable_years(application)),
    }
    if request.method == "POST":
        if not reviewer:
            raise NotAllowed(NOT_REVIEWER)
        action = request.POST.get("action", "")
        if action not in forms:
            messages.error(request, "未知的审核操作。")
            return redirect("policy:application", pk=pk)
        response = _act(request, application, action, forms, current, maximums)
        if response:
            return response
    return render(request, "policy/application_detail.html", {
        "application": application, "reviewer": reviewer, "current": current, "forms": forms,
        "active_action": request.POST.get("action", ""),
        "current_differs": [a["amount"] for a in current] != [a["amount"] for a in application.awards],
        "history": audit.history_for(application),
        "provenance": Provenance.from_dict(application.facts),
        "checklist": applications.checklist(application),
        "rules_changed": application.rules_version != rulebook().version,
        "entries": application.ledger_entries.select_related("rule", "programme"),
    })


@login_required
def evidence_download(request, pk: int, evidence_pk: int):
    """An uploaded piece of evidence, for the applicant organisation's verified members and reviewers."""
    evidence = get_object_or_404(ApplicationEvidence.objects.select_related("application"), pk=evidence_pk,
                                 application_id=pk)
    own = can_apply(request.user) and evidence.application.organisation_id == request.user.organisation_id
    if not (own or can_review(request.user)):
        raise NotAllowed("只能查看本单位申请的证明材料（须为已核验的本单位用户）或由审核人员查看。")
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = content_disposition(evidence.name, f"evidence-{evidence.pk}{evidence.extension}")
    return response


def _act(request, application, action, forms, current, maximums):
    """Carries out a reviewer's action; returns a redirect, or None to show the page with the form's errors."""
    if action == "adjust":
        form = forms["adjust"] = AdjustForm(request.POST, prefix="adjust", awards=current, maximums=maximums)
    elif action == "pay":
        form = forms["pay"] = PaymentForm(request.POST, prefix="pay",
                                          years=applications.payable_years(application))
    else:
        form = forms[action] = (ApproveForm if action == "approve" else DecisionForm)(request.POST, prefix=action)
    if not form.is_valid():
        return None
    try:
        if action == "pay":
            paid = applications.record_payment(application, request.user, form.cleaned_data["year"])
            total = sum(e.amount for e in paid)
            messages.success(request, f"已登记 {form.cleaned_data['year']} 年度拨付 ¥{total:,.2f}。")
        else:
            decided = applications.decide(application, request.user, action, form.cleaned_data["reason"],
                                          form.amounts() if action == "adjust" else None,
                                          evidence_checked=form.cleaned_data.get("evidence_checked", False),
                                          over_budget=form.cleaned_data.get("over_budget", False))
            messages.success(request, f"申请 {decided.pk}：{decided.get_status_display()}。")
    except ApplicationError as error:
        form.add_error(None, str(error))
        return None
    return redirect("policy:application", pk=application.pk)


@reviewer_required
def review_queue(request):
    tab = "decided" if request.GET.get("tab") == "decided" else "queue"
    queue = applications.review_queue()
    items = queue if tab == "queue" else Application.objects.exclude(
        status=Application.Status.SUBMITTED).select_related("organisation", "reviewer").order_by("-decided_at")[:200]
    return render(request, "policy/review_queue.html", {"tab": tab, "applications": items,
                                                         "queue_count": queue.count()})


@reviewer_required
def ledger(request):
    ensure_synced()  # budgets as in data/policy/programmes.yaml
    budget_form = BudgetForm(request.POST if request.method == "POST" else None, prefix="budget")
    if request.method == "POST" and budget_form.is_valid():
        data = budget_form.cleaned_data
        try:
            budget = set_budget(request.user, data["programme"], data["year"], data["amount"], data["source"])
        except ApplicationError as error:
            budget_form.add_error(None, str(error))
        else:
            messages.success(request, f"已录入 {budget.programme.name} {budget.year}年度预算 ¥{budget.amount:,.2f}。")
            return redirect("policy:ledger")
    form = LedgerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    programme, year = data.get("programme") or "", data.get("year")
    rows = ledger_rows(programme, year)
    entries = None
    if programme and year:
        entries = LedgerEntry.objects.filter(programme__code=programme, year=year).select_related(
            "rule", "organisation", "application")
    # Issue 13 point 8: each programme-year row belongs to one budget year only; group the rows by year (newest
    # first) so a budget set for one year (2017) is not read as covering another year's commitments (2026).
    years = []
    for row in sorted(rows, key=lambda r: -r.year):
        if not years or years[-1]["year"] != row.year:
            years.append({"year": row.year, "rows": [], "budgeted": False})
        years[-1]["rows"].append(row)
        years[-1]["budgeted"] |= row.budget is not None
    for group in years:
        group["totals"] = ledger_totals(group["rows"])
    budget_years = [g["year"] for g in years if g["budgeted"]]
    unbudgeted_commitments = [g["year"] for g in years if not g["budgeted"] and g["totals"]["committed"]]
    return render(request, "policy/ledger.html", {
        "form": form, "rows": rows, "totals": ledger_totals(rows), "entries": entries,
        "programme": programme, "year": year, "years": years,
        "budget_years": budget_years, "unbudgeted_commitments": unbudgeted_commitments, "budget_form": budget_form,
    })
