"""Load and concurrency harness: real people's work, at once, against a real served process.

    .venv/bin/python bench/loadtest.py [--clients 1,8,32] [--duration 20] [--database-url URL] [--json]
    .venv/bin/python bench/loadtest.py --check --writers 16 --searchers 4 --duration 20 [--kill-after S]

The harness makes its own site: a data directory (var/loadtest/ unless --data-dir), a database (its own SQLite
file, or the PostgreSQL database named by --database-url, which it empties), migrates it, imports the seed,
collects static files and creates the people who will work: members of organisations who submit listings and
apply for rewards, provincial reviewers who approve them, registry staff who accept and register contracts
waiting in their queue, and anonymous searchers. It then serves the platform as `make serve` does (waitress,
8 threads, 127.0.0.1 and a free port; embeddings off, so the figures are the web's own) and sends requests from
client threads, each a person with their own session.

Modes:
- load (default): for each client count, mixed read/write traffic for --duration seconds; prints requests/s,
  p50/p95 latency and errors (5xx, busy answers, broken connections), beside the server's ceiling measured in
  the same run (a small static file from the same server, so the ratio says what the application costs).
- check (--check): --writers writers (submit, approve, apply, register in turn) and --searchers searchers for
  --duration seconds, then verifies in the database: no 5xx; every acknowledged write is there (listings with
  their history and search document, approved listings found by search, applications, registrations with
  numbers); every refused or failed request left nothing behind. With --kill-after S the server is killed
  (SIGKILL) after S seconds, and the verification checks that every record is complete or absent.
  Exits 1 if a check fails; --json prints the figures and findings.

Every request loop is bounded in time and sends traffic to 127.0.0.1 only.
"""

import argparse
import http.cookiejar
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from common import PROJECT_DIR, log, percentile

PASSWORD = "Load-test-2026-pass"
QUERIES = ["盐湖提锂", "青稞", "光伏", "牦牛", "高原医学", "新能源", "枸杞", "冷链物流", "生态修复", "大数据",
           "藏药", "锂电池", "风电", "种业", "草地退化", "智慧农业", "氢能", "中藏药", "镁合金", "碳酸锂"]
TOKEN_RE = re.compile(r"LT[0-9A-F]{10}")
# The evidence codes of the policy vocabulary (an application uploads what no record of the platform stands for).
EVIDENCE_CODES = sorted(yaml.safe_load((PROJECT_DIR / "data" / "policy" / "vocabulary.yaml").read_text(
    encoding="utf-8"))["evidence"])
BIN = Path(sys.executable).parent


# -- the site ----------------------------------------------------------------------------------------------

