"""What challenges show and count (docs/challenges.md, "Statistics"): a team's feedback (its scores and a summary
of the comments, never who wrote them), a challenge's registrations by region and by day, the department's
pipeline, and the records the indicators count (indicators.services.computations reads `solved` and `joint`)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncDate
from django.urls import reverse

from techmarket.challenges.models import Agreement, Challenge, Partner, Proposal, Score
from techmarket.challenges.services.review import tally


@dataclass(frozen=True)
class Feedback:
    stage: str
    count: int
    mean: Decimal | None
    criteria: list[tuple[str, Decimal]]  # each criterion's mean mark
    comments: list[str]  # the experts' comments, in a fixed order that reveals nobody


def feedback(proposal: Proposal) -> list[Feedback]:
    """A team's scores per stage: the mean, each criterion's mean and the comments (no expert named)."""
    out = []
    criteria = proposal.challenge.criteria
    for stage in Score.Stage:
        scores = list(proposal.scores.filter(stage=stage).order_by("comment"))
        if not scores:
            continue
        means = [(c["name"], (sum(Decimal(s.marks[i]) for s in scores) / len(scores)).quantize(Decimal("0.1")))
                 for i, c in enumerate(criteria)]
        mean = (sum(s.total for s in scores) / len(scores)).quantize(Decimal("0.01"))
        out.append(Feedback(stage.label, len(scores), mean, means, [s.comment for s in scores]))
    return out


@dataclass(frozen=True)
class CallFigures:
    registrations: int
    withdrawn: int
    regions: list[tuple[str, int]]  # the lead and partner units' regions, most first
    trend: list[tuple[datetime.date, int]]  # proposals per day


def call_figures(challenge: Challenge) -> CallFigures:
    proposals = challenge.proposals.all()
    regions = Counter(Partner.objects.filter(proposal__challenge=challenge).exclude(
        proposal__status=Proposal.Status.WITHDRAWN).values_list("region__name", flat=True))
    trend = (proposals.annotate(day=TruncDate("created_at")).values("day").annotate(n=Count("pk")).order_by("day"))
    return CallFigures(proposals.exclude(status=Proposal.Status.WITHDRAWN).count(),
                       proposals.filter(status=Proposal.Status.WITHDRAWN).count(),
                       regions.most_common(), [(row["day"], row["n"]) for row in trend])


def pipeline() -> list[tuple[str, str, int]]:
    """Challenges by status (code, label, count), in the order of the process."""
    counts = dict(Challenge.objects.values_list("status").annotate(n=Count("pk")))
    return [(code, label, counts.get(code, 0)) for code, label in Challenge.Status.choices]


def ranking(challenge: Challenge, stage: str):
    return tally(challenge, stage, challenge.proposals.exclude(
        status__in=[Proposal.Status.WITHDRAWN, Proposal.Status.REFUSED, Proposal.Status.SUBMITTED]))


# --- What the indicators count --------------------------------------------------------------------------------

SOLVED, JOINT = "challenge-solved", "challenge-joint"


@dataclass(frozen=True)
class Counted:
    measure: str
    id: int  # the agreement's
    date: datetime.date
    name: str
    challenge_id: int

    @property
    def url(self) -> str:
        return reverse("challenges:detail", args=[self.challenge_id])


def _with_outside_partner():
    outside = Partner.objects.filter(proposal=OuterRef("proposal")).exclude(
        region__kind__in=["province", "prefecture"])
    return Agreement.objects.filter(Exists(outside)).select_related("proposal__challenge")


def solved(start: datetime.date | None, end: datetime.date) -> list[Counted]:
    """联合破解重大关键技术: accepted agreements of a team with an out-of-province partner, by acceptance date."""
    qs = _with_outside_partner().filter(status=Agreement.Status.ACCEPTED, accepted_on__lte=end)
    if start is not None:
        qs = qs.filter(accepted_on__gte=start)
    return [Counted(SOLVED, a.pk, a.accepted_on, a.proposal.challenge.title, a.proposal.challenge_id)
            for a in qs.order_by("accepted_on", "pk")]


def counted(end: datetime.date | None = None) -> list[Counted]:
    """Every record the two measures count (up to `end`), in date order, from one query: each agreement of a team
    with an out-of-province partner once as JOINT (by signing date) and, once accepted, as SOLVED (by acceptance
    date). `window` cuts it to what `solved` and `joint` return (the indicators dashboard reads it once per page)."""
    qs = _with_outside_partner()
    if end is not None:
        qs = qs.filter(signed_on__lte=end)
    out = []
    for pk, signed_on, status, accepted_on, title, challenge_id in qs.order_by().values_list(
            "pk", "signed_on", "status", "accepted_on", "proposal__challenge__title", "proposal__challenge_id"):
        out.append(Counted(JOINT, pk, signed_on, title, challenge_id))
        if status == Agreement.Status.ACCEPTED and accepted_on is not None and (end is None or accepted_on <= end):
            out.append(Counted(SOLVED, pk, accepted_on, title, challenge_id))
    return sorted(out, key=lambda item: (item.date, item.measure, item.id))


def window(records: list[Counted], measure: str, start: datetime.date | None, end: datetime.date) -> list[Counted]:
    """The records of one measure dated from `start` (None: from the beginning) to `end`, both included."""
    return [r for r in records if r.measure == measure and (start is None or r.date >= start) and r.date <= end]


def joint(start: datetime.date | None, end: datetime.date) -> list[Counted]:
    """Provincial projects carried out with an out-of-province partner: every signed agreement of a team with
    one, by signing date (the numerator of 省级科技计划项目与省外合作实施比例)."""
    qs = _with_outside_partner().filter(signed_on__lte=end)
    if start is not None:
        qs = qs.filter(signed_on__gte=start)
    return [Counted(JOINT, a.pk, a.signed_on, a.proposal.challenge.title, a.proposal.challenge_id)
            for a in qs.order_by("signed_on", "pk")]
