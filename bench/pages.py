"""Every user page, as the user it is for, against a served process: p50/p95 beside the server's ceiling.

    .venv/bin/python bench/pages.py [--repeat 30] [--clients 4] [--only NAME,…] [--json]      # make bench-pages

The site is loadtest's (bench/loadtest.py, `Site`): its own data directory (var/bench/pages/ unless --data-dir)
and SQLite database, migrated, the seed imported, static files collected, served as `make serve` does (waitress,
8 threads, 127.0.0.1 and a free port). On it the bench makes one user per role (an enterprise member and an
institution member, each with their organisation; a provincial reviewer; a registrar of the provincial registry)
and, through the project's services or its HTTP flows, the few records the pages need: listings awaiting review,
an inquiry, contracts (some registered, one waiting at the registry), a policy application, a targeted-publishing
intent, a notice.

Each page is requested --repeat times by --clients concurrent clients (each its own session of the page's user),
after 3 warm-up requests; the ceiling is a small static file from the same server requested the same way, before
and after the pages. Per page: p50, p95, the status codes, p95 ÷ the ceiling's p95, and a flag on p95 above the
target (300 ms, issue 13). Raw figures go to var/bench/pages.json. Exits 1 if a page answers other than expected.
Log-in and sign-up submissions are not measured (their password hashing is deliberately slow), nor downloads
(certificate PDF, spreadsheet exports, attachments).
"""

import argparse
import json
import os
import random
import sys
import threading
import time
import unicodedata
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from common import PROJECT_DIR, log, percentile
from loadtest import (
    PASSWORD,
    QUERIES,
    Client,
    People,
    Record,
    Site,
    act_apply,
    act_submit,
    make_contract,
    static_path,
    submit_contract,
)

