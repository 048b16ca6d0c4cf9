"""The ledger of commitments and payments: what the engine counts as "committed so far" (the `PriorLookup`: the
in-memory `Ledger` of entries given as data and of events evaluated in sequence, and the `DatabaseLedger` of
committed entries), and the totals per programme and year against the budgets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.db.models import Count, Sum

from techmarket.policy.models import Budget, LedgerEntry, Programme, Rule
from techmarket.policy.services.events import Party, parse_prior
from techmarket.policy.services.results import ZERO

if TYPE_CHECKING:
    from techmarket.policy.services.results import Award
    from techmarket.policy.services.rulebook import Rulebook


@dataclass(frozen=True)
class Prior:
    amount: Decimal = ZERO  # committed under the rule in the scope
    base: Decimal = ZERO  # the bases those awards were computed on (cumulative tiers)
    count: int = 0


class PriorLookup(Protocol):
    def prior(self, rule_id: str, beneficiary: Party, project: str | None = None,
              year: int | None = None) -> Prior: ...


@dataclass(frozen=True)
class Entry:
    rule_id: str
    beneficiary: str  # Party.key
    amount: Decimal
    base: Decimal = ZERO
    project: str = ""
    year: int | None = None


class Ledger:
    """An in-memory ledger: prior entries given as data, and the awards of events evaluated in sequence."""

    def __init__(self, entries=()):
        self.entries: list[Entry] = list(entries)

    @classmethod
    def from_data(cls, items, book: Rulebook) -> Ledger:
        """Entries in the JSON form of docs/policy.md: rule, beneficiary (name) or organisation_id, amount, and
        optionally base, project, year (validated by policy.schemas.PriorIn)."""
        entries = []
        for item in parse_prior(items, book):
            party = Party("recipient", item.beneficiary, item.organisation_id or None)
            entries.append(Entry(item.rule, party.key, item.amount, item.base or ZERO, item.project, item.year))
        return cls(entries)

    def prior(self, rule_id, beneficiary, project=None, year=None) -> Prior:
        found = [e for e in self.entries if e.rule_id == rule_id and e.beneficiary == beneficiary.key
                 and (project is None or e.project == project) and (year is None or e.year == year)]
        return Prior(sum((e.amount for e in found), ZERO), sum((e.base for e in found), ZERO), len(found))

    def record(self, award: Award) -> None:
        for i, instalment in enumerate(award.instalments):
            self.entries.append(Entry(award.rule_id, award.beneficiary_key, instalment.amount,
                                      (award.base or ZERO) if i == 0 else ZERO, award.project, instalment.year))


class CombinedLookup:
    """The sum of several lookups (e.g. the database ledger and entries given with a request)."""

    def __init__(self, *lookups: PriorLookup):
        self.lookups = lookups

    def prior(self, rule_id, beneficiary, project=None, year=None) -> Prior:
        priors = [lookup.prior(rule_id, beneficiary, project, year) for lookup in self.lookups]
        return Prior(sum((p.amount for p in priors), ZERO), sum((p.base for p in priors), ZERO),
                     sum(p.count for p in priors))


NO_PRIOR = Ledger()


class DatabaseLedger:
    """Committed ledger entries as the engine's `PriorLookup`. With `organisation_ids`, only those organisations'
    records count (a member sees what their own organisation has received, not others')."""

    def __init__(self, organisation_ids: set[int] | None = None):
        self.visible = organisation_ids

    def prior(self, rule_id: str, beneficiary: Party, project: str | None = None, year: int | None = None) -> Prior:
        if self.visible is not None and beneficiary.organisation_id not in self.visible:
            return Prior()
        entries = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.COMMITTED, rule__rule_id=rule_id)
        if beneficiary.organisation_id:
            entries = entries.filter(organisation_id=beneficiary.organisation_id)
        else:
            entries = entries.filter(organisation__isnull=True, beneficiary_name=beneficiary.name)
        if project is not None:
            entries = entries.filter(project=project)
        if year is not None:
            entries = entries.filter(year=year)
        totals = entries.aggregate(amount=Sum("amount"), base=Sum("base_amount"), count=Count("id"))
        return Prior(totals["amount"] or ZERO, totals["base"] or ZERO, totals["count"])


def ledger_for(user):
    """What a user's calculations count as already committed: everything for reviewers, their organisation's
    records for members, nothing for anyone else."""
    if not user.is_authenticated:
        return NO_PRIOR
    if user.has_perm("policy.review_application"):
        return DatabaseLedger()
    if user.organisation_id:
        return DatabaseLedger({user.organisation_id})
    return NO_PRIOR


@dataclass
class LedgerRow:
    programme: Programme
    year: int
    budget: Decimal | None
    budget_source: str
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.committed > self.budget


