"""Money of challenges through the policy engine and its ledger (docs/challenges.md, "Money").

- A task agreement's public funds are an event `challenge-funding` the engine evaluates under the rule
  `oc2025-3-challenge-funds` (data/policy/rules/oc2025-open-cooperation.yaml); the award is committed in the ledger
  against the rule's programme and its year's budget, and each release (a milestone, the post-funding) is a paid line.
- An enterprise's own spending on a challenge listed in the provincial plan is an event `rd-spending` (flags
  self_funded, listed_in_provincial_plan); the engine computes the reward of task 3 (30 %, at most ¥3M per project,
  rule `oc2025-3-self-funded-rd`) counting what the ledger already holds for the project, and it is committed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from techmarket.challenges.errors import ChallengeError
from techmarket.challenges.models import Agreement, Funding
from techmarket.policy.models import LedgerEntry
from techmarket.policy.services.data import ensure_synced
from techmarket.policy.services.engine import evaluate
from techmarket.policy.services.events import Event, Party
from techmarket.policy.services.ledger import NO_PRIOR, DatabaseLedger, record_award

FUNDS_RULE = "oc2025-3-challenge-funds"
REWARD_RULE = "oc2025-3-self-funded-rd"


def project_key(agreement: Agreement) -> str:
    return f"challenge-{agreement.proposal.challenge_id}-proposal-{agreement.proposal_id}"


def award_for(rule_id: str, event: Event, prior=NO_PRIOR):
    """The engine's award of `rule_id` for the event, or ChallengeError with the engine's reason."""
    result = evaluate(event, ensure_synced(), prior)
    for award in result.awards:
        if award.rule_id == rule_id:
            return award
    why = next((n.reason for n in result.not_applied if n.rule_id == rule_id), "未找到适用条款")
    raise ChallengeError(f"政策引擎未给出金额：{why}")


def _event(kind: str, agreement: Agreement, on: datetime.date, amount: Decimal, organisation, flags=()) -> Event:
    return Event(type=kind, date=on, amounts={"amount": amount},
                 parties=(Party("recipient", organisation.name, organisation.pk),), flags=frozenset(flags),
                 project=project_key(agreement))


def _line(agreement: Agreement, kind: str, key: str, award, ledger_kind: str, by, note: str,
          amount: Decimal | None = None) -> Funding:
    entry = record_award(award, ledger_kind, by=by, note=note, amount=amount)
    return Funding.objects.create(agreement=agreement, kind=kind, key=key, year=entry.year, amount=entry.amount,
                                  ledger_entry=entry, note=note, recorded_by=by)


def commit_funds(agreement: Agreement, by, on: datetime.date) -> Funding | None:
    """The agreement's public funds committed in the ledger (once)."""
    if not agreement.public_funds:
        return None
    award = award_for(FUNDS_RULE, _event("challenge-funding", agreement, on, agreement.public_funds,
                                         agreement.proposal.organisation))
    return _line(agreement, Funding.Kind.COMMITTED, "commit", award, LedgerEntry.Kind.COMMITTED, by,
                 f"任务书：{agreement.proposal.challenge.title}")


def commitment(agreement: Agreement) -> Funding | None:
    return agreement.fundings.filter(key="commit").select_related("ledger_entry").first()


def released(agreement: Agreement) -> Decimal:
    return sum((f.amount for f in agreement.fundings.filter(kind__in=[Funding.Kind.MILESTONE, Funding.Kind.POST])),
               Decimal(0))


def release(agreement: Agreement, kind: str, key: str, amount: Decimal, by, on: datetime.date, note: str) -> Funding:
    """A payment of the committed funds (a milestone or the post-funding), as a paid line of the ledger."""
    committed = commitment(agreement)
    if committed is None:
        raise ChallengeError("任务书没有承诺的财政资金，无需拨付。")
    left = committed.amount - released(agreement)
    if amount <= 0 or amount > left:
        raise ChallengeError(f"拨付金额须大于 0 且不超过尚未拨付的 {left} 元。")
    # Paid under the rule the commitment was made under (its date), in the year of the payment.
    event = _event("challenge-funding", agreement, agreement.signed_on, committed.amount,
                   agreement.proposal.organisation)
    event.year = on.year
    award = award_for(FUNDS_RULE, event)
    return _line(agreement, kind, key, award, LedgerEntry.Kind.PAID, by, note, amount=amount)


def reward_for_spending(agreement: Agreement, spending: Funding, by, on: datetime.date) -> Funding:
    """The task-3 reward on the enterprise's recorded own spending, computed by the engine and committed."""
    challenge = agreement.proposal.challenge
    enterprise = challenge.challenger
    event = _event("rd-spending", agreement, on, spending.amount, enterprise,
                   flags=("self_funded", "listed_in_provincial_plan"))
    event.year = spending.year
    award = award_for(REWARD_RULE, event, DatabaseLedger())
    return _line(agreement, Funding.Kind.REWARD, f"reward-{spending.key}", award, LedgerEntry.Kind.COMMITTED, by,
                 f"自有资金研发投入 {spending.amount} 元（{challenge.title}）")
