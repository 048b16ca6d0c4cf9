"""Listing reserve pools (上市挂牌后备企业基础资源库、精选库; seed 002_… task 15): the criteria of
data/enterprises/listing_pools.yaml (all of `all`, and one of `any`, when given) are evaluated on the facts of the
innovation points and the enterprise's verified recognitions; enterprises that meet them are proposed to the
reserve pool (the check as evaluated then is kept); reviewers move them to the selected pool with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import model_validator

from techmarket.common.audit import log_action
from techmarket.common.bounds import REASON_MAX
from techmarket.common.datafiles import FileModel, load, read_yaml
from techmarket.common.errors import InvalidInput, NotFound, Refused
from techmarket.common.permissions import require
from techmarket.directory.models import Organisation
from techmarket.enterprises.models import PoolAction, PoolEntry, Recognition

NOT_REVIEWER = "只有省科技厅审核人员可以管理上市挂牌后备企业库。"


class Criterion(FileModel):
    label: str
    fact: str = ""
    at_least: Decimal | None = None
    recognition: str = ""

    @model_validator(mode="after")
    def _one(self):
        if bool(self.fact) == bool(self.recognition) or (self.fact and self.at_least is None):
            raise ValueError(f"{self.label}: a criterion is a fact with at_least, or a recognition")
        if self.recognition and self.recognition not in Recognition.Kind.values:
            raise ValueError(f"{self.label}: unknown recognition {self.recognition!r}")
        return self


class ReservePool(FileModel):
    name: str
    all: list[Criterion] = []
    any: list[Criterion] = []


class SelectedPool(FileModel):
    name: str
    note: str = ""


class PoolSource(FileModel):
    document: str
    excerpt: str
    confirmed: bool
    note: str = ""


class PoolsFile(FileModel):
    source: PoolSource
    reserve: ReservePool
    selected: SelectedPool


@cache
def criteria() -> PoolsFile:
    path = Path(settings.TECHMARKET_DATA_FILES) / "enterprises" / "listing_pools.yaml"
    return load(PoolsFile, read_yaml(path), path.name)


@dataclass(frozen=True)
class Check:
    label: str
    met: bool
    value: str

    def as_dict(self) -> dict:
        return {"label": self.label, "met": self.met, "value": self.value}


def evaluate(organisation) -> tuple[bool, list[Check]]:
    """Whether the enterprise meets the reserve pool's criteria, and each criterion checked with its value."""
    from techmarket.enterprises.services.points import facts_of

    facts, _ = facts_of(organisation)
    held = set(Recognition.objects.filter(organisation=organisation, status=Recognition.Status.VERIFIED)
               .values_list("kind", flat=True))
    rules = criteria().reserve

    def check(c: Criterion) -> Check:
        if c.recognition:
            return Check(c.label, c.recognition in held, "已核验" if c.recognition in held else "无")
        value = facts.get(c.fact)
        return Check(c.label, value is not None and value >= c.at_least,
                     "无数据" if value is None else f"{value.normalize():f}")

    all_checks, any_checks = [check(c) for c in rules.all], [check(c) for c in rules.any]
    eligible = all(c.met for c in all_checks) and (not any_checks or any(c.met for c in any_checks))
    return eligible, all_checks + any_checks


def propose(user) -> list[PoolEntry]:
    """Propose every enterprise that meets the criteria and is in no pool yet; returns the entries made. Running it
    twice (or concurrently) proposes each enterprise once."""
    require(user, "enterprises.manage_pools", message=NOT_REVIEWER)
    made = []
    for organisation in Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE, listing_pool_entry=None):
        eligible, checks = evaluate(organisation)
        if not eligible:
            continue
        try:
            with transaction.atomic():
                entry = PoolEntry.objects.create(organisation=organisation,
                                                 criteria=[c.as_dict() for c in checks])
                log_action(entry, PoolAction.PROPOSE, user, data={"criteria": entry.criteria})
        except IntegrityError:
            continue  # proposed meanwhile by a concurrent run
        made.append(entry)
    return made


@transaction.atomic
def select(user, entry: PoolEntry, reason: str) -> PoolEntry:
    """Move an enterprise of the reserve pool to the selected pool; the reason is required and kept."""
    require(user, "enterprises.manage_pools", message=NOT_REVIEWER)
    entry = PoolEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if entry is None:
        raise NotFound()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请写明遴选进入精选库的理由。")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"理由最多 {REASON_MAX} 字。")
    if entry.pool == PoolEntry.Pool.SELECTED:
        raise Refused("该企业已在精选库中。")
    entry.pool, entry.reason, entry.selected_by, entry.selected_at = (PoolEntry.Pool.SELECTED, reason, user,
                                                                      timezone.now())
    entry.save(update_fields=["pool", "reason", "selected_by", "selected_at"])
    log_action(entry, PoolAction.SELECT, user, reason=reason)
    return entry


def entries(pool: str):
    return PoolEntry.objects.filter(pool=pool).select_related("organisation")


def entry_of(organisation) -> PoolEntry | None:
    return PoolEntry.objects.filter(organisation=organisation).first()
