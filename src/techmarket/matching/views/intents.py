"""Targeted publishing pages: the reviewer's publish page, the recipient organisation's inbox and its
answers. The rules live in techmarket.matching.services.intents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from techmarket.catalogue.models import Listing
from techmarket.common.errors import NotAllowed
from techmarket.matching.models import CooperationIntent
from techmarket.matching.services import intents as service
from techmarket.matching.services.intents import IntentError, IntentPermissionError

NOT_REVIEWER = "只有省科技厅审核人员可以定向发布。"
NO_INBOX = "合作意向仅限已核验并关联单位的用户查看和回复。"
MESSAGE_MAX = 2000
RESPONSE_MAX = 5000
DEFAULT_MESSAGE = "贵单位在相关领域具有优势，现将该条目定向发布给贵单位，欢迎在平台回复合作意向或提交合作方案。"



@login_required
def publish(request, reference: str):
    """GET: institutions ranked for the listing, with what was already sent; POST: send to the chosen ones."""
    if not service.can_send(request.user):
        raise NotAllowed(NOT_REVIEWER)
    listing = get_object_or_404(Listing.objects.select_related("field", "field__parent", "owner"),
                                reference=reference)
    selected: list[str] = []
    message = DEFAULT_MESSAGE
    if request.method == "POST":
        selected = request.POST.getlist("organisations")
        message = request.POST.get("message", "")[:MESSAGE_MAX]
        try:
            sent = service.send_intents(request.user, listing, selected, message)
        except IntentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"已向 {len(sent)} 家机构定向发布：" +
                             "、".join(intent.organisation.name for intent in sent) + "。")
            return redirect("intent-publish", reference=listing.reference)
    follow = service.follow_up(listing)
    sent_status = {intent.organisation_id: intent for intent in follow.intents}
    sendable = service.is_sendable(listing)
    suggestions = [{"fit": fit, "intent": sent_status.get(fit.organisation_id),
                    "checked": str(fit.organisation_id) in selected}
                   for fit in (service.suggest_recipients(listing) if sendable else [])]
    return render(request, "matching/publish.html", {
        "listing": listing,
        "sendable": sendable,
        "suggestions": suggestions,
        "can_select": any(s["intent"] is None for s in suggestions),
        "follow": follow,
        "message": message,
    })


@login_required
def my_intents(request):
    """The intents sent to the user's organisation, with answer forms."""
    if not service.can_use_inbox(request.user):
        raise NotAllowed(NO_INBOX)
    rows = [{"intent": intent, "answers": [(a, CooperationIntent.Status(a).label)
                                           for a in service.allowed_answers(intent)]}
            for intent in service.inbox(request.user)]
    return render(request, "matching/my_intents.html", {
        "organisation": request.user.organisation,
        "rows": rows,
        "pending": sum(1 for row in rows if row["intent"].status == CooperationIntent.Status.SENT),
        "answers": service.answers_to_own_listings(request.user),
    })


@require_POST
@login_required
def respond(request, pk: int):
    intent = get_object_or_404(CooperationIntent.objects.select_related("listing"), pk=pk)
    try:
        intent = service.respond(request.user, intent, request.POST.get("status", ""),
                                 request.POST.get("text", "")[:RESPONSE_MAX])
    except IntentPermissionError as error:
        raise NotAllowed(str(error)) from None
    except IntentError as error:
        messages.error(request, f"{intent.listing.title}：{error}")
        return redirect("my-intents")
    if intent.inquiry_id and intent.status in service.POSITIVE:
        messages.success(request, f"已回复：{intent.listing.title}。平台已为贵单位与发布单位开启洽谈，可在此继续沟通。")
        return redirect(intent.inquiry.get_absolute_url())
    messages.success(request, f"已回复：{intent.listing.title}。")
    return redirect("my-intents")
