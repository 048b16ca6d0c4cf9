"""Counts of events: per event (sign-ups by status, check-ins, meetings, outcomes by kind) and per year (events by
type, attendance, meetings and outcomes), from the records themselves (docs/publishing.md, "Statistics")."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from techmarket.publishing.models import Event, Meeting, Outcome, SignUp


@dataclass
class EventStatistics:
    capacity: int
    signups: int  # pending and approved
    pending: int
    approved: int
    rejected: int
    withdrawn: int
    checked_in: int
    organisations: int  # attending (approved) organisations
    meetings: int  # booked one-to-one meetings
    outcomes: dict[str, int] = field(default_factory=dict)  # by kind code
    outcome_labels: list[tuple[str, int]] = field(default_factory=list)  # (Chinese label, count)

    @property
    def check_in_rate(self) -> int:
        """Checked-in attendees as a percentage of the approved ones."""
        return round(100 * self.checked_in / self.approved) if self.approved else 0


def _outcomes(qs) -> tuple[dict[str, int], list[tuple[str, int]]]:
    counts = {row["kind"]: row["n"] for row in qs.values("kind").annotate(n=Count("id"))}
    return ({kind: counts.get(kind, 0) for kind in Outcome.Kind.values},
            [(label, counts.get(kind, 0)) for kind, label in Outcome.Kind.choices])


def for_event(event: Event) -> EventStatistics:
    row = SignUp.objects.filter(event=event).aggregate(
        pending=Count("id", filter=Q(status=SignUp.Status.PENDING)),
        approved=Count("id", filter=Q(status=SignUp.Status.APPROVED)),
        rejected=Count("id", filter=Q(status=SignUp.Status.REJECTED)),
        withdrawn=Count("id", filter=Q(status=SignUp.Status.WITHDRAWN)),
        checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        organisations=Count("organisation", filter=Q(status=SignUp.Status.APPROVED), distinct=True))
    outcomes, labels = _outcomes(Outcome.objects.filter(event=event))
    return EventStatistics(
        capacity=event.capacity, signups=row["pending"] + row["approved"], **row,
        meetings=Meeting.objects.filter(event=event, status=Meeting.Status.BOOKED).count(),
        outcomes=outcomes, outcome_labels=labels)


@dataclass
class YearStatistics:
    year: int
    events: int
    by_kind: list[tuple[str, int]]  # (Chinese label, count)
    approved: int
    checked_in: int
    meetings: int
    outcomes: dict[str, int]
    outcome_labels: list[tuple[str, int]]
    rows: list[tuple[Event, EventStatistics]]


def for_year(year: int) -> YearStatistics:
    """The year's events (not drafts, not cancelled), by their start."""
    events = list(Event.objects.filter(starts_at__year=year, status=Event.Status.PUBLISHED)
                  .select_related("organiser").order_by("starts_at", "id"))
    kinds = {row["kind"]: row["n"] for row in Event.objects.filter(pk__in=[e.pk for e in events])
             .values("kind").annotate(n=Count("id"))}
    rows = [(event, for_event(event)) for event in events]
    outcomes, labels = _outcomes(Outcome.objects.filter(event__in=events))
    return YearStatistics(
        year=year, events=len(events), by_kind=[(label, kinds.get(kind, 0)) for kind, label in Event.Kind.choices],
        approved=sum(s.approved for _, s in rows), checked_in=sum(s.checked_in for _, s in rows),
        meetings=sum(s.meetings for _, s in rows), outcomes=outcomes, outcome_labels=labels, rows=rows)


def years() -> list[int]:
    """The years that have published events, newest first."""
    return sorted({d.year for d in Event.objects.filter(status=Event.Status.PUBLISHED)
                   .dates("starts_at", "year")}, reverse=True)
