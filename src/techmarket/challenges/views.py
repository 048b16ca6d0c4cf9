"""Pages of challenges for every role (docs/challenges.md, "Pages"): the public call and list, drafting, proposals,
the experts' anonymous scoring, the department's steps, the team's feedback. Views read the form, call the service,
catch its error, add a message and redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.challenges import forms
from techmarket.challenges.models import Agreement, Challenge, Milestone, Mode, Proposal, Score
from techmarket.challenges.rules import expert_of
from techmarket.challenges.services import calls, delivery, proposals, review, search, statistics
from techmarket.common import notices
from techmarket.common.audit import history_for
from techmarket.common.downloads import content_disposition
from techmarket.common.errors import DomainError, NotFound
from techmarket.common.permissions import allowed, permission_required, require

PAGE_SIZE = 20
PUBLIC = [s for s in Challenge.Status.values if s not in ("draft", "pending", "rejected")]


def challenge_list(request):
    mode, status, q = request.GET.get("mode", ""), request.GET.get("status", ""), request.GET.get("q", "")[:100]
    qs = Challenge.objects.filter(status__in=PUBLIC).select_related("field", "challenger")
    if mode in Mode.values:
        qs = qs.filter(mode=mode)
    if status in PUBLIC:
        qs = qs.filter(status=status)
    words = ()
    if q.strip():
        hits = search.search(q)
        rank = {h.pk: i for i, h in enumerate(hits)}
        words = tuple(sorted({w for h in hits for w in h.words}))
        qs = sorted(qs.filter(pk__in=list(rank)), key=lambda c: rank[c.pk])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "challenges/list.html", {
        "page": page, "modes": Mode.choices, "statuses": [(s, Challenge.Status(s).label) for s in PUBLIC],
        "mode": mode, "status": status, "q": q, "words": words,
        "can_create": allowed(request.user, "challenges.create")})


def _challenge(request, pk) -> Challenge:
    challenge = get_object_or_404(Challenge.objects.select_related("field", "challenger", "notice", "panel"), pk=pk)
    require(request.user, "challenges.view", challenge, hide=True)
    return challenge


def challenge_detail(request, pk):
    challenge = _challenge(request, pk)
    user = request.user
    department = allowed(user, "challenges.manage")
    mine = None
    if user.is_authenticated and user.organisation_id:
        mine = challenge.proposals.filter(organisation_id=user.organisation_id).exclude(
            status=Proposal.Status.WITHDRAWN).first()
    context = {
        "challenge": challenge, "clarifications": calls.public_clarifications(challenge),
        "figures": statistics.call_figures(challenge), "department": department, "mine": mine,
        "can_ask": allowed(user, "challenges.ask", challenge) and challenge.status == Challenge.Status.PUBLISHED,
        "can_propose": allowed(user, "challenges.propose", challenge) and mine is None,
        "can_edit": allowed(user, "challenges.edit", challenge) and not challenge.is_public,
        "can_score": review.can_score(user, challenge),
        "show_result": allowed(user, "challenges.view_result", challenge),
        "winners": challenge.proposals.filter(status=Proposal.Status.SELECTED).select_related("organisation"),
        "reason_form": forms.ReasonForm(),
    }
    if challenge.notice_id:
        context["notice_outcome"] = notices.OUTCOME_LABELS[notices.outcome(challenge.notice)]
    if department:
        context.update({
            "proposals": challenge.proposals.select_related("organisation").prefetch_related("partners__region"),
            "unanswered": challenge.clarifications.filter(answer=""),
            "review_ranking": statistics.ranking(challenge, Score.Stage.REVIEW),
            "pitch_ranking": statistics.ranking(challenge, Score.Stage.PITCH),
            "agreements": Agreement.objects.filter(proposal__challenge=challenge).select_related("proposal"),
            "history": history_for(challenge),
        })
    return render(request, "challenges/detail.html", context)


def _challenge_input(form) -> calls.ChallengeInput:
    d = form.cleaned_data
    return calls.ChallengeInput(
        title=d["title"], problem=d["problem"], mode=d["mode"], field_code=d["field_code"],
        indicators=form.indicator_rows(), public_funds=d.get("public_funds") or 0, own_funds=d.get("own_funds") or 0,
        payment_terms=d["payment_terms"], deadline=d["deadline"], eligibility=d["eligibility"],
        joint_required=d["joint_required"], ip_terms=d["ip_terms"], confidentiality=d["confidentiality"],
        reviewers_count=d["reviewers_count"], winners_count=d["winners_count"], notice_days=d["notice_days"],
        listed_in_plan=d["listed_in_plan"])


@permission_required("challenges.create", "请先完成单位核验，再起草榜单。")
def challenge_new(request):
    form = forms.ChallengeForm(request.POST or None)
    demand = request.GET.get("demand", "")
    if request.method == "POST" and form.is_valid():
        data = _challenge_input(form)
        if request.POST.get("demand", "").isdigit():
            data.demand_ids = [int(request.POST["demand"])]
        try:
            challenge = calls.create_challenge(request.user, data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "榜单草稿已保存。")
            return redirect(challenge)
    return render(request, "challenges/form.html", {"form": form, "demand": demand if demand.isdigit() else ""})


@permission_required("challenges.view_pipeline", "只有省科技厅可以查看榜单工作台。")
def pipeline(request):
    return render(request, "challenges/pipeline.html", {
        "pipeline": statistics.pipeline(),
        "challenges": Challenge.objects.select_related("challenger").order_by("-updated_at")[:100]})


@login_required
def mine(request):
    user = request.user
    return render(request, "challenges/mine.html", {
        "proposals": Proposal.objects.filter(organisation_id=user.organisation_id).select_related("challenge")
        if user.organisation_id else [],
        "drafts": Challenge.objects.filter(challenger_id=user.organisation_id).exclude(status__in=PUBLIC)
        if user.organisation_id else [],
        "assigned": _assigned(user)})


def _assigned(user):
    expert = expert_of(user)
    if expert is None:
        return []
    return Challenge.objects.filter(panel__entries__expert=expert, panel__entries__outcome="drawn").distinct()


@login_required
def proposal_new(request, pk):
    challenge = _challenge(request, pk)
    form = forms.ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = proposals.ProposalInput(
            team_name=d["team_name"], leader_name=d["leader_name"], approach=d["approach"], trl_now=d["trl_now"],
            trl_promised=d["trl_promised"], partners=form.partners(), milestones=form.milestones(),
            budget=d["budget"], price=d.get("price"))
        try:
            proposal = proposals.submit(request.user, challenge, data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"方案已提交（{proposal.code}）。截止日期前可以撤回。")
            return redirect(proposal)
    return render(request, "challenges/proposal_form.html", {"form": form, "challenge": challenge})


def _proposal(request, pk) -> Proposal:
    proposal = get_object_or_404(Proposal.objects.select_related("challenge__panel", "organisation"), pk=pk)
    require(request.user, "challenges.view_proposal", proposal, hide=True)
    return proposal


@login_required
def proposal_detail(request, pk):
    proposal = _proposal(request, pk)
    user = request.user
    challenge = proposal.challenge
    team = allowed(user, "challenges.view_team", proposal)
    agreement = Agreement.objects.filter(proposal=proposal).first()
    context = {
        "proposal": proposal, "challenge": challenge, "sees_team": team,
        "is_team": allowed(user, "challenges.act_for_team", proposal),
        "department": allowed(user, "challenges.manage"),
        "partners": proposal.partners.select_related("region") if team else [],
        "agreement": agreement, "milestones": agreement.milestone_set.all() if agreement else [],
        "fundings": agreement.fundings.all() if agreement else [],
        "feedback": statistics.feedback(proposal) if team and challenge.stage == Challenge.Stage.DECIDED else [],
        "can_score": review.can_score(user, challenge) and proposal.status == Proposal.Status.ELIGIBLE,
        "my_score": review.my_scores(user, challenge).get(proposal.pk),
        "score_form": forms.ScoreForm(), "reason_form": forms.ReasonForm(),
    }
    return render(request, "challenges/proposal.html", context)


@login_required
def review_list(request, pk):
    """An expert's assigned proposals, anonymous (codes only)."""
    challenge = _challenge(request, pk)
    require(request.user, "challenges.score", challenge, hide=True)
    scored = review.my_scores(request.user, challenge)
    rows = [(p, scored.get(p.pk)) for p in review.eligible(challenge)]
    return render(request, "challenges/review.html", {"challenge": challenge, "rows": rows})


