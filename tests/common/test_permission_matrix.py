"""The role × action matrix: who may read and do what, on the web pages and through the API.

Every cell is one request by one role against the same small world (an owning organisation with a draft, a
submitted and a published listing; an inquiry from a counterpart organisation; a contract and a registration at the
Xining registry; a policy application; a manual indicator value; an intent; a public notice with an objection).
Each role's request runs in a savepoint rolled back afterwards, so every cell starts from the same world.

A cell is what the user gets:
- "done": a write that took effect (its effect is checked, not just the status);
- 200 / 201: a page, a file or JSON answered;
- "login": redirected to the log-in page (anonymous on a page that needs a login);
- 302: redirected without the write taking effect (the page said why in a message);
- 400 / 401 / 403 / 404 / 422: refused with that status.

The one refusal rule (docs/architecture.md, "Permissions and errors"): 403 with the reason, except where the
object's existence must stay hidden (drafts, other parties' inquiries, contracts, registrations, applications),
which answer 404. Run with PRINT_MATRIX=1 to print the observed matrix.
"""

import datetime
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.urls import reverse

from techmarket.accounts.roles import REGISTRARS
from techmarket.catalogue.models import CooperationMode, Listing
from techmarket.catalogue.services import lifecycle, listings
from techmarket.catalogue.services.listings import ListingInput
from techmarket.common import notices
from techmarket.common.models import Objection
from techmarket.indicators.models import Indicator, IndicatorValue
from techmarket.indicators.services import values
from techmarket.indicators.services.periods import current
from techmarket.market.models import Inquiry, Milestone, Registration, RegistryStaff
from techmarket.market.services import deals
from techmarket.market.services import registration as reg
from techmarket.matching.models import CooperationIntent
from techmarket.policy.models import Application
from tests.market.conftest import (  # noqa: F401  (fixtures)
    make_contract,
    media_root,
    org,
    pdf_upload,
    region,
    registry,
)
from tests.policy.evidence import submit_with_evidence, with_evidence

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "unverified", "owner", "counterpart", "other_org", "no_org", "reviewer", "registrar",
         "other_registrar", "overseer", "staff", "superuser"]


@dataclass
class World:
    users: dict
    owner_org: Any
    counter_org: Any
    draft: Listing
    submitted: Listing
    published: Listing
    demand: Listing
    inquiry: Inquiry
    contract: Any
    milestone: Milestone
    attachment: Any
    registered: Any
    registration: Registration
    application: Application
    value: IndicatorValue
    intent: CooperationIntent
    notice: Any
    objection: Objection


def _input(title: str) -> ListingInput:
    return ListingInput(kind=Listing.Kind.OFFER, title=title, description="高原盐湖卤水提锂吸附剂的制备与应用。",
                        modes=list(CooperationMode.objects.filter(code="transfer")))