TARGET_P95_MS = 300.0
WARMUPS = 3
RESULTS = PROJECT_DIR / "var" / "bench" / "pages.json"
ROLES = ("anonymous", "enterprise", "institution", "reviewer", "registrar")
# Routes not measured, by name: submissions (POST only, or a GET that only redirects), downloads, and forms that
# need a record in a state the bench does not make. tests/bench/test_pages_bench.py checks that every other route
# of the URL confs (the admin and the API apart) is measured.
NOT_MEASURED = {
    "a check-up's report, its PDF and publishing from it (the bench makes no check-up; the questionnaire is "
    "measured)": {"enterprises:checkup", "enterprises:checkup-pdf", "enterprises:checkup-publish"},
    "financing: a need's page, its submissions, the financial institution's desk and a bad loan (the bench has no "
    "financial institution; the enterprise's financing page is measured)": {
        "enterprises:need", "enterprises:need-share", "enterprises:need-close", "enterprises:need-respond",
        "enterprises:need-outcome", "enterprises:need-bad-loan", "enterprises:bad-loan",
        "enterprises:financing-desk"},
    "a recognition's certificate and its verification (a download and a POST)": {
        "enterprises:recognition-document", "enterprises:recognition-decide"},
    "a check-up on an enterprise's behalf (needs a 科技专员 assignment or a prefecture reviewer; the list is "
    "measured)": {"enterprises:checkup-for"},
    "submissions": {"logout", "listing-transition", "intent-respond", "resend-confirmation", "member-review-decide",
                    "market:inquiry-message", "market:inquiry-upload", "market:inquiry-agreement",
                    "market:inquiry-close", "market:agreement-answer", "market:contract-upload",
                    "market:contract-document-remove", "market:contract-document-replace", "market:contract-register",
                    "market:milestone-done", "market:contract-payment", "market:contract-payment-withdraw",
                    "market:registration-act", "policy:apply", "indicators:decide",
                    "common:read", "common:read-all", "common:open", "common:object", "common:resolve",
                    "confirm-email"},
    "downloads": {"favicon", "catalogue-export", "listing-attachment", "market:attachment", "market:certificate",
                  "market:statistics-export", "indicators:evidence", "policy:evidence"},
    "the contract form of an agreed inquiry (the contract form is measured)": {"market:contract-from-inquiry"},
    "a claim of one recorded fact (the list of claimable facts is measured)": {"policy:claim"},
    "ecosystem submissions (a POST, or a GET that only redirects)": {
        "ecosystem:institution-approve", "ecosystem:institution-return", "ecosystem:institution-case-add",
        "ecosystem:institution-change", "ecosystem:institution-change-decide", "ecosystem:institution-sanction",
        "ecosystem:broker-training", "ecosystem:broker-sanction", "ecosystem:broker-deal",
        "ecosystem:complaint-decide", "ecosystem:registry-edit", "ecosystem:registry-appoint",
        "ecosystem:registry-registrar", "ecosystem:registry-sanction", "ecosystem:platform-sanction"},
    "ecosystem downloads (a filing's case documents)": {"ecosystem:institution-case"},
    "a returned filing's form (the filing form is measured)": {"ecosystem:institution-resubmit"},
    "platforms submissions and downloads (POST, a recognition document)": {
        "platforms:decide", "platforms:platform-document", "platforms:team-document"},
    "platform, team and 科技专员 details (the bench's seed has no such records yet; their lists are measured)": {
        "platforms:platform", "platforms:team", "platforms:assignment"},
    "expert pool submissions (a POST)": {"experts:decide"},
    "machine endpoints for probes and Prometheus (JSON, plain text; no page)": {"ops:live", "ops:ready",
                                                                                "ops:metrics"},
    "the audit-log export for the department (a download behind a two-field form)": {"ops:audit-export"},
    "challenges submissions and downloads (POST; a milestone's evidence)": {
        "challenges:ask", "challenges:act", "challenges:score", "challenges:team-act", "challenges:evidence"},
    "a challenge, its proposals and forms (the bench's seed has no challenge; the list, the drafting form, "
    "own proposals and the department's pipeline are measured)": {
        "challenges:detail", "challenges:propose", "challenges:review", "challenges:proposal"},
    "publishing submissions and downloads (POST; an attachment, a calendar file)": {
        "publishing:article-act", "publishing:signup", "publishing:manage-act", "publishing:attend-act",
        "publishing:attachment", "publishing:calendar"},
    "publishing records and editors' forms (the bench makes no article, event or editor; lists, feeds and the "
    "reviewers' desk are measured)": {
        "publishing:article", "publishing:article-new", "publishing:article-edit", "publishing:event",
        "publishing:event-new", "publishing:event-edit", "publishing:manage", "publishing:checkin",
        "publishing:attend"},
    "achievements submissions and downloads (POST; the evaluation report PDF)": {
        "achievements:offer", "achievements:evaluate", "achievements:price-notice", "achievements:link-contract",
        "achievements:draw", "achievements:evaluation-pdf"},
    "an achievement, its evaluation and an annual report (the bench makes none; the list, the unit's page, the "
    "form and the reports page are measured)": {
        "achievements:detail", "achievements:edit", "achievements:evaluation", "achievements:report"},
    "task tracking submissions and downloads (POST; a report's evidence)": {
        "plantasks:assign", "plantasks:unassign", "plantasks:evidence"},
    "a unit's progress form (the bench makes no unit user; the reviewers' overview and task pages are measured)": {
        "plantasks:report"},
    "compilation imports (staff only; the bench makes no staff user): the batches, a batch's preview and its "
    "actions (POST)": {"imports:batches", "imports:batch", "imports:mapping", "imports:duplicates",
        "imports:start", "imports:undo"},
}


@dataclass
class Page:
    name: str
    path: str
    role: str
    status: int = 200


# -- the records the pages show ----------------------------------------------------------------------------

