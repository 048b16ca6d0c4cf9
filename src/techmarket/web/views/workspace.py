"""我的工作台 (/my/): what awaits a logged-in user now and what they own, by role, on one page.

The page only reads other apps through their services (the same functions as the pages it links to: 本单位发布,
我的洽谈与合同, 合作意向, 审核, 用户核验, 登记工作台, 消息, 单位与核验) and holds no rule of its own: who is a member,
a reviewer, a verifier or registry staff is what those services and the permission rules say.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from techmarket.accounts import onboarding
from techmarket.catalogue.models import Listing
from techmarket.catalogue.services import listings as listing_service
from techmarket.common import notifications
from techmarket.market.services import contracts as contract_service
from techmarket.market.services import deals as deal_service
from techmarket.market.services import registration as registration_service
from techmarket.market.services.contracts import ACTIVE_REGISTRATION
from techmarket.matching.services import intents as intent_service
from techmarket.policy.services import applications as policy_applications
from techmarket.policy.services.applications import can_review as can_review_applications

SHOWN = 10  # items listed per section; the section's link leads to the full page
LS = Listing.Status
DRAFT_STATUSES = (LS.DRAFT, LS.REJECTED)  # the owner's move: finish, or fix and resubmit
PUBLISHED_STATUSES = (LS.PUBLISHED, LS.IN_TALKS)


@dataclass
class Item:
    title: str
    url: str = ""
    detail: str = ""  # a second line: status, organisation, deadline
    badge: str = ""
    badge_class: str = "bg-secondary"
    notification_id: int | None = None  # unread messages open through a POST (marks them read)


@dataclass
class Section:
    key: str
    title: str
    count: int
    items: list[Item] = field(default_factory=list)
    more_url: str = ""
    more_label: str = ""
    empty: str = "暂无。"
    note: str = ""  # a line under the title (e.g. how many need an answer)
    urgent: int = 0  # how many of `count` need the user's action now (shown in the summary)


@dataclass
class Group:
    title: str
    sections: list[Section]


def _listing_sections(user) -> list[Section]:
    owned = listing_service.organisation_listings(user.organisation)
    my_listings = reverse("my-listings")

    def section(key, title, statuses, empty, url_of):
        qs = owned.filter(status__in=statuses)
        items = [Item(listing.title, url_of(listing), f"编号 {listing.number}", listing.get_status_display())
                 for listing in qs[:SHOWN]]
        return Section(key, title, qs.count(), items, my_listings, "本单位发布", empty)

    return [
        section("drafts", "草稿与未通过", DRAFT_STATUSES, "没有草稿或未通过的条目。",
                lambda listing: reverse("listing-edit", args=[listing.reference])),
        section("submitted", "审核中", (LS.SUBMITTED,), "没有正在审核的条目。", Listing.get_absolute_url),
        section("published", "已发布", PUBLISHED_STATUSES, "没有已发布的条目。", Listing.get_absolute_url),
    ]


def _inquiry_section(user) -> Section:
    qs = deal_service.organisation_inquiries(user).filter(status__in=deal_service.OPEN_STATUSES)
    items, waiting = [], 0
    for inquiry in qs.order_by("-updated_at", "-id")[:SHOWN]:
        other = inquiry.counterpart if inquiry.organisation_id == user.organisation_id else inquiry.organisation
        pending = deal_service.pending_agreement(inquiry)
        answer = pending is not None and pending.proposed_by_organisation_id != user.organisation_id
        waiting += answer
        items.append(Item(inquiry.subject, inquiry.get_absolute_url(), f"对方：{other.name}",
                          "待本单位确认协议" if answer else inquiry.get_status_display(),
                          "bg-warning text-dark" if answer else "bg-secondary"))
    count = qs.count()
    note = f"其中 {waiting} 项对方已提出协议，待本单位确认。" if waiting else ""
    return Section("inquiries", "进行中的洽谈", count, items, reverse("market:my-deals"), "我的洽谈与合同",
                   "没有进行中的洽谈。", note, waiting)


def _contract_section(user) -> Section:
    qs = (contract_service.visible_contracts(user).filter(parties__organisation_id=user.organisation_id)
          .exclude(registrations__status__in=ACTIVE_REGISTRATION).distinct())
    items = [Item(contract.title, contract.get_absolute_url(), f"签订日期 {contract.signed_on:%Y-%m-%d}",
                  "尚未申请登记") for contract in qs.order_by("-created_at", "-id")[:SHOWN]]
    return Section("contracts", "尚未申请登记的合同", qs.count(), items, reverse("market:my-deals"),
                   "我的洽谈与合同", "没有待申请登记的合同。")


def _registration_detail(registration) -> str:
    days = registration_service.days_left(registration)
    due = f"办理期限 {registration.due_on:%Y-%m-%d}" if registration.due_on else "办理期限未定"
    if days is not None and days < 0:
        return f"{due}（已逾期 {-days} 天）"
    if days is not None:
        return f"{due}（剩余 {days} 天）"
    return due


def _party_registration_section(user) -> Section:
    qs = registration_service.party_registrations(user).filter(status__in=registration_service.PENDING)
    items = [Item(f"{registration.contract.title}", registration.get_absolute_url(),
                  f"{registration.registry.name} · {_registration_detail(registration)}",
                  registration.get_status_display()) for registration in qs[:SHOWN]]
    return Section("registrations", "办理中的登记申请", qs.count(), items, reverse("market:my-deals"),
                   "我的洽谈与合同", "没有办理中的登记申请。")


def _intent_section(user) -> Section:
    qs = intent_service.inbox(user).filter(status=intent_service.ST.SENT)
    my_intents = reverse("my-intents")
    items = [Item(intent.listing.title, f"{my_intents}#intent-{intent.pk}", f"发送时间 {intent.sent_at:%Y-%m-%d}",
                  "待回复", "bg-warning text-dark") for intent in qs[:SHOWN]]
    count = qs.count()
    return Section("intents", "定向发布待回复", count, items, my_intents, "合作意向",
                   "没有待回复的定向发布。", urgent=count)


def _notification_section(user) -> Section:
    qs = notifications.inbox(user).filter(read_at__isnull=True)
    items = [Item(n.title, detail=f"{n.created_at:%Y-%m-%d %H:%M}", notification_id=n.pk) for n in qs[:SHOWN]]
    count = notifications.unread_count(user)
    return Section("notifications", "未读消息", count, items, reverse("common:inbox"), "全部消息",
                   "没有未读消息。", urgent=count)


def _review_section() -> Section:
    qs = listing_service.review_queue_listings()
    items = [Item(listing.title, reverse("review-listing", args=[listing.reference]),
                  f"{listing.owner.name if listing.owner_id else '—'} · 编号 {listing.number}", "待审核",
                  "bg-warning text-dark") for listing in qs[:SHOWN]]
    count = qs.count()
    return Section("review", "待审核的需求与成果", count, items, reverse("review-queue"), "审核队列",
                   "没有待审核的条目。", urgent=count)


def _policy_review_section() -> Section:
    qs = policy_applications.review_queue()
    items = [Item(application.title or "奖补申请", reverse("policy:application", args=[application.pk]),
                  f"{application.organisation.name if application.organisation_id else '—'}"
                  + (f" · {application.submitted_at:%Y-%m-%d} 提交" if application.submitted_at else ""),
                  "待审核", "bg-warning text-dark")
             for application in qs[:SHOWN]]
    count = qs.count()
    return Section("policy-review", "奖补申请审核", count, items, reverse("policy:review"), "奖补申请审核队列",
                   "没有待审核的奖补申请。", urgent=count)


def _verification_section() -> Section:
    qs = onboarding.pending_requests()
    queue = reverse("member-review-queue")
    items = [Item(f"{request.user} · {request.name}", queue,
                  f"{request.get_kind_display()} · {request.created_at:%Y-%m-%d} 提交", "待核验",
                  "bg-warning text-dark") for request in qs[:SHOWN]]
    count = onboarding.pending_count()
    return Section("verification", "待核验的用户", count, items, queue, "用户核验", "没有待核验的申请。", urgent=count)


def _registry_section(user) -> Section:
    qs = registration_service.staff_queue(user)
    today = registration_service.today()
    items, overdue = [], 0
    for registration in qs[:SHOWN]:
        late = registration_service.is_overdue(registration, today)
        overdue += late
        items.append(Item(registration.contract.title, registration.get_absolute_url(),
                          f"{registration.organisation.name if registration.organisation_id else '—'} · "
                          f"{_registration_detail(registration)}",
                          "已逾期" if late else registration.get_status_display(),
                          "bg-danger" if late else "bg-secondary"))
    count = qs.count()
    note = f"前 {SHOWN} 项中 {overdue} 项已逾期。" if overdue else ""
    return Section("registry", "登记工作台待办", count, items, reverse("market:registry-queue"), "登记工作台",
                   "登记队列中没有待办理的申请。", note, count)


def workspace_groups(user) -> list[Group]:
    groups = []
    if user.can_submit_listings:
        groups.append(Group("本单位" + (f"：{user.organisation.name}" if user.organisation_id else ""), [
            *_listing_sections(user), _inquiry_section(user), _contract_section(user),
            _party_registration_section(user), _intent_section(user)]))
    review = []
    if user.is_reviewer:
        review.append(_review_section())
    if can_review_applications(user):
        review.append(_policy_review_section())
    if onboarding.can_verify(user):
        review.append(_verification_section())
    if review:
        groups.append(Group("审核", review))
    if user.has_perm("market.use_registry_desk"):
        groups.append(Group("技术合同登记", [_registry_section(user)]))
    groups.append(Group("消息", [_notification_section(user)]))
    return groups


@login_required
def workspace(request):
    user = request.user
    groups = workspace_groups(user)
    sections = [section for group in groups for section in group.sections]
    return render(request, "web/workspace.html", {
        "groups": groups,
        "summary": sections,
        "total_urgent": sum(section.urgent for section in sections),
        "next_steps": onboarding.next_steps(user),
    })