@pytest.fixture
def world(db, make_user, org, registry, make_contract, media_root) -> World:  # noqa: F811
    owner_org = org("西宁高原新材料科技有限公司", "xining")
    counter_org = org("格尔木盐湖化工有限公司", "haixi")
    other_org = org("海东河湟农业科技有限公司", "haidong")
    users = {
        "anonymous": None,
        "unverified": make_user("unverified", verified=False, organisation=owner_org),
        "owner": make_user("owner", organisation=owner_org),
        "counterpart": make_user("counterpart", organisation=counter_org),
        "other_org": make_user("other-org", organisation=other_org),
        "no_org": make_user("no-org"),
        "reviewer": make_user("reviewer", reviewer=True),
        "staff": make_user("staff", is_staff=True),
        "superuser": make_user("superuser", is_staff=True, is_superuser=True),
    }
    for name, code in (("registrar", "xining"), ("other_registrar", "haidong")):
        user = users[name] = make_user(name)
        user.groups.add(Group.objects.get(name=REGISTRARS))
        RegistryStaff.objects.create(user=user, registry=registry(code), certificate_number="国科登字2026001")
    overseer = users["overseer"] = make_user("overseer")
    overseer.user_permissions.add(Permission.objects.get(codename="oversee_registrations"))
    second_reviewer = make_user("second-reviewer", reviewer=True)
    owner, reviewer = users["owner"], users["reviewer"]

    draft = listings.create_listing(owner, _input("矩阵草稿：盐湖提锂吸附剂"))
    submitted = listings.create_listing(owner, _input("矩阵待审：盐湖提锂吸附剂"))
    lifecycle.transition(submitted, Listing.Status.SUBMITTED, user=owner)
    published = listings.create_listing(owner, _input("矩阵已发布：盐湖提锂吸附剂"))
    lifecycle.transition(published, Listing.Status.SUBMITTED, user=owner)
    lifecycle.approve(published, reviewer)
    demand = Listing.objects.filter(kind=Listing.Kind.DEMAND, status=Listing.Status.PUBLISHED).order_by("pk").first()

    inquiry = deals.open_inquiry(users["counterpart"], published, "我司希望受让该技术，请报价。")
    contract = make_contract(owner, owner_org, counter_org, title="矩阵合同：吸附剂技术转让")
    registered = make_contract(owner, owner_org, counter_org, title="矩阵登记合同：提锂工艺转让", total="900000",
                               technology="700000")
    registration = reg.submit(owner, registered, registry("xining"))
    event = {"type": "recognition", "kind": "high-tech-enterprise", "date": "2025-10-01",
             "parties": [{"role": "recipient", "name": owner_org.name}]}
    application = submit_with_evidence(owner, event)
    value = values.submit_manual(second_reviewer, Indicator.objects.get(code="a2027-teams"),
                                 current(datetime.date.today()), "5", pdf_upload())
    intent = CooperationIntent.objects.create(listing=demand, organisation=owner_org, sent_by=reviewer,
                                              message="欢迎合作")
    notice = notices.publish_notice(published, "矩阵公示：技术转让价格", "拟以协议定价方式转让。", 10)
    objection = notices.file_objection(users["counterpart"], notice, "价格明显偏低。")
    return World(users=users, owner_org=owner_org, counter_org=counter_org, draft=draft, submitted=submitted,
                 published=published, demand=demand, inquiry=inquiry, contract=contract,
                 milestone=contract.milestones.order_by("pk").first(),
                 attachment=contract.attachments.order_by("pk").first(), registered=registered,
                 registration=registration, application=application, value=value, intent=intent, notice=notice,
                 objection=objection)


@dataclass
class Action:
    method: str
    url: Callable[[World], str]
    data: Callable[[World], Any] | None = None
    effect: Callable[[World, Any], bool] | None = None  # (world, user) → the write took effect
    json: bool = False


def listing_url(name: str, attr: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[getattr(w, attr).reference])


def status_of(listing: Listing) -> str:
    return Listing.objects.values_list("status", flat=True).get(pk=listing.pk)


LISTING_FORM = {"kind": "offer", "title": "矩阵新条目：光伏组件清洗机器人", "description": "高原光伏组件清洗。",
                "modes": ["transfer"]}
EVENT = {"type": "recognition", "kind": "sci-tech-little-giant", "date": "2025-10-01"}


def _listing_form(title: str = LISTING_FORM["title"]):
    """The web form's fields (modes by primary key)."""
    return lambda w: {**LISTING_FORM, "title": title,
                      "modes": [str(m.pk) for m in CooperationMode.objects.filter(code="transfer")]}


def _event_for(w: World) -> dict:
    return with_evidence({"event": json.dumps({**EVENT, "parties": [{"role": "recipient", "name": w.owner_org.name}]},
                                              ensure_ascii=False)})


def _today_plus(days: int) -> str:
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