def make_records(site: Site) -> dict:
    """Users of each role and the records their pages show; returns the ids and references the paths need."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count, Q

    from techmarket.accounts.roles import REGISTRARS, REVIEWERS
    from techmarket.catalogue.models import PUBLIC_STATUSES, CooperationMode, Listing
    from techmarket.common.notices import publish_notice
    from techmarket.directory.models import Organisation
    from techmarket.indicators.models import Indicator
    from techmarket.market.models import RegistryStaff
    from techmarket.market.services import deals, registration
    from techmarket.market.services.registries import provincial_registry
    from techmarket.matching.services import intents

    User = get_user_model()
    public = Q(owned_listings__status__in=PUBLIC_STATUSES)
    in_qinghai = Organisation.objects.filter(region__kind__in=["province", "prefecture"])
    ranked = in_qinghai.annotate(n=Count("owned_listings", filter=public))

    def owner_of(*kinds):  # the organisation of these kinds owning the most public listings
        return ranked.filter(kind__in=kinds).order_by("-n", "pk").first()

    enterprise_org = owner_of(Organisation.Kind.ENTERPRISE)
    institution_org = owner_of(Organisation.Kind.UNIVERSITY, Organisation.Kind.INSTITUTE)

    def user(username, organisation=None, group=None):
        person = User.objects.create_user(username=username, password=PASSWORD, is_verified=True,
                                          organisation=organisation, display_name=username,
                                          email=f"{username}@example.org")
        if group:
            person.groups.add(Group.objects.get(name=group))
        return person

    enterprise = user("enterprise", enterprise_org)
    institution = user("institution", institution_org)
    reviewer = user("reviewer", group=REVIEWERS)
    registrar = user("registrar", group=REGISTRARS)
    registry = provincial_registry()
    RegistryStaff.objects.create(user=registrar, registry=registry, certificate_number="国科登字2026001")

    visible = Listing.objects.filter(status__in=PUBLIC_STATUSES).order_by("pk")
    offers = visible.filter(kind=Listing.Kind.OFFER).exclude(owner=enterprise_org)
    offered = offers.filter(owner=institution_org).first() or offers.first()
    not_inquired = offers.exclude(pk=offered.pk).first()  # the inquiry form (an open inquiry redirects to itself)
    inquiry = deals.open_inquiry(enterprise, offered, "我单位希望就该成果的转化合作进一步洽谈。")
    registrations = [submit_contract(enterprise, enterprise_org, institution_org, registry, i, "页面基准技术转让合同")
                     for i in range(4)]
    for waiting in registrations[1:]:  # three registered, the first one waiting in the registry's queue
        registration.register(registrar, registration.accept(registrar, waiting))
    waiting = registrations[0]
    draft = make_contract(enterprise, enterprise_org, institution_org, 9, "页面基准技术转让合同（未提交）")
    own = visible.filter(owner=enterprise_org).first()
    demand = visible.filter(kind=Listing.Kind.DEMAND).exclude(owner=institution_org).first()
    intent = intents.send_intents(reviewer, demand, [institution_org.pk], "请贵单位研究能否承接。")[0]
    notice = publish_notice(own, f"{own.title}公示", "页面基准：公示内容。", 7, by=reviewer)
    indicator = next((i for i in Indicator.objects.filter(active=True).order_by("pk") if i.is_computed), None)
    return {
        "enterprise_org": enterprise_org.pk, "institution_org": institution_org.pk, "offered": offered.reference,
        "not_inquired": not_inquired.reference,
        "own": own.reference, "inquiry": inquiry.pk, "contract": waiting.contract_id,
        "draft_contract": draft.pk, "registration": waiting.pk,
        "registered": registrations[-1].pk, "intent": intent.pk, "notice": notice.pk,
        "indicator": indicator.code if indicator else "", "mode_ids": list(CooperationMode.objects.values_list(
            "pk", flat=True)), "enterprise_org_name": enterprise_org.name,
        "listings": {kind: visible.filter(kind=kind).values_list("reference", flat=True).first()
                     for kind in Listing.Kind.values},
        "ecosystem": ecosystem_records(institution, reviewer, enterprise),
        "experts": experts_records(reviewer, demand, institution_org),
    }


def ecosystem_records(member, reviewer, reporter) -> dict:
    """A filed transfer institution of the institution member's organisation, a qualified broker of it, and a
    complaint about the institution awaiting the reviewer."""
    import datetime
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from techmarket.ecosystem.services import brokers, complaints, institutions

    today = datetime.date.today()
    case = SimpleUploadedFile("案例.pdf", b"%PDF-1.4\n% bench case\n%%EOF\n", content_type="application/pdf")
    filing = institutions.FilingInput(
        name="页面基准技术转移中心", kind="independent", founded_on=today - datetime.timedelta(days=20),
        services="技术转让与代理；技术咨询", business_years=Decimal(3), full_time_staff=12, managers_total=5,
        managers_college=5, st_staff=8, cases=[("页面基准成功案例", case)])
    institution = institutions.approve(reviewer, institutions.file_institution(member, filing))
    broker = brokers.register_broker(reviewer, brokers.BrokerInput(
        name="页面基准经纪人", organisation_id=member.organisation_id, institution_id=institution.pk))
    brokers.record_training(reviewer, broker, "青海省技术市场管理办公室", today - datetime.timedelta(days=10),
                            today - datetime.timedelta(days=5), "passed", "BENCH-001")
    complaint = complaints.complain(reporter, "institution", str(institution.pk), "other", "页面基准投诉。")
    return {"institution": institution.pk, "broker": broker.pk, "complaint": complaint.pk}


def experts_records(reviewer, demand, applicant) -> dict:
    """A verified expert of the pool and a draw of one reviewer for a demand of the institution's organisation."""
    from techmarket.directory.models import Region
    from techmarket.experts.services import assignment, profiles

    expert = profiles.create_expert(reviewer, profiles.ProfileInput(
        name="页面基准专家", region_id=Region.objects.get(code="xining").pk, field_codes=["salt-lake.lithium"],
        title="研究员", specialities="盐湖卤水提锂吸附剂"), verified=True)
    drawn = assignment.assign(demand, ["salt-lake.lithium"], 1, organisation_ids=[applicant.pk], seed=1,
                              assigned_by=reviewer)
    return {"expert": expert.pk, "assignment": drawn.pk}