class Site:
    """A data directory and a database, set up as `make run` does, and the server process serving them."""

    def __init__(self, data_dir: Path, database_url: str | None = None, extra_env: dict | None = None):
        self.data_dir = data_dir
        self.extra_env = extra_env or {}
        self.database_url = database_url or f"sqlite:///{data_dir / 'techmarket.sqlite3'}"
        self.server: subprocess.Popen | None = None
        self.port = 0

    def env(self) -> dict:
        env = dict(os.environ)
        env.update({
            "TECHMARKET_DATA_DIR": str(self.data_dir), "DATABASE_URL": self.database_url,
            "TECHMARKET_JOBS": "none", "SECRET_KEY": "load-test-" + "x" * 50, "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "techmarket.settings",
        })
        env.update(self.extra_env)
        return env

    def prepare(self, setup_django: bool = True) -> None:
        """A fresh database with the seed, static files, and (unless told not to) Django set up in this process
        for the checks."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.database_url.startswith("sqlite"):
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.data_dir / "techmarket.sqlite3") + suffix).unlink(missing_ok=True)
        else:
            _reset_postgres(self.database_url)
        for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["import"]):
            self.manage(*args)
        if not setup_django:
            return
        os.environ.update(self.env())
        src = str(PROJECT_DIR / "src")
        if src not in sys.path:
            sys.path.insert(0, src)
        import django

        django.setup()

    def manage(self, *args: str, env: dict | None = None) -> None:
        """A `techmarket` command against this site."""
        subprocess.run([str(BIN / "techmarket"), *args], env={**self.env(), **(env or {})}, check=True,
                       stdout=subprocess.DEVNULL)

    def start(self, threads: int = 8) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = subprocess.Popen(
            [str(BIN / "waitress-serve"), f"--listen=127.0.0.1:{self.port}", f"--threads={threads}",
             "--connection-limit=200", "--channel-timeout=60", "techmarket.wsgi:application"],
            env=self.env(), stdout=subprocess.DEVNULL, stderr=open(self.data_dir / "server.log", "ab"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/", timeout=5).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError("the server did not answer within 60 s (see server.log)")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, kill: bool = False) -> None:
        if self.server and self.server.poll() is None:
            if kill:
                self.server.send_signal(signal.SIGKILL)
            else:
                self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()


def _reset_postgres(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


# -- the people ------------------------------------------------------------------------------------------

@dataclass
class People:
    members: list = field(default_factory=list)  # (username, organisation name)
    reviewers: list = field(default_factory=list)
    registrars: list = field(default_factory=list)
    mode_ids: list = field(default_factory=list)


def make_people(n_members: int, n_reviewers: int, n_registrars: int, registrations_each: int) -> People:
    """Users with their roles, and contracts waiting in each registrar's queue."""

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from techmarket.accounts.roles import REGISTRARS, REVIEWERS
    from techmarket.catalogue.models import CooperationMode
    from techmarket.directory.models import Organisation, Region
    from techmarket.market.models import Registry, RegistryStaff

    User = get_user_model()
    people = People(mode_ids=list(CooperationMode.objects.values_list("pk", flat=True)))
    organisations = list(Organisation.objects.filter(region__isnull=False).order_by("pk")[:n_members])
    for i, organisation in enumerate(organisations):
        name = f"member{i}"
        User.objects.create_user(username=name, password=PASSWORD, is_verified=True, organisation=organisation,
                                 display_name=name)
        people.members.append((name, organisation.name))
    for i in range(n_reviewers):
        user = User.objects.create_user(username=f"reviewer{i}", password=PASSWORD, is_verified=True,
                                        display_name=f"reviewer{i}")
        user.groups.add(Group.objects.get(name=REVIEWERS))
        people.reviewers.append(user.username)
    registry = Registry.objects.get(code="xining")
    seller_org = Organisation.objects.create(name="负载测试西宁科技有限公司", region=Region.objects.get(code="xining"),
                                             kind=Organisation.Kind.ENTERPRISE)
    buyer_org = Organisation.objects.create(name="负载测试海西化工有限公司", region=Region.objects.get(code="haixi"),
                                            kind=Organisation.Kind.ENTERPRISE)
    seller = User.objects.create_user(username="seller", password=PASSWORD, is_verified=True,
                                      organisation=seller_org, display_name="seller")
    for i in range(n_registrars):
        user = User.objects.create_user(username=f"registrar{i}", password=PASSWORD, is_verified=True,
                                        display_name=f"registrar{i}")
        user.groups.add(Group.objects.get(name=REGISTRARS))
        RegistryStaff.objects.create(user=user, registry=registry, certificate_number="国科登字2026001")
        people.registrars.append(user.username)
    for i in range(registrations_each * max(n_registrars, 1)):
        submit_contract(seller, seller_org, buyer_org, registry, i)
    return people


def submit_contract(seller, seller_org, buyer_org, registry, i: int, title: str = "负载测试技术转让合同"):
    """A transfer contract of `seller` (a member of `seller_org`) with `buyer_org`, its text attached, submitted
    for registration at `registry`; returns the registration."""
    from techmarket.market.services import registration

    return registration.submit(seller, make_contract(seller, seller_org, buyer_org, i, title), registry)