@require_POST
@login_required
def score(request, pk):
    proposal = _proposal(request, pk)
    challenge = proposal.challenge
    require(request.user, "challenges.score", challenge, hide=True)
    marks = [request.POST.get(f"mark{i}", "") for i in range(len(challenge.criteria))]
    try:
        review.score(request.user, proposal, marks, request.POST.get("comment", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(proposal)
    messages.success(request, f"已提交对{proposal.code}的评分。")
    return redirect("challenges:review", challenge.pk)


@require_POST
@login_required
def ask(request, pk):
    challenge = _challenge(request, pk)
    try:
        calls.ask(request.user, challenge, request.POST.get("question", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "问题已提交，答复后向所有揭榜方公开。")
    return redirect(challenge)


@require_POST
@login_required
def team_act(request, pk):
    """The team's steps: withdraw its proposal, report a milestone, turn the task agreement into a contract."""
    proposal = _proposal(request, pk)
    require(request.user, "challenges.act_for_team", proposal, hide=True)
    action = request.POST.get("action")
    try:
        if action == "withdraw":
            proposals.withdraw(request.user, proposal, request.POST.get("reason", ""))
            messages.success(request, "方案已撤回。")
        elif action == "report":
            milestone = get_object_or_404(Milestone, pk=request.POST.get("milestone") or 0,
                                          agreement__proposal=proposal)
            delivery.report_milestone(request.user, milestone, request.POST.get("report", ""),
                                      request.FILES.get("evidence"))
            messages.success(request, "里程碑成果已提交，等待审核。")
        elif action == "contract":
            agreement = get_object_or_404(Agreement, proposal=proposal)
            contract = delivery.record_contract(request.user, agreement)
            messages.success(request, "任务书已转为技术合同，可在合同页面上传合同文本并申请认定登记。")
            return redirect(contract)
        else:
            raise NotFound()
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(proposal)


def _pick(model, request, name, **scope):
    ids = [i for i in request.POST.getlist(name) if i.isdigit()]
    return list(model.objects.filter(pk__in=ids, **scope))


@require_POST
@permission_required("challenges.manage", "只有省科技厅可以办理此事项。")
def department_act(request, pk):
    """The department's steps on a challenge, one form button each."""
    challenge = get_object_or_404(Challenge, pk=pk)
    user, action, reason = request.user, request.POST.get("action", ""), request.POST.get("reason", "")
    in_challenge = {"challenge": challenge}
    try:
        if action == "publish":
            calls.publish(user, challenge)
        elif action == "approve":
            calls.approve(user, challenge, reason)
        elif action == "reject":
            calls.reject(user, challenge, reason)
        elif action == "cancel":
            calls.cancel(user, challenge, reason)
        elif action == "answer":
            item = get_object_or_404(challenge.clarifications, pk=request.POST.get("clarification") or 0)
            calls.answer(user, item, request.POST.get("answer", ""))
        elif action == "close":
            proposals.close_call(user, challenge)
        elif action in ("pass", "refuse"):
            proposal = get_object_or_404(Proposal, pk=request.POST.get("proposal") or 0, **in_challenge)
            review.formal_check(user, proposal, action == "pass", reason)
        elif action == "draw":
            review.draw_panel(user, challenge)
        elif action == "gate":
            review.stage_gate(user, challenge, _pick(Proposal, request, "proposal", **in_challenge), reason)
        elif action == "pitch":
            review.open_pitch(user, challenge)
        elif action == "decide":
            review.decide(user, challenge, _pick(Proposal, request, "proposal", **in_challenge), reason)
        elif action == "sign":
            proposal = get_object_or_404(Proposal, pk=request.POST.get("proposal") or 0, **in_challenge)
            delivery.sign_agreement(user, proposal, request.POST.get("terms", "") or reason)
        elif action == "race-gate":
            delivery.stage_gate(user, challenge, _pick(Agreement, request, "agreement",
                                                       proposal__challenge=challenge), reason)
        elif action in ("milestone-pass", "milestone-return"):
            milestone = get_object_or_404(Milestone, pk=request.POST.get("milestone") or 0,
                                          agreement__proposal__challenge=challenge)
            delivery.review_milestone(user, milestone, action == "milestone-pass", reason)
        elif action in ("accept", "fail"):
            agreement = get_object_or_404(Agreement, pk=request.POST.get("agreement") or 0,
                                          proposal__challenge=challenge)
            delivery.accept(user, agreement, action == "accept", reason)
        elif action == "release":
            agreement = get_object_or_404(Agreement, pk=request.POST.get("agreement") or 0,
                                          proposal__challenge=challenge)
            delivery.release_post_funding(user, agreement)
        else:
            raise NotFound()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已办理。")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/challenges/") else challenge.get_absolute_url())


@login_required
def evidence(request, pk):
    milestone = get_object_or_404(Milestone.objects.select_related("agreement__proposal__challenge"), pk=pk)
    proposal = milestone.agreement.proposal
    require(request.user, "challenges.view_proposal", proposal, hide=True)
    if not milestone.evidence_name:
        raise NotFound()
    return FileResponse(milestone.evidence.open("rb"), content_type=milestone.evidence_type,
                        headers={"Content-Disposition": content_disposition(
                            milestone.evidence_name, f"evidence{milestone.evidence_extension}")})
