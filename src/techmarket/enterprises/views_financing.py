"""Pages of financing needs (docs/enterprises.md, "Financing needs"): the enterprise's needs and the form to post
one, a need's page (progress for the enterprise; figures, response, outcome and bad loan for a chosen institution),
the financial institution's desk (products, matched needs, aggregates) and a bad loan's risk compensation as the
policy engine computes it. Thin: forms in, services do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from techmarket.common.audit import history_for
from techmarket.common.permissions import allowed
from techmarket.enterprises.forms import BadLoanForm, NeedForm, OutcomeForm, ProductForm, RespondForm, ShareForm
from techmarket.enterprises.models import FinancingResponse
from techmarket.enterprises.services import financing as service
from techmarket.enterprises.services.financing import NeedInput, OutcomeInput, ProductInput
from techmarket.enterprises.views_forms import submit


@login_required
def home(request):
    user = request.user
    if allowed(user, "enterprises.lend") and not allowed(user, "enterprises.post_need"):
        return redirect("enterprises:financing-desk")
    can_post = allowed(user, "enterprises.post_need")
    institutions = service.institutions()
    form = NeedForm(request.POST or None, institutions=institutions)
    if request.method == "POST":
        if not can_post:
            messages.error(request, service.NOT_ENTERPRISE)
        else:
            done, need = submit(request, form, lambda d: service.post_need(user, NeedInput(
                kind=d["kind"], amount=d["amount"], use=d["use"], term_months=d["term_months"],
                security=d["security"], security_note=d["security_note"], field=d["field"], size=d["size"],
                share_with=[int(x) for x in d["share_with"]])), "已发布融资需求。")
            if done:
                return redirect(need)
    return render(request, "enterprises/financing.html", {
        "form": form, "can_post": can_post, "needs": service.needs_of(user), "aggregates": service.aggregates()})


@login_required
def need_page(request, pk: int):
    user = request.user
    need = service.need_for(user, pk)
    manage = allowed(user, "enterprises.manage_need", need)
    lender = allowed(user, "enterprises.respond_need", need)
    response = service.response_of(user, need) if lender else None
    products = [p for p in service.products_of(user.organisation_id) if service.matches(p, need)] if lender else []
    return render(request, "enterprises/need.html", {
        "need": need, "manage": manage, "lender": lender, "response": response,
        "figures": service.figures(need),  # everyone who may see the need: the enterprise, chosen banks, department
        "responses": need.responses.select_related("institution", "product") if manage or not lender else [],
        "share_form": ShareForm(initial={"share_with": [str(pk) for pk in need.shared_with.values_list(
            "pk", flat=True)]}, institutions=service.institutions()) if manage else None,
        "respond_form": RespondForm(products=products) if lender else None,
        "outcome_form": OutcomeForm(initial={"amount": need.amount, "term_months": need.term_months})
        if lender else None,
        "bad_form": BadLoanForm() if response is not None and response.status == FinancingResponse.Status.GRANTED
        and need.kind == "loan" else None,
        "history": history_for(need) if manage or not lender else [],
    })


@require_POST
@login_required
def share(request, pk: int):
    need = service.need_for(request.user, pk)
    form = ShareForm(request.POST, institutions=service.institutions())
    submit(request, form, lambda d: service.share(request.user, need, [int(x) for x in d["share_with"]]),
           "已更新可查看本企业信息的金融机构。")
    return redirect(need)


@require_POST
@login_required
def close(request, pk: int):
    need = service.need_for(request.user, pk)
    service.close(request.user, need)
    messages.success(request, "已关闭该融资需求。")
    return redirect(need)


@require_POST
@login_required
def respond(request, pk: int):
    need = service.need_for(request.user, pk)
    form = RespondForm(request.POST, products=service.products_of(request.user.organisation_id or 0))
    submit(request, form, lambda d: service.respond(
        request.user, need, d["status"], int(d["product"]) if d["product"] else None, d["message"]),
        "已回应该融资需求，企业会收到通知。")
    return redirect(need)


@require_POST
@login_required
def outcome(request, pk: int):
    need = service.need_for(request.user, pk)
    form = OutcomeForm(request.POST)
    submit(request, form, lambda d: service.record_outcome(
        request.user, need, OutcomeInput(d["amount"], d["rate"], d["term_months"], d["granted_on"])),
        "已记录放款/投资结果。")
    return redirect(need)


@require_POST
@login_required
def bad_loan_record(request, pk: int):
    need = service.need_for(request.user, pk)
    response = service.response_of(request.user, need)
    form = BadLoanForm(request.POST)
    if response is None:
        messages.error(request, "本机构没有该需求的放款记录。")
    else:
        done, bad = submit(request, form, lambda d: service.record_bad_loan(
            request.user, response, d["principal"], d["recognised_on"]),
            "已登记不良贷款，以下是按政策条款测算的风险补偿。")
        if done:
            return redirect(bad)
    return redirect(need)


@login_required
def bad_loan_page(request, pk: int):
    bad = service.bad_loan_for(request.user, pk)
    compensation = service.compensation(request.user, bad)
    return render(request, "enterprises/bad_loan.html", {
        "bad": bad, "compensation": compensation, "awards": [a.as_dict() for a in compensation.awards],
        "can_claim": allowed(request.user, "enterprises.lend")})


@login_required
def desk(request):
    user = request.user
    form = ProductForm(request.POST or None)
    if request.method == "POST":
        done, _ = submit(request, form, lambda d: service.add_product(user, ProductInput(
            name=d["name"], kind=d["kind"], min_amount=d["min_amount"], max_amount=d["max_amount"],
            max_term_months=d["max_term_months"], fields=d["fields"], securities=d["securities"])),
            "已登记金融产品。")
        if done:
            return redirect("enterprises:financing-desk")
    return render(request, "enterprises/financing_desk.html", {
        "desk": service.desk(user), "form": form, "fields": dict(form.fields["fields"].choices)})