def make_contract(seller, seller_org, buyer_org, i: int, title: str = "负载测试技术转让合同"):
    """A transfer contract of `seller` (a member of `seller_org`) with `buyer_org`, its text attached."""
    import datetime
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from techmarket.market.services import contracts, deals
    from techmarket.market.services.contracts import ContractInput, MilestoneInput, PartyInput
    from techmarket.market.services.rules import rules

    type_rules = rules().type("transfer")
    buyer_role = next(code for code, role in type_rules.roles.items() if role.side == "buyer")
    contract = contracts.create_contract(seller, ContractInput(
        title=f"{title}{i}", contract_type="transfer", signed_on=datetime.date(2026, 3, 1),
        total_amount=Decimal(1_000_000 + i), technology_amount=Decimal("800000"),
        parties=[PartyInput(seller_org, type_rules.registering_role), PartyInput(buyer_org, buyer_role)],
        milestones=[MilestoneInput("payment", "首付款", Decimal("500000"))],
    ))
    body = f"%PDF-1.4\n% load test contract {i} {uuid.uuid4().hex}\n%%EOF\n".encode()
    deals.store_attachment(seller, SimpleUploadedFile(f"contract{i}.pdf", body, content_type="application/pdf"),
                           contract=contract, kind="contract-text")
    return contract


# -- a client: one person with a session -------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused or broken)
    body: str
    location: str
    seconds: float


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def _open(self, request) -> Answer:
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                body = response.read().decode("utf-8", "replace")
                return Answer(response.status, body, "", time.perf_counter() - start)
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            return Answer(error.code, body, error.headers.get("Location", ""), time.perf_counter() - start)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return Answer(0, "", "", time.perf_counter() - start)

    def get(self, path: str) -> Answer:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict | list) -> Answer:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        body = urllib.parse.urlencode([*pairs, ("csrfmiddlewaretoken", token)]).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Referer": self.base + path})
        return self._open(request)

    def post_files(self, path: str, data: dict, files: dict) -> Answer:
        """A multipart POST: `files` maps a field name to (file name, bytes, content type)."""
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in [*data.items(), ("csrfmiddlewaretoken", token)]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                         .encode())
        for name, (filename, content, content_type) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                         f'filename="{urllib.parse.quote(filename)}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                         + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST", headers={
            "Referer": self.base + path, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        return self._open(request)

    def login(self, username: str) -> Answer:
        self.get("/accounts/login/")
        return self.post("/accounts/login/", {"username": username, "password": PASSWORD})


# -- what people do -----------------------------------------------------------------------------------------