def make_http_records(site: Site, ids: dict) -> dict:
    """Records made through the HTTP flows loadtest uses: listings submitted for review and a policy
    application (the enterprise member's)."""
    from techmarket.catalogue.models import Listing
    from techmarket.policy.models import Application

    client = Client(site.base)
    assert client.login("enterprise").status == 302, "the enterprise member could not log in"
    people, record, rng = People(mode_ids=ids["mode_ids"]), Record(), random.Random(0)
    for _ in range(3):
        act_submit(client, people, record, rng)
    act_apply(client, people, record, rng, ids["enterprise_org_name"])
    assert len(record.acked["submit"]) == 3 and len(record.acked["apply"]) == 1, f"set-up failed: {record.failed}"
    submitted = Listing.objects.filter(status=Listing.Status.SUBMITTED, title__contains=record.acked["submit"][0])
    return {**ids, "submitted": submitted.get().reference,
            "application": Application.objects.filter(event__project=record.acked["apply"][0]).get().pk}


# -- the pages ----------------------------------------------------------------------------------------------

def pages(ids: dict) -> list[Page]:
    q = urllib.parse.quote
    listings = [Page(f"listing ({kind})", f"/listings/{reference}/", "anonymous")
                for kind, reference in ids["listings"].items() if reference]
    searches = [Page(f"search {query}", f"/search/?q={q(query)}", "anonymous") for query in QUERIES[:5]]
    return [
        Page("home", "/", "anonymous"),
        Page("catalogue", "/catalogue/", "anonymous"),
        Page("catalogue kind=offer", "/catalogue/?kind=offer", "anonymous"),
        Page("catalogue q + sort", f"/catalogue/?q={q('盐湖')}&sort=newest", "anonymous"),
        Page("catalogue page 3", "/catalogue/?page=3", "anonymous"),
        Page("catalogue organisation", f"/catalogue/?organisation={ids['institution_org']}", "anonymous"),
        *listings,
        Page("listing (member's own)", f"/listings/{ids['own']}/", "enterprise"),
        Page("organisation", f"/organisations/{ids['institution_org']}/", "anonymous"),
        *searches,
        Page("search, no query", "/search/", "anonymous"),
        Page("search kind filter", f"/search/?q={q('光伏')}&kind=demand", "anonymous"),
        Page("sign-up", "/accounts/signup/", "anonymous"),
        Page("log-in", "/accounts/login/", "anonymous"),
        Page("notices", "/notices/", "anonymous"),
        Page("notice", f"/notices/{ids['notice']}/", "anonymous"),
        Page("policy index", "/policy/", "anonymous"),
        Page("indicators dashboard", "/indicators/", "anonymous"),
        Page("market statistics", "/market/statistics/", "anonymous"),
        # the enterprise member
        Page("workspace (enterprise)", "/my/", "enterprise"),
        Page("my listings", "/my/listings/", "enterprise"),
        Page("listing form (new)", "/my/listings/new/", "enterprise"),
        Page("listing form (edit)", f"/listings/{ids['own']}/edit/", "enterprise"),
        Page("inquiry form", f"/market/inquire/{ids['not_inquired']}/", "enterprise"),
        Page("my deals", "/market/", "enterprise"),
        Page("inquiry", f"/market/inquiries/{ids['inquiry']}/", "enterprise"),
        Page("contract form", "/market/contracts/new/", "enterprise"),
        Page("contract", f"/market/contracts/{ids['contract']}/", "enterprise"),
        Page("contract form (edit)", f"/market/contracts/{ids['draft_contract']}/edit/", "enterprise"),
        Page("registration (party)", f"/market/registrations/{ids['registration']}/", "enterprise"),
        Page("policy calculator", "/policy/calculator/", "enterprise"),
        Page("policy applications", "/policy/applications/", "enterprise"),
        Page("policy claimable", "/policy/claim/", "enterprise"),
        Page("policy application", f"/policy/applications/{ids['application']}/", "enterprise"),
        Page("notifications", "/notifications/", "enterprise"),
        Page("notification settings", "/notifications/settings/", "enterprise"),
        Page("my organisation", "/my/organisation/", "enterprise"),
        # the institution member
        Page("workspace (institution)", "/my/", "institution"),
        Page("my intents", "/my/intents/", "institution"),
        Page("notifications (institution)", "/notifications/", "institution"),
        # the provincial reviewer
        Page("workspace (reviewer)", "/my/", "reviewer"),
        Page("review queue", "/review/", "reviewer"),
        Page("review queue, all", "/review/?tab=all", "reviewer"),
        Page("review page", f"/listings/{ids['submitted']}/review/", "reviewer"),
        Page("member review queue", "/review/members/", "reviewer"),
        Page("targeted publishing", f"/listings/{ids['listings']['demand']}/publish/", "reviewer"),
        Page("policy review queue", "/policy/review/", "reviewer"),
        Page("policy application (reviewer)", f"/policy/applications/{ids['application']}/", "reviewer"),
        Page("policy ledger", "/policy/ledger/", "reviewer"),
        Page("indicators dashboard (reviewer)", "/indicators/", "reviewer"),
        *([Page("indicator records", f"/indicators/{ids['indicator']}/records/", "reviewer")]
          if ids["indicator"] else []),
        Page("indicator values queue", "/indicators/values/queue/", "reviewer"),
        Page("indicator value form", "/indicators/values/new/", "reviewer"),
        Page("indicator report form", "/indicators/report/", "reviewer"),
        # the registrar
        Page("workspace (registrar)", "/my/", "registrar"),
        Page("registration workbench", "/market/registry/", "registrar"),
        Page("registration workbench, all", "/market/registry/?all=1", "registrar"),
        Page("registration (registrar)", f"/market/registrations/{ids['registration']}/", "registrar"),
        Page("registration, registered", f"/market/registrations/{ids['registered']}/", "registrar"),
        Page("market statistics (registrar)", "/market/statistics/", "registrar"),
        *ecosystem_pages(ids.get("ecosystem", {"institution": 1, "broker": 1, "complaint": 1})),
        *platforms_pages(),
        *publishing_pages(),
        *experts_pages(ids.get("experts", {"expert": 1, "assignment": 1})),
        *challenges_pages(),
        *plantasks_pages(),
        *docking_pages(),
        *achievements_pages(),
        Page("prefecture markets", "/m/", "anonymous"),
        Page("prefecture market", "/m/haixi/", "anonymous"),
        Page("specialised market", "/m/fields/salt-lake/", "anonymous"),
    ]