def ledger_rows(programme: str = "", year: int | None = None) -> list[LedgerRow]:
    """Committed and paid totals per programme and year, with the budget where one is set; years with a budget
    and no entries are listed too."""
    entries = LedgerEntry.objects.all()
    budgets = Budget.objects.select_related("programme")
    if programme:
        entries, budgets = entries.filter(programme__code=programme), budgets.filter(programme__code=programme)
    if year:
        entries, budgets = entries.filter(year=year), budgets.filter(year=year)
    rows: dict[tuple, LedgerRow] = {}
    programmes = {p.pk: p for p in Programme.objects.all()}
    for item in entries.values("programme", "year", "kind").annotate(total=Sum("amount")):
        row = rows.setdefault((item["programme"], item["year"]),
                              LedgerRow(programmes[item["programme"]], item["year"], None, "", ZERO, ZERO))
        if item["kind"] == LedgerEntry.Kind.COMMITTED:
            row.committed += item["total"]
        else:
            row.paid += item["total"]
    for budget in budgets:
        row = rows.setdefault((budget.programme_id, budget.year),
                              LedgerRow(budget.programme, budget.year, None, "", ZERO, ZERO))
        row.budget, row.budget_source = budget.amount, budget.source
    return sorted(rows.values(), key=lambda r: (r.programme.code, r.year))


def ledger_totals(rows: list[LedgerRow]) -> dict:
    return {"committed": sum((r.committed for r in rows), ZERO), "paid": sum((r.paid for r in rows), ZERO)}


BUDGET_YEARS = (2000, 2100)
BUDGET_SOURCE_MAX = 500


def set_budget(reviewer, programme_code: str, year: int, amount: Decimal, source: str) -> Budget:
    """A reviewer records a programme's budget for a year from an official document (`source` names it); a budget
    the rule files give stays theirs. Recorded in the audit log with the previous figure."""
    from django.db import transaction

    from techmarket.common import audit
    from techmarket.common.bounds import MAX_AMOUNT
    from techmarket.policy.services.applications import ApplicationError, can_review

    if not can_review(reviewer):
        raise ApplicationError("只有省科技厅审核人员可以录入年度预算。")
    programme = Programme.objects.filter(code=programme_code).first()
    if programme is None:
        raise ApplicationError("请选择资金项目。")
    if not (BUDGET_YEARS[0] <= year <= BUDGET_YEARS[1]):
        raise ApplicationError(f"年度须在 {BUDGET_YEARS[0]} 至 {BUDGET_YEARS[1]} 之间。")
    if not (amount.is_finite() and 0 < amount <= MAX_AMOUNT and amount.as_tuple().exponent >= -2):
        raise ApplicationError("预算金额须大于 0、不超过 1000 亿元，最多两位小数。")
    source = " ".join((source or "").split())
    if not source:
        raise ApplicationError("请填写预算依据（文件名称和文号）。")
    if len(source) > BUDGET_SOURCE_MAX:
        raise ApplicationError(f"预算依据最多 {BUDGET_SOURCE_MAX} 个字。")
    with transaction.atomic():
        budget = Budget.objects.select_for_update().filter(programme=programme, year=year).first()
        if budget is not None and budget.entered_by_id is None and budget.amount is not None:
            raise ApplicationError(f"{programme.name} {year}年度预算由规则文件给出（{budget.source}），不能在此修改。")
        before = budget.amount if budget else None
        budget, _ = Budget.objects.update_or_create(programme=programme, year=year, defaults={
            "amount": amount, "source": source, "entered_by": reviewer})
        audit.log_action(budget, "change" if before is not None else "create", reviewer,
                         from_value="" if before is None else f"{before:.2f}", to_value=f"{amount:.2f}", reason=source)
    return budget


def record_award(award, kind: str, *, by=None, note: str = "", amount: Decimal | None = None) -> LedgerEntry:
    """A line for an award the engine computed for another domain's record (a challenge's funds, a reward from
    recorded spending), committed or paid, in the award's year against its rule's programme. `amount` pays part
    of it (a milestone). Refused (ApplicationError) when committing would take a set budget past its figure.
    Callers open the transaction; the budget row is locked by the check."""
    from techmarket.policy.services.applications import ApplicationError, budget_excess

    amount = award.amount if amount is None else amount
    rule = Rule.objects.select_related("programme").get(rule_id=award.rule_id)
    if kind == LedgerEntry.Kind.COMMITTED:
        exceeded = budget_excess([{"programme": rule.programme.code, "amount": str(amount),
                                   "instalments": [{"year": award.year, "amount": str(amount)}]}])
        if exceeded:
            raise ApplicationError("超出年度预算：" + "；".join(exceeded))
    return LedgerEntry.objects.create(
        programme=rule.programme, year=award.year, rule=rule, organisation_id=award.organisation_id,
        beneficiary_name=award.beneficiary[:200], project=award.project[:200],
        base_amount=(award.base or ZERO) if kind == LedgerEntry.Kind.COMMITTED else ZERO, amount=amount, kind=kind,
        created_by=by if getattr(by, "is_authenticated", False) else None, note=note)