ACTIONS: dict[str, Action] = {
    # --- Catalogue pages (web/urls.py) ------------------------------------------------------------------
    "home": Action("get", lambda w: "/"),
    "catalogue": Action("get", lambda w: reverse("catalogue")),
    "catalogue.export": Action("get", lambda w: reverse("catalogue-export")),
    "listing.view_published": Action("get", listing_url("listing-detail", "published")),
    "listing.view_draft": Action("get", listing_url("listing-detail", "draft")),
    "organisation.view": Action("get", lambda w: reverse("organisation-detail", args=[w.owner_org.pk])),
    "search": Action("get", lambda w: reverse("search") + "?q=盐湖提锂"),
    "my_listings": Action("get", lambda w: reverse("my-listings")),
    "listing.create_form": Action("get", lambda w: reverse("listing-create")),
    "listing.create": Action("post", lambda w: reverse("listing-create"), _listing_form(),
                             lambda w, u: Listing.objects.filter(title=LISTING_FORM["title"]).exists()),
    "listing.edit_form": Action("get", listing_url("listing-edit", "draft")),
    "listing.edit": Action("post", listing_url("listing-edit", "draft"),
                           _listing_form("矩阵草稿（已修改）"),
                           lambda w, u: Listing.objects.filter(title="矩阵草稿（已修改）").exists()),
    "listing.submit": Action("post", listing_url("listing-transition", "draft"), lambda w: {"to_status": "submitted"},
                             lambda w, u: status_of(w.draft) == Listing.Status.SUBMITTED),
    "listing.withdraw": Action("post", listing_url("listing-transition", "published"),
                               lambda w: {"to_status": "withdrawn", "reason": "已与他方签约"},
                               lambda w, u: status_of(w.published) == Listing.Status.WITHDRAWN),
    "review.queue": Action("get", lambda w: reverse("review-queue")),
    "review.listing": Action("get", listing_url("review-listing", "submitted")),
    "review.approve": Action("post", listing_url("review-listing", "submitted"),
                             lambda w: {"action": "approve", "approve-valid_until": _today_plus(300)},
                             lambda w, u: status_of(w.submitted) == Listing.Status.PUBLISHED),
    # --- Targeted publishing (matching/urls.py) ---------------------------------------------------------
    "intent.publish_form": Action("get", listing_url("intent-publish", "demand")),
    "intent.publish": Action("post", listing_url("intent-publish", "demand"),
                             lambda w: {"organisations": [str(w.counter_org.pk)], "message": "欢迎合作"},
                             lambda w, u: CooperationIntent.objects.filter(organisation=w.counter_org).exists()),
    "intent.inbox": Action("get", lambda w: reverse("my-intents")),
    "intent.respond": Action("post", lambda w: reverse("intent-respond", args=[w.intent.pk]),
                             lambda w: {"status": "interested", "text": "愿意合作"},
                             lambda w, u: CooperationIntent.objects.get(pk=w.intent.pk).status == "interested"),
    # --- Technology market (market/urls.py) --------------------------------------------------------------
    "market.my_deals": Action("get", lambda w: reverse("market:my-deals")),
    "inquiry.open_form": Action("get", lambda w: reverse("market:inquire", args=[w.published.reference])),
    "inquiry.open": Action("post", lambda w: reverse("market:inquire", args=[w.published.reference]),
                           lambda w: {"message": "我单位有意合作。"},
                           lambda w, u: Inquiry.objects.filter(listing=w.published).count() > 1),
    "inquiry.view": Action("get", lambda w: reverse("market:inquiry", args=[w.inquiry.pk])),
    "inquiry.message": Action("post", lambda w: reverse("market:inquiry-message", args=[w.inquiry.pk]),
                              lambda w: {"body": "矩阵消息"},
                              lambda w, u: w.inquiry.messages.filter(body="矩阵消息").exists()),
    "inquiry.close": Action("post", lambda w: reverse("market:inquiry-close", args=[w.inquiry.pk]),
                            lambda w: {"reason": "不再需要"},
                            lambda w, u: Inquiry.objects.get(pk=w.inquiry.pk).status == Inquiry.Status.CLOSED),
    "contract.create_form": Action("get", lambda w: reverse("market:contract-create")),
    "contract.view": Action("get", lambda w: reverse("market:contract", args=[w.contract.pk])),
    "contract.edit_form": Action("get", lambda w: reverse("market:contract-edit", args=[w.contract.pk])),
    "contract.upload": Action("post", lambda w: reverse("market:contract-upload", args=[w.contract.pk]),
                              lambda w: {"file": pdf_upload("矩阵附件"), "kind": "other"},
                              lambda w, u: w.contract.attachments.count() > 1),
    "milestone.done": Action("post", lambda w: reverse("market:milestone-done", args=[w.milestone.pk]), lambda w: {},
                             lambda w, u: Milestone.objects.get(pk=w.milestone.pk).done_on is not None),
    "contract.register_form": Action("get", lambda w: reverse("market:contract-register", args=[w.contract.pk])),
    "attachment.download": Action("get", lambda w: reverse("market:attachment", args=[w.attachment.pk])),
    "registry.queue": Action("get", lambda w: reverse("market:registry-queue")),
    "registration.view": Action("get", lambda w: reverse("market:registration", args=[w.registration.pk])),
    "registration.accept": Action(
        "post", lambda w: reverse("market:registration-act", args=[w.registration.pk, "accept"]),
        lambda w: {"accept-reason": "材料齐全"},
        lambda w, u: Registration.objects.get(pk=w.registration.pk).status != w.registration.status),
    "registration.withdraw": Action(
        "post", lambda w: reverse("market:registration-act", args=[w.registration.pk, "withdraw"]),
        lambda w: {"withdraw-reason": "合同需修改"},
        lambda w, u: Registration.objects.get(pk=w.registration.pk).status != w.registration.status),
    "market.statistics": Action("get", lambda w: reverse("market:statistics")),
    # --- Policy (policy/urls.py) ----------------------------------------------------------------------------
    "policy.index": Action("get", lambda w: reverse("policy:index")),
    "policy.calculator": Action("get", lambda w: reverse("policy:calculator")),
    "policy.apply": Action("post", lambda w: reverse("policy:apply"), _event_for,
                           lambda w, u: Application.objects.count() > 1),
    "policy.my_applications": Action("get", lambda w: reverse("policy:my-applications")),
    "policy.application": Action("get", lambda w: reverse("policy:application", args=[w.application.pk])),
    "policy.approve": Action("post", lambda w: reverse("policy:application", args=[w.application.pk]),
                             lambda w: {"action": "approve", "approve-reason": "符合条件",
                                        "approve-evidence_checked": "on"},
                             lambda w, u: Application.objects.get(pk=w.application.pk).status != "submitted"),
    "policy.review": Action("get", lambda w: reverse("policy:review")),
    "policy.ledger": Action("get", lambda w: reverse("policy:ledger")),
    # --- Indicators (indicators/urls.py) ------------------------------------------------------------------
    "indicators.dashboard": Action("get", lambda w: reverse("indicators:dashboard")),
    "indicators.records": Action("get", lambda w: reverse("indicators:records",
                                                          args=["a2027-absorbed-transactions"])),
    "indicators.enter_form": Action("get", lambda w: reverse("indicators:enter")),
    "indicators.queue": Action("get", lambda w: reverse("indicators:queue")),
    "indicators.evidence": Action("get", lambda w: reverse("indicators:evidence", args=[w.value.pk])),
    "indicators.approve": Action("post", lambda w: reverse("indicators:decide", args=[w.value.pk, "approve"]),
                                 lambda w: {"reason": "证明材料齐全"},
                                 lambda w, u: IndicatorValue.objects.get(pk=w.value.pk).status != w.value.status),
    # --- Notifications and notices (common/urls.py) ---------------------------------------------------------
    "notifications.inbox": Action("get", lambda w: reverse("common:inbox")),
    "notifications.preferences": Action("get", lambda w: reverse("common:preferences")),
    "notices.list": Action("get", lambda w: reverse("common:notices")),
    "notices.view": Action("get", lambda w: reverse("common:notice", args=[w.notice.pk])),
    "notices.object": Action("post", lambda w: reverse("common:object", args=[w.notice.pk]),
                             lambda w: {"text": "矩阵异议：价格偏低。"},
                             lambda w, u: Objection.objects.filter(text="矩阵异议：价格偏低。").exists()),
    "notices.resolve": Action("post", lambda w: reverse("common:resolve", args=[w.objection.pk]),
                              lambda w: {"decision": "dismiss", "resolution": "价格经评估合理。"},
                              lambda w, u: Objection.objects.get(pk=w.objection.pk).status != w.objection.status),
    # --- The JSON API (api/) ----------------------------------------------------------------------------------
    "api.listings": Action("get", lambda w: "/api/listings"),
    "api.listing_published": Action("get", lambda w: f"/api/listings/{w.published.reference}"),
    "api.listing_draft": Action("get", lambda w: f"/api/listings/{w.draft.reference}"),
    "api.listing_create": Action("post", lambda w: "/api/listings",
                                 lambda w: {**LISTING_FORM, "kind": "offer"},
                                 lambda w, u: Listing.objects.filter(title=LISTING_FORM["title"]).exists(), json=True),
    "api.listing_patch": Action("patch", lambda w: f"/api/listings/{w.draft.reference}",
                                lambda w: {"title": "矩阵草稿（接口修改）"},
                                lambda w, u: Listing.objects.filter(title="矩阵草稿（接口修改）").exists(), json=True),
    "api.listing_submit": Action("post", lambda w: f"/api/listings/{w.draft.reference}/transitions",
                                 lambda w: {"to_status": "submitted"},
                                 lambda w, u: status_of(w.draft) == Listing.Status.SUBMITTED, json=True),
    "api.listing_publish": Action("post", lambda w: f"/api/listings/{w.submitted.reference}/transitions",
                                  lambda w: {"to_status": "published"},
                                  lambda w, u: status_of(w.submitted) == Listing.Status.PUBLISHED, json=True),
    "api.organisation": Action("get", lambda w: f"/api/organisations/{w.owner_org.pk}"),
    "api.stats": Action("get", lambda w: "/api/stats"),
    "api.contracts": Action("get", lambda w: "/api/market/contracts"),
    "api.contract": Action("get", lambda w: f"/api/market/contracts/{w.contract.pk}"),
    "api.registration": Action("get", lambda w: f"/api/market/registrations/{w.registration.pk}"),
    "api.market_statistics": Action("get", lambda w: "/api/market/statistics"),
    "api.policy_rules": Action("get", lambda w: "/api/policy/rules"),
    "api.policy_rewards": Action("post", lambda w: "/api/policy/rewards",
                                 lambda w: {**EVENT, "parties": [{"role": "recipient", "name": "青海大学"}]},
                                 json=True),
    "api.indicators": Action("get", lambda w: "/api/indicators"),
}

