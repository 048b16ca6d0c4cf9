"""The ledger of commitments and payments: the engine's "committed so far" lookup, and the totals per programme
and year against the budgets."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from techmarket.policy.models import Budget, LedgerEntry, Programme
from techmarket.policy.services.engine import NO_PRIOR, ZERO, Party, Prior


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