@dataclass
class Record:
    """What happened: every request's answer, and the writes that were acknowledged or not."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list = field(default_factory=list)  # (action, status, seconds)
    acked: dict = field(default_factory=lambda: {"submit": [], "approve": [], "apply": [], "register": []})
    failed: dict = field(default_factory=lambda: {"submit": [], "apply": []})
    server_errors: list = field(default_factory=list)  # (action, path, status, first line of body)
    login_failures: list = field(default_factory=list)

    def add(self, action: str, path: str, answer: Answer) -> None:
        with self.lock:
            self.requests.append((action, answer.status, answer.seconds))
            if answer.status >= 500:
                self.server_errors.append((action, path, answer.status, answer.body[:200]))


def new_token() -> str:
    return f"LT{uuid.uuid4().hex[:10].upper()}"


def act_search(client: Client, people: People, record: Record, rng: random.Random) -> None:
    query = urllib.parse.quote(rng.choice(QUERIES))
    path = f"/search/?q={query}" if rng.random() < 0.7 else f"/catalogue/?q={query}"
    record.add("search", path, client.get(path))


def act_submit(client: Client, people: People, record: Record, rng: random.Random) -> None:
    token = new_token()
    data = [("kind", "demand"), ("title", f"高原盐湖资源综合利用关键技术需求{token}"),
            ("description", f"负载测试条目{token}：需要合作研发盐湖卤水提锂吸附剂，提高收率并降低能耗。"),
            ("modes", str(rng.choice(people.mode_ids))), ("field", ""), ("trl", ""), ("budget_wan", "50"),
            ("valid_until", ""), ("submit_for_review", "1")]
    answer = client.post("/my/listings/new/", data)
    record.add("submit", "/my/listings/new/", answer)
    with record.lock:
        (record.acked if answer.status == 302 and answer.location.endswith("/my/listings/")
         else record.failed)["submit"].append(token)


def act_approve(client: Client, people: People, record: Record, rng: random.Random) -> None:
    queue = client.get("/review/")
    record.add("approve", "/review/", queue)
    references = re.findall(r'href="/listings/([^"]+?)/review/"', queue.body)
    if not references:
        time.sleep(0.05)
        return
    reference = rng.choice(references[:10])
    path = f"/listings/{reference}/review/"
    answer = client.post(path, {"action": "approve", "approve-valid_until": ""})
    record.add("approve", path, answer)
    if answer.status == 302 and answer.location.endswith("/review/"):
        with record.lock:
            record.acked["approve"].append(urllib.parse.unquote(reference))


def act_apply(client: Client, people: People, record: Record, rng: random.Random, organisation: str) -> None:
    token = new_token()
    event = {"type": "technology-contract", "kind": "transfer", "date": "2019-06-01", "amount": "5000000",
             "project": token, "parties": [{"role": "buyer", "name": organisation}],
             "flags": {"online": True, "registered": True, "delivered": True}}
    # A PDF for each item of evidence a rule may ask for (the platform keeps the ones the awarded rules need).
    evidence = {f"evidence-{code}": (f"{code}.pdf", b"%PDF-1.4\n% " + token.encode() + b"\n%%EOF\n", "application/pdf")
                for code in EVIDENCE_CODES}
    answer = client.post_files("/policy/apply/", {"event": json.dumps(event, ensure_ascii=False)}, evidence)
    record.add("apply", "/policy/apply/", answer)
    with record.lock:
        (record.acked if answer.status == 302 and re.search(r"/policy/applications/\d+/$", answer.location)
         else record.failed)["apply"].append(token)


def act_register(client: Client, people: People, record: Record, rng: random.Random) -> None:
    queue = client.get("/market/registry/")
    record.add("register", "/market/registry/", queue)
    pks = sorted(set(re.findall(r'href="/market/registrations/(\d+)/"', queue.body)))
    if not pks:
        time.sleep(0.05)
        return
    pk = rng.choice(pks[:10])
    for step in ("accept", "register"):
        path = f"/market/registrations/{pk}/{step}/"
        answer = client.post(path, {f"{step}-reason": "负载测试", f"{step}-technology_amount": ""})
        record.add("register", path, answer)
        if answer.status != 302:
            return
    detail = client.get(f"/market/registrations/{pk}/")
    record.add("register", f"/market/registrations/{pk}/", detail)
    if "登记号" in detail.body:
        with record.lock:
            record.acked["register"].append(int(pk))


def run_clients(site: Site, people: People, roles: list[str], duration: float, record: Record,
                stop_at: float | None = None) -> float:
    """One thread per role for `duration` seconds; returns the wall time."""
    deadline = time.monotonic() + duration
    members = itertools.cycle(people.members)
    reviewers = itertools.cycle(people.reviewers)
    registrars = itertools.cycle(people.registrars)

    def person(index: int, role: str) -> None:
        rng = random.Random(index)
        client = Client(site.base)
        organisation = ""
        username = ""
        if role in ("submit", "apply"):
            username, organisation = next(members)
        elif role == "approve":
            username = next(reviewers)
        elif role == "register":
            username = next(registrars)
        if username:
            answer = client.login(username)
            record.add("login", "/accounts/login/", answer)
            if answer.status != 302:
                text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.body))
                with record.lock:
                    record.login_failures.append(f"{username}: {answer.status} {text[-300:]}")
                return
        while time.monotonic() < deadline:
            if role == "search":
                act_search(client, people, record, rng)
            elif role == "submit":
                act_submit(client, people, record, rng)
            elif role == "approve":
                act_approve(client, people, record, rng)
            elif role == "apply":
                act_apply(client, people, record, rng, organisation)
            elif role == "register":
                act_register(client, people, record, rng)

    threads = [threading.Thread(target=person, args=(i, role), daemon=True) for i, role in enumerate(roles)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    return time.monotonic() - start


def static_path() -> str:
    """The smallest stylesheet of the collected static files: the request that measures the server's ceiling."""
    from django.conf import settings

    candidates = sorted((p for p in Path(settings.STATIC_ROOT).rglob("*.css") if p.stat().st_size > 0),
                        key=lambda p: p.stat().st_size)
    return "/static/" + str(candidates[0].relative_to(settings.STATIC_ROOT))