# Granted cells: "done" (a write that took effect) or 200/201. Refused: "login", 302 (a message), 401/403/404.
# A row lists the cells in ROLES order:
#   anonymous, unverified, owner, counterpart, other_org, no_org, reviewer, registrar, other_registrar, overseer,
#   staff, superuser
EXPECTED: dict[str, tuple] = {
    "home": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "catalogue": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "catalogue.export": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "listing.view_published": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "listing.view_draft": (404, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, 200),
    "organisation.view": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "search": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "my_listings": ("login", 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "listing.create_form": ("login", 403, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "listing.create": ("login", 403, "done", "done", "done", 403, 403, 403, 403, 403, 403, 403),
    "listing.edit_form": ("login", 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, 200),
    "listing.edit": ("login", 404, "done", 404, 404, 404, "done", 404, 404, 404, 404, "done"),
    "listing.submit": ("login", 404, "done", 404, 404, 404, "done", 404, 404, 404, 404, "done"),
    "listing.withdraw": ("login", 302, "done", 302, 302, 302, "done", 302, 302, 302, 302, "done"),
    "review.queue": ("login", 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    "review.listing": ("login", 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    "review.approve": ("login", 403, 403, 403, 403, 403, "done", 403, 403, 403, 403, "done"),
    "intent.publish_form": ("login", 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    "intent.publish": ("login", 403, 403, 403, 403, 403, "done", 403, 403, 403, 403, "done"),
    "intent.inbox": ("login", 403, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "intent.respond": ("login", 403, "done", 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "market.my_deals": ("login", 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "inquiry.open_form": ("login", 403, 403, 302, 200, 403, 403, 403, 403, 403, 403, 403),
    "inquiry.open": ("login", 403, 403, 302, "done", 403, 403, 403, 403, 403, 403, 403),
    "inquiry.view": ("login", 404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404),
    "inquiry.message": ("login", 404, "done", "done", 404, 404, 404, 404, 404, 404, 404, 404),
    "inquiry.close": ("login", 404, "done", "done", 404, 404, 404, 404, 404, 404, 404, 404),
    "contract.create_form": ("login", 403, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "contract.view": ("login", 404, 200, 200, 404, 404, 404, 404, 404, 200, 404, 200),
    "contract.edit_form": ("login", 404, 200, 200, 404, 404, 404, 404, 404, 403, 404, 403),
    "contract.upload": ("login", 404, "done", "done", 404, 404, 404, 404, 404, 403, 404, 403),
    "milestone.done": ("login", 404, "done", "done", 404, 404, 404, 404, 404, 403, 404, 403),
    "contract.register_form": ("login", 404, 200, 200, 404, 404, 404, 404, 404, 403, 404, 403),
    "attachment.download": ("login", 404, 200, 200, 404, 404, 404, 404, 404, 200, 404, 200),
    "registry.queue": ("login", 403, 403, 403, 403, 403, 403, 200, 200, 200, 403, 200),
    "registration.view": ("login", 404, 200, 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "registration.accept": ("login", 404, 403, 403, 404, 404, 404, "done", 404, 403, 404, 403),
    "registration.withdraw": ("login", 404, "done", 403, 404, 404, 404, 403, 404, 403, 404, 403),
    "market.statistics": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "policy.index": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "policy.calculator": ("login", 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "policy.apply": ("login", 403, "done", 302, 302, 403, 403, 403, 403, 403, 403, 403),
    "policy.my_applications": ("login", 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "policy.application": ("login", 403, 200, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    "policy.approve": ("login", 403, 403, 403, 403, 403, "done", 403, 403, 403, 403, "done"),
    "policy.review": ("login", 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    "policy.ledger": ("login", 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    "indicators.dashboard": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "indicators.records": ("login", 403, 403, 403, 403, 403, 200, 403, 403, 200, 403, 200),
    "indicators.enter_form": ("login", 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    "indicators.queue": ("login", 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    "indicators.evidence": ("login", 404, 404, 404, 404, 404, 200, 404, 404, 404, 404, 200),
    "indicators.approve": ("login", 403, 403, 403, 403, 403, "done", 403, 403, 403, 403, "done"),
    "notifications.inbox": ("login", 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "notifications.preferences": ("login", 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "notices.list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "notices.view": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "notices.object": ("login", "done", "done", "done", "done", "done", "done", "done", "done", "done", "done", "done"),
    "notices.resolve": ("login", 403, 403, 403, 403, 403, "done", 403, 403, 403, "done", "done"),
    "api.listings": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api.listing_published": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api.listing_draft": (404, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, 200),
    "api.listing_create": (401, 403, "done", "done", "done", 403, 403, 403, 403, 403, 403, 403),
    "api.listing_patch": (401, 404, "done", 404, 404, 404, "done", 404, 404, 404, 404, "done"),
    "api.listing_submit": (401, 404, "done", 404, 404, 404, "done", 404, 404, 404, 404, "done"),
    "api.listing_publish": (401, 404, 403, 404, 404, 404, "done", 404, 404, 404, 404, "done"),
    "api.organisation": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api.stats": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api.contracts": (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api.contract": (401, 404, 200, 200, 404, 404, 404, 404, 404, 200, 404, 200),
    "api.registration": (401, 404, 200, 200, 404, 404, 404, 200, 404, 200, 404, 200),
    "api.market_statistics": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api.policy_rules": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api.policy_rewards": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api.indicators": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}


def observe(client, world: World, role: str, name: str):
    action = ACTIONS[name]
    user = world.users[role]
    client.logout()
    if user is not None:
        client.force_login(user)
    data = action.data(world) if action.data else None
    kwargs = {}
    if action.json:
        kwargs = {"data": json.dumps(data, ensure_ascii=False), "content_type": "application/json"}
    elif data is not None:
        kwargs = {"data": data}
    response = getattr(client, action.method)(action.url(world), **kwargs)
    if action.effect is not None and response.status_code < 400 and action.effect(world, user):
        return "done"
    if response.status_code == 302 and response.url.startswith(reverse("login")):
        return "login"
    return response.status_code


def observe_row(client, world: World, name: str) -> tuple:
    row = []
    for role in ROLES:
        with transaction.atomic():
            row.append(observe(client, world, role, name))
            transaction.set_rollback(True)
    return tuple(row)


@pytest.mark.parametrize("name", list(ACTIONS))
def test_permission_matrix(client, world, name):
    row = observe_row(client, world, name)
    if os.environ.get("PRINT_MATRIX"):
        print(f"MATRIX {name!r}: {row!r},")
    expected = EXPECTED.get(name)
    assert expected is not None, f"no expected row for {name}: observed {row}"
    wrong = {role: (want, got) for role, want, got in zip(ROLES, expected, row, strict=True) if want != got}
    assert not wrong, f"{name}: role → (expected, observed): {wrong}"


def test_every_action_has_a_row():
    assert set(EXPECTED) == set(ACTIONS)