def achievements_pages() -> list[Page]:
    return [
        Page("achievements list", "/achievements/", "anonymous"),
        Page("achievement form", "/achievements/new/", "institution"),
        Page("own achievements", "/achievements/mine/", "institution"),
        Page("annual reports (unit)", "/achievements/reports/", "institution"),
        Page("annual reports (department)", "/achievements/reports/", "reviewer"),
    ]


def docking_pages() -> list[Page]:
    return [
        Page("open feed (JSON, complete)", "/open/feed.json", "anonymous"),
        Page("open feed (JSON, since a day)", "/open/feed.json?since=2026-01-01", "anonymous"),
        Page("open feed (RSS)", "/open/feed.rss", "anonymous"),
        Page("open feed schema", "/open/schema.json", "anonymous"),
        Page("contracts file schema", "/open/contract-registration.schema.json", "anonymous"),
    ]


def plantasks_pages() -> list[Page]:
    return [
        Page("plan tasks overview", "/plantasks/", "reviewer"),
        Page("plan task", "/plantasks/6/", "reviewer"),
        Page("dispatch report form", "/plantasks/dispatch/", "reviewer"),
    ]


def challenges_pages() -> list[Page]:
    return [
        Page("challenges list", "/challenges/", "anonymous"),
        Page("challenges, search", f"/challenges/?q={urllib.parse.quote('提锂')}&mode=race", "anonymous"),
        Page("challenge drafting form", "/challenges/new/", "enterprise"),
        Page("own challenges and proposals", "/challenges/mine/", "enterprise"),
        Page("challenges pipeline", "/challenges/pipeline/", "reviewer"),
    ]


