"""The rulebook from data/policy (re-read whenever a file changes) and its mirror in the database: rules,
programmes and budgets, synced after every migrate and before an application is computed. Every rule or budget
the sync creates, changes, retires or removes is logged (common.audit, by "data-sync")."""

import time
from pathlib import Path

from django.conf import settings
from django.db import transaction

from techmarket.common import audit
from techmarket.policy.models import Budget, Programme, Rule
from techmarket.policy.services.rulebook import Rulebook, load_rulebook

_cache: dict = {}

SYNC = "data-sync"  # who changes rules and budgets: the reviewed files under data/policy


def data_dir() -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "policy"


def _stamp(directory: Path) -> tuple:
    files = sorted(directory.glob("*.yaml")) + sorted((directory / "rules").glob("*.yaml"))
    return tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files)


# How often the files are looked at for a change: a page asks for the rulebook hundreds of times (every label it
# shows), and listing and stat-ing some twenty files each time was most of the rules page's time.
RECHECK_SECONDS = 1.0


def rulebook() -> Rulebook:
    """The rules of data/policy, loaded once and again when a file changes (noticed within RECHECK_SECONDS; at once
    when the data directory itself is another one)."""
    directory = data_dir()
    now = time.monotonic()
    if _cache.get("directory") == directory and now - _cache.get("checked", 0.0) < RECHECK_SECONDS:
        return _cache["book"]
    stamp = _stamp(directory)
    if _cache.get("stamp") != stamp:
        _cache["book"] = load_rulebook(directory)
        _cache["stamp"] = stamp
    _cache["directory"], _cache["checked"] = directory, now
    return _cache["book"]


@transaction.atomic
def sync_policy_data(**kwargs) -> Rulebook:
    """Programmes, budgets and rules into the database, idempotently. Rules gone from the files stay, inactive."""
    book = rulebook()
    programmes = {}
    for item in book.programmes.values():
        programme, _ = Programme.objects.update_or_create(
            code=item.code, defaults={"name": item.name, "payer": item.payer, "source": item.source})
        programmes[item.code] = programme
        amounts = dict(Budget.objects.filter(programme=programme).values_list("year", "amount"))
        for budget in item.budgets:
            row, created = Budget.objects.update_or_create(programme=programme, year=budget.year, defaults={
                "amount": budget.amount, "source": budget.source, "entered_by": None})
            if created or amounts[budget.year] != row.amount:
                audit.log_action(row, "create" if created else "change", actor_label=SYNC,
                                 from_value="" if created else _amount(amounts[budget.year]),
                                 to_value=_amount(row.amount), reason=budget.source)
        stale_budgets = Budget.objects.filter(programme=programme, entered_by__isnull=True).exclude(
            year__in=[b.year for b in item.budgets])  # a year a reviewer recorded is not the file's to remove
        for stale in stale_budgets:
            audit.log_action(stale, "delete", actor_label=SYNC, from_value=_amount(stale.amount))
            stale.delete()
    hashes = dict(Rule.objects.values_list("rule_id", "content_hash"))
    inactive = set(Rule.objects.filter(active=False).values_list("rule_id", flat=True))
    for rule in book.rules:
        row, created = Rule.objects.update_or_create(rule_id=rule.id, defaults={
            "title": rule.title, "programme": programmes[rule.programme], "document_title": rule.document.title,
            "document_number": rule.document.number, "article": rule.article, "excerpt": rule.excerpt,
            "payer": rule.payer, "valid_from": rule.valid_from, "valid_until": rule.valid_until,
            "data": json_safe(rule.raw), "file": rule.document.file, "version": rule.document.version,
            "content_hash": rule.hash, "active": True,
        })
        if created or hashes[rule.id] != rule.hash or rule.id in inactive:
            audit.log_action(row, "create" if created else "change", actor_label=SYNC,
                             from_value="" if created else hashes[rule.id][:12], to_value=rule.hash[:12],
                             reason=f"{rule.document.file} {rule.document.version}",
                             data={"version": rule.document.version, "file": rule.document.file})
    retired = Rule.objects.exclude(rule_id__in=[rule.id for rule in book.rules]).filter(active=True)
    for row in retired:
        audit.log_action(row, "retire", actor_label=SYNC, reason="已从规则文件中删除")
    retired.update(active=False)
    return book


def _amount(value) -> str:
    return "" if value is None else f"{value}"


def ensure_synced() -> Rulebook:
    """The rulebook, after bringing the database's copy up to date if a file changed since the last sync."""
    book = rulebook()
    rules = set(Rule.objects.filter(active=True).values_list("rule_id", "content_hash"))
    budgets = set(Budget.objects.values_list("programme__code", "year", "amount"))
    if rules != {(rule.id, rule.hash) for rule in book.rules} or budgets != {
            (p.code, b.year, b.amount) for p in book.programmes.values() for b in p.budgets}:
        sync_policy_data()
    return book


def json_safe(value):
    """YAML dates as ISO strings, for the JSON field."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