def ceiling(site: Site, clients: int, duration: float) -> float:
    """Requests/s of the same server answering a small static file: what the server can do at most."""
    path = static_path()
    count = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def loop():
        client = Client(site.base)
        while time.monotonic() < deadline:
            if client.get(path).status == 200:
                with lock:
                    count[0] += 1

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count[0] / duration


MIX = ["search", "submit", "search", "approve", "search", "apply", "search", "register"]


def summary(record: Record, wall: float) -> dict:
    latencies = [s for _, status, s in record.requests if status]
    errors = sum(1 for _, status, _ in record.requests if status >= 500 or status == 0)
    return {
        "requests": len(record.requests), "requests_per_s": round(len(record.requests) / wall, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1), "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "errors": errors, "server_errors": sum(1 for _, status, _ in record.requests if status >= 500),
        "busy": sum(1 for _, status, _ in record.requests if status == 503),
        "acknowledged": {k: len(v) for k, v in record.acked.items()},
    }


# -- verification -------------------------------------------------------------------------------------------

def _acknowledged_and_failed(record: Record, what: str, action: str, stored, killed: bool) -> list[str]:
    """Every acknowledged write is stored; a failed one left nothing (unless the server was killed, when a write
    may have committed without its answer arriving)."""
    problems = [f"acknowledged {what} {token} is missing" for token in record.acked[action] if token not in stored]
    if not killed:
        problems += [f"failed {what} {token} left a record" for token in record.failed[action] if token in stored]
    return problems


def verify(record: Record, killed: bool) -> list[str]:
    """What the database holds against what people were told. Returns the problems found."""
    from django.db.models import Count, Q

    from techmarket.catalogue.models import PUBLIC_STATUSES, Listing
    from techmarket.common.audit import history_for
    from techmarket.market.models import Registration
    from techmarket.matching.services.engine import reset_engine
    from techmarket.matching.services.search import search
    from techmarket.policy.models import Application

    problems = []
    reset_engine()
    listings = {TOKEN_RE.search(listing.title).group(0): listing
                for listing in Listing.objects.filter(title__contains="LT").select_related("search_document")
                if TOKEN_RE.search(listing.title)}
    problems += _acknowledged_and_failed(record, "submission", "submit", listings, killed)
    for token, listing in listings.items():  # complete or absent
        if listing.status not in ("submitted", *PUBLIC_STATUSES):
            problems.append(f"{token}: status {listing.status}, submission was asked")
        if not hasattr(listing, "search_document"):
            problems.append(f"{token}: no search document")
        elif listing.search_document.public != (listing.status in PUBLIC_STATUSES):
            problems.append(f"{token}: search document visibility disagrees with status {listing.status}")
        if not listing.modes.exists() or not listing.organisation_links.exists():
            problems.append(f"{token}: modes or organisation missing")
    approved = set(record.acked["approve"])
    for listing in Listing.objects.filter(reference__in=approved):
        if listing.status not in PUBLIC_STATUSES:
            problems.append(f"acknowledged approval of {listing.reference} but status {listing.status}")
            continue
        token = TOKEN_RE.search(listing.title)
        if token:
            found = search(token.group(0), mode="keyword").hits
            if listing.pk not in [hit.listing_id for hit in found]:
                problems.append(f"approved {listing.reference} ({token.group(0)}) is not found by search")
    projects = set(Application.objects.filter(event__project__startswith="LT").values_list("event__project", flat=True))
    problems += _acknowledged_and_failed(record, "application", "apply", projects, killed)
    for application in Application.objects.filter(event__project__startswith="LT"):
        if not history_for(application).exists():
            problems.append(f"application {application.pk} has no history")
    for registration in Registration.objects.filter(pk__in=record.acked["register"]):
        if registration.status != "registered" or not registration.number:  # noqa: SIM102
            problems.append(f"acknowledged registration {registration.pk} is {registration.status}")
    for registration in Registration.objects.filter(Q(status="registered")):
        if not registration.number or not history_for(registration).filter(action="register").exists():
            problems.append(f"registration {registration.pk} registered without number or history")
    duplicates = (Registration.objects.exclude(number="").exclude(number__isnull=True).values("number").order_by()
                  .annotate(n=Count("pk")).filter(n__gt=1))
    problems += [f"registration number {d['number']} given {d['n']} times" for d in duplicates]
    return problems