def platforms_pages() -> list[Page]:
    return [
        Page("platforms directory", "/platforms/", "anonymous"),
        Page("platforms, filtered", f"/platforms/?level=national&q={urllib.parse.quote('盐湖')}", "anonymous"),
        Page("teams directory", "/platforms/teams/", "anonymous"),
        Page("platform form", "/platforms/new/", "enterprise"),
        Page("team form", "/platforms/teams/new/", "enterprise"),
        Page("own platforms and teams", "/platforms/mine/", "enterprise"),
        Page("specialists", "/platforms/specialists/", "enterprise"),
        Page("specialist form", "/platforms/specialists/new/", "enterprise"),
        Page("platforms review queue", "/platforms/review/", "reviewer"),
    ]


def ecosystem_pages(eco: dict) -> list[Page]:
    institution, broker = f"/ecosystem/institutions/{eco['institution']}/", f"/ecosystem/brokers/{eco['broker']}/"
    return [
        Page("ecosystem institutions", "/ecosystem/", "anonymous"),
        Page("ecosystem institutions, search", f"/ecosystem/?q={urllib.parse.quote('技术')}", "anonymous"),
        Page("ecosystem institution", institution, "anonymous"),
        Page("ecosystem brokers", "/ecosystem/brokers/", "anonymous"),
        Page("ecosystem broker", broker, "anonymous"),
        Page("ecosystem filing form", "/ecosystem/institutions/file/", "institution"),
        Page("ecosystem my filings", "/ecosystem/institutions/mine/", "institution"),
        Page("ecosystem institution (member)", institution, "institution"),
        Page("ecosystem complaint form", f"/ecosystem/complain/?target=institution&key={eco['institution']}",
             "enterprise"),
        Page("ecosystem review queue", "/ecosystem/review/", "reviewer"),
        Page("ecosystem broker form", "/ecosystem/brokers/new/", "reviewer"),
        Page("ecosystem broker (reviewer)", broker, "reviewer"),
        Page("ecosystem complaint", f"/ecosystem/complaints/{eco['complaint']}/", "reviewer"),
        Page("ecosystem registries", "/ecosystem/registries/", "anonymous"),
        Page("ecosystem registry", "/ecosystem/registries/qinghai/", "anonymous"),
        Page("ecosystem registry (department)", "/ecosystem/registries/qinghai/", "reviewer"),
        Page("enterprise check-up questionnaire", "/enterprises/checkup/", "enterprise"),
        Page("enterprise innovation points", "/enterprises/points/", "enterprise"),
        Page("enterprise financing needs", "/enterprises/financing/", "enterprise"),
        Page("enterprise profile", "/enterprises/profile/", "enterprise"),
        Page("enterprise recognitions to verify", "/enterprises/recognitions/", "reviewer"),
        Page("enterprise listing reserve pools", "/enterprises/pools/", "reviewer"),
        Page("enterprise check-ups on an enterprise's behalf", "/enterprises/checkup/for/", "reviewer"),
    ]


