"""Pages of the notification centre (消息, 通知设置) and of public notices (公示). Thin: the services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from techmarket.common import notices, notifications
from techmarket.common.errors import NotAllowed
from techmarket.common.forms import ObjectionForm, ResolutionForm
from techmarket.common.models import Notice, Notification, Objection

PAGE_SIZE = 30



# --- Inbox -------------------------------------------------------------------------------------------------

@login_required
def inbox(request):
    page = Paginator(notifications.inbox(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {t.code: t.label for t in notifications.topics()}
    for notification in page:
        notification.topic_label = labels.get(notification.topic, "")
    return render(request, "common/inbox.html", {"page": page, "unread": notifications.unread_count(request.user)})


def _own(request, pk: int) -> Notification:
    try:
        return notifications.mark_read(request.user, pk)
    except Notification.DoesNotExist:
        raise Http404("没有这条消息。") from None


@login_required
@require_POST
def mark_read(request, pk: int):
    _own(request, pk)
    return redirect("common:inbox")


@login_required
@require_POST
def open_notification(request, pk: int):
    """Mark the message read and go to what it is about."""
    notification = _own(request, pk)
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("common:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = notifications.mark_all_read(request.user)
    messages.success(request, f"已将 {count} 条消息标为已读。" if count else "没有未读消息。")
    return redirect("common:inbox")


@login_required
def preferences(request):
    choices = notifications.email_choices(request.user)
    if request.method == "POST":
        chosen = set(request.POST.getlist("email"))
        notifications.set_email_choices(request.user, {topic.code: topic.code in chosen for topic, _ in choices})
        messages.success(request, "通知设置已保存。")
        return redirect("common:preferences")
    return render(request, "common/preferences.html", {"choices": choices})


# --- Notices -----------------------------------------------------------------------------------------------

def notice_list(request):
    qs = notices.with_counts(Notice.objects.all()).order_by("-opens_on", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"notice": n, "outcome": notices.outcome(n), "is_open": notices.is_open(n)} for n in page]
    for row in rows:
        row["outcome_label"] = notices.OUTCOME_LABELS[row["outcome"]]
    return render(request, "common/notice_list.html", {"page": page, "rows": rows})


def _notice_page(request, notice: Notice, form=None, status: int = 200):
    notice = notices.with_counts(Notice.objects.filter(pk=notice.pk)).get()
    outcome = notices.outcome(notice)
    can_resolve = notices.can_resolve(request.user)
    target = notice.target
    return render(request, "common/notice_detail.html", {
        "notice": notice, "outcome": outcome, "outcome_label": notices.OUTCOME_LABELS[outcome],
        "is_open": notices.is_open(notice), "has_closed": notices.has_closed(notice),
        "target_url": getattr(target, "get_absolute_url", lambda: "")() if target is not None else "",
        "objections": notices.objections_of(request.user, notice), "can_resolve": can_resolve,
        "can_object": notices.can_object(request.user) and notices.is_open(notice),
        "form": form or ObjectionForm(), "resolution_form": ResolutionForm() if can_resolve else None,
    }, status=status)


def notice_detail(request, pk: int):
    return _notice_page(request, get_object_or_404(Notice, pk=pk))


@login_required
@require_POST
def file_objection(request, pk: int):
    notice = get_object_or_404(Notice, pk=pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _notice_page(request, notice, form, status=400)
    try:
        notices.file_objection(request.user, notice, form.cleaned_data["text"])
    except notices.NoticePermissionError as exc:
        raise NotAllowed(exc.message) from None
    except notices.NoticeError as exc:
        form.add_error("text", exc.message)
        return _notice_page(request, notice, form, status=400)
    messages.success(request, "异议已提交，审核人员处理后会通知您。")
    return redirect("common:notice", pk=notice.pk)


@login_required
@require_POST
def resolve_objection(request, pk: int):
    objection = get_object_or_404(Objection, pk=pk)
    if not notices.can_resolve(request.user):
        raise NotAllowed("只有省科技厅审核人员或平台工作人员可以处理异议。")
    form = ResolutionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处理结论并填写处理意见。")
        return redirect("common:notice", pk=objection.notice_id)
    try:
        notices.resolve_objection(request.user, objection, form.cleaned_data["decision"] == "uphold",
                                  form.cleaned_data["resolution"])
    except notices.NoticePermissionError as exc:
        raise NotAllowed(exc.message) from None
    except notices.NoticeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "异议已处理。")
    return redirect("common:notice", pk=objection.notice_id)