def check_phase(site: Site, people: People, roles: list[str], duration: float, kill_after: float | None) -> dict:
    record = Record()
    killer = threading.Timer(kill_after, lambda: site.stop(kill=True)) if kill_after is not None else None
    if killer:
        killer.start()
    wall = run_clients(site, people, roles, duration, record)
    if killer:
        killer.cancel()
    site.stop()
    killed = kill_after is not None
    problems = verify(record, killed=killed)
    if not killed:
        problems += [f"log-in failed for {name}" for name in record.login_failures]
    problems += [f"{status} on {action} {path}: {body!r}" for action, path, status, body in record.server_errors[:20]]
    if killed and site.database_url.startswith("sqlite"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            verdict = cursor.fetchone()[0]
        if verdict != "ok":
            problems.append(f"SQLite integrity check: {verdict}")
    return {**summary(record, wall), "killed": killed, "problems": problems}


# -- main ---------------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=PROJECT_DIR / "var" / "loadtest")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL database to use (it is emptied)")
    parser.add_argument("--clients", default="1,8,32", help="client counts of the load mode")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--check", action="store_true", help="the concurrency check (see above)")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--searchers", type=int, default=4)
    parser.add_argument("--kill-after", type=float, default=None, help="SIGKILL the server after S seconds")
    parser.add_argument("--threads", type=int, default=8, help="server threads")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    site = Site(args.data_dir, args.database_url)
    log(f"Setting up {site.database_url.split('://')[0]} site in {site.data_dir} ...")
    site.prepare()
    clients = [int(c) for c in args.clients.split(",")] if not args.check else [args.writers + args.searchers]
    most = max(clients)
    people = make_people(n_members=max(4, most // 2), n_reviewers=max(2, most // 8),
                         n_registrars=max(2, most // 8), registrations_each=60)
    site.start(args.threads)
    output: dict = {"database": site.database_url.split("://")[0], "server_threads": args.threads, "runs": []}
    try:
        if args.check:
            writer_roles = ["submit", "approve", "apply", "register"]
            roles = [writer_roles[i % 4] for i in range(args.writers)] + ["search"] * args.searchers
            result = check_phase(site, people, roles, args.duration, kill_after=None)
            output["runs"].append(result)
            if args.kill_after is not None:  # then a write burst during which the server is killed
                site.start(args.threads)
                output["runs"].append(check_phase(site, people, roles, args.kill_after + 3, args.kill_after))
            ok = not any(run["problems"] for run in output["runs"])
        else:
            ok = True
            for count in clients:
                ceiling_rps = ceiling(site, count, min(5.0, args.duration))
                record = Record()
                roles = [MIX[i % len(MIX)] for i in range(count)]
                wall = run_clients(site, people, roles, args.duration, record)
                result = {"clients": count, **summary(record, wall), "ceiling_rps": round(ceiling_rps, 1)}
                result["ratio_to_ceiling"] = round(result["requests_per_s"] / ceiling_rps, 3) if ceiling_rps else None
                output["runs"].append(result)
                ok = ok and result["errors"] == 0
                log(f"  {count:>3} clients: {result['requests_per_s']:>7.1f} req/s "
                    f"(ceiling {ceiling_rps:.1f}, ratio {result['ratio_to_ceiling']}), p50 {result['p50_ms']} ms, "
                    f"p95 {result['p95_ms']} ms, errors {result['errors']} (busy {result['busy']})")
    finally:
        site.stop()
    if args.json:
        print(json.dumps(output, ensure_ascii=False, indent=1))
    else:
        for run in output["runs"]:
            print(json.dumps(run, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