def publishing_pages() -> list[Page]:
    return [
        Page("publishing news", "/publishing/", "anonymous"),
        Page("publishing news, search", f"/publishing/?q={urllib.parse.quote('盐湖')}", "anonymous"),
        Page("publishing feed (RSS)", "/publishing/feed/rss/", "anonymous"),
        Page("publishing feed (Atom)", "/publishing/feed/atom/", "anonymous"),
        Page("publishing desk", "/publishing/desk/", "reviewer"),
        Page("publishing events", "/publishing/events/", "anonymous"),
        Page("publishing event statistics", "/publishing/events/statistics/", "anonymous"),
        Page("publishing my events", "/publishing/events/mine/", "enterprise"),
    ]


def experts_pages(ids: dict) -> list[Page]:
    expert = f"/experts/{ids['expert']}/"
    return [
        Page("experts directory", "/experts/", "anonymous"),
        Page("experts, search", f"/experts/?q={urllib.parse.quote('提锂')}", "anonymous"),
        Page("expert", expert, "anonymous"),
        Page("expert join form", "/experts/join/", "enterprise"),
        Page("expert (verified user)", expert, "enterprise"),
        Page("experts review queue", "/experts/review/", "reviewer"),
        Page("experts assignments", "/experts/assignments/", "reviewer"),
        Page("experts assignment", f"/experts/assignments/{ids['assignment']}/", "reviewer"),
    ]


# -- measuring ----------------------------------------------------------------------------------------------

def sessions(site: Site, clients: int) -> dict[str, list[Client]]:
    """`clients` logged-in sessions per role (anonymous: sessions without a log-in)."""
    out = {}
    for role in ROLES:
        out[role] = [Client(site.base) for _ in range(clients)]
        if role != "anonymous":
            for client in out[role]:
                answer = client.login(role)
                if answer.status != 302:
                    raise RuntimeError(f"{role} could not log in ({answer.status})")
    return out


def measure(clients: list[Client], path: str, repeat: int) -> dict:
    """`repeat` GETs of `path` shared by the clients, at once, after WARMUPS; latencies in ms and statuses."""
    for i in range(WARMUPS):
        clients[i % len(clients)].get(path)
    times, statuses, lock = [], {}, threading.Lock()
    counter = iter(range(repeat))

    def loop(client: Client) -> None:
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            answer = client.get(path)
            with lock:
                times.append(answer.seconds * 1000)
                statuses[answer.status] = statuses.get(answer.status, 0) + 1

    threads = [threading.Thread(target=loop, args=(client,), daemon=True) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return {"n": len(times), "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times, default=0), 1), "statuses": statuses,
            "wall_s": round(time.perf_counter() - started, 2)}


def count_queries(page_list: list[Page]) -> dict[str, int]:
    """SQL queries of one request of each page, in this process (Django's test client as the page's user, after
    the server's warm-ups): what to look at when a page is slow."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
    clients = {}
    for role in ROLES:
        clients[role] = DjangoClient(SERVER_NAME="127.0.0.1")
        if role in users:
            clients[role].force_login(users[role])
    counts = {}
    for page in page_list:
        clients[page.role].get(page.path)  # per-process caches filled, as in the server
        with CaptureQueriesContext(connection) as queries:
            clients[page.role].get(page.path)
        counts[page.name] = len(queries.captured_queries)
    return counts


def run(site: Site, page_list: list[Page], repeat: int, clients: int) -> dict:
    by_role = sessions(site, clients)
    static = static_path()
    ceiling_before = measure(by_role["anonymous"], static, repeat)
    log(f"  ceiling (static file {static}): p50 {ceiling_before['p50_ms']} ms, p95 {ceiling_before['p95_ms']} ms")
    results = []
    for page in page_list:
        figures = measure(by_role[page.role], page.path, repeat)
        results.append({"name": page.name, "path": page.path, "role": page.role, "expected": page.status, **figures})
        log(f"  {_pad(page.name, 34)} p50 {figures['p50_ms']:>7.1f}  p95 {figures['p95_ms']:>7.1f} ms  "
            f"{figures['statuses']}")
    ceiling_after = measure(by_role["anonymous"], static, repeat)
    ceiling_p95 = (ceiling_before["p95_ms"] + ceiling_after["p95_ms"]) / 2
    queries = count_queries(page_list)
    for result in results:
        result["queries"] = queries[result["name"]]
        result["ratio_p95"] = round(result["p95_ms"] / ceiling_p95, 1) if ceiling_p95 else None
        result["over_target"] = result["p95_ms"] > TARGET_P95_MS
        result["ok_status"] = set(result["statuses"]) == {result["expected"]}
    return {"ceiling": {"path": static, "before": ceiling_before, "after": ceiling_after,
                        "p95_ms": round(ceiling_p95, 1)}, "pages": results}


def _pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - columns)


def report(output: dict) -> None:
    ceiling = output["ceiling"]
    print(f"Pages: {output['repeat']} requests each by {output['clients']} concurrent clients after {WARMUPS} "
          f"warm-ups; {output['cores']} cores; ceiling (static file, same server): p50 "
          f"{ceiling['before']['p50_ms']}/{ceiling['after']['p50_ms']} ms, p95 {ceiling['before']['p95_ms']}/"
          f"{ceiling['after']['p95_ms']} ms (before/after); target p95 ≤ {TARGET_P95_MS:.0f} ms")
    print(f"{'page':<34}{'role':<12}{'p50 ms':>9}{'p95 ms':>9}{'× ceiling':>11}{'queries':>9}  status")
    for r in output["pages"]:
        flags = ("  OVER" if r["over_target"] else "") + ("" if r["ok_status"] else f"  expected {r['expected']}")
        statuses = ",".join(f"{code}×{n}" if len(r["statuses"]) > 1 else str(code) for code, n in r["statuses"].items())
        print(f"{_pad(r['name'], 34)}{r['role']:<12}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['ratio_p95']:>10}×"
              f"{r['queries']:>9}  {statuses}{flags}")
    over = [r["name"] for r in output["pages"] if r["over_target"]]
    print(f"\n{len(output['pages'])} pages; over {TARGET_P95_MS:.0f} ms p95: {', '.join(over) if over else 'none'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=PROJECT_DIR / "var" / "bench" / "pages")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page (after 3 warm-ups)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients per page")
    parser.add_argument("--only", default="", help="comma-separated parts of page names to measure")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of the table")
    args = parser.parse_args()

    site = Site(args.data_dir)
    log(f"Setting up the site in {site.data_dir} …")
    site.prepare()
    ids = make_records(site)
    site.start()
    started = time.time()
    try:
        ids = make_http_records(site, ids)
        page_list = [p for p in pages(ids) if not args.only or any(part in p.name for part in args.only.split(","))]
        output = {"started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)), "repeat": args.repeat,
                  "clients": args.clients, "cores": os.cpu_count(), "server_threads": 8,
                  "load_average": os.getloadavg(), "target_p95_ms": TARGET_P95_MS,
                  **run(site, page_list, args.repeat, args.clients)}
        output["load_average_after"] = os.getloadavg()
    finally:
        site.stop()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(output, ensure_ascii=False, indent=1))
    if args.json:
        print(json.dumps(output, ensure_ascii=False, indent=1))
    else:
        report(output)
        print(f"Raw figures: {RESULTS.relative_to(PROJECT_DIR)}")
    return 0 if all(r["ok_status"] for r in output["pages"]) else 1


if __name__ == "__main__":
    sys.exit(main())
