"""Reviewer assignment: the one place where experts are drawn for a review (challenges' proposals, achievement
evaluations, any other review). See docs/experts.md, "Assignment".

`assign(subject, field_codes, count, organisation_ids=…, exclude_years=3, seed=None, assigned_by=…)` draws
`count` experts who are verified, available today and work in one of the fields, leaving out every expert with a
conflict of interest with a party (`organisation_ids`, the applicants):

- the same organisation as a party ("与申报单位同属青海大学");
- a declared relationship: the party is among the expert's declared organisations, or its name (or an alias) is
  written in the expert's other relationships ("申报声明的利益关系：…");
- a technology contract recorded on the platform between the expert's organisation and a party, signed in the
  last `exclude_years` years ("近3年与申报单位有技术合同：…"; asked of the market through
  market.services.relations.contract_partners, never its tables).

The draw is `random.Random(seed).sample(pool, count)` over the eligible experts' ids in ascending order; the
assignment records the seed, that pool, the experts drawn and every excluded expert with the reasons, and one
line of the audit log, so anyone can redo and check the draw. Too few eligible experts: NotEnoughExperts, and
nothing is recorded.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from techmarket.catalogue.models import Field
from techmarket.common import audit
from techmarket.common.permissions import require
from techmarket.directory.models import Organisation
from techmarket.experts.errors import ExpertInputError, NotEnoughExperts
from techmarket.experts.models import Assignment, AssignmentEntry, Expert
from techmarket.market.services.relations import contract_partners

ASSIGN = "assign"
ACTION_LABELS = {ASSIGN: "抽取评审专家"}
MAX_COUNT = 50
MAX_EXCLUDE_YEARS = 20

SAME_ORGANISATION, DECLARED, CONTRACT = "same-organisation", "declared", "contract"
REASON_LABELS = {SAME_ORGANISATION: "同单位", DECLARED: "申报声明的利益关系", CONTRACT: "近年技术合同"}

NOT_ASSIGNER = "只有省科技厅审核员可以抽取评审专家。"


@dataclass
class Candidate:
    expert: Expert
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (kind, Chinese reason)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def matching_fields(field_codes: Iterable[str]) -> set[int]:
    """The ids of the fields an expert may hold to review in `field_codes`: each field itself, its areas (an area's
    expert counts for its field) and, for an area, its field (a field's expert covers its areas)."""
    codes = [c for c in dict.fromkeys(field_codes) if c]
    if not codes:
        raise ExpertInputError("请指定评审所属的专业领域。")
    fields = list(Field.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {f.code for f in fields})
    if unknown:
        raise ExpertInputError(f"专业领域不存在：{'、'.join(unknown)}。")
    ids = {f.pk for f in fields} | {f.parent_id for f in fields if f.parent_id}
    ids |= set(Field.objects.filter(parent__in=[f.pk for f in fields]).values_list("pk", flat=True))
    return ids


def candidates(field_codes: Iterable[str], today: datetime.date) -> list[Expert]:
    """Verified experts available on `today` in the fields, in ascending id order."""
    ids = matching_fields(field_codes)
    qs = (Expert.objects.filter(status=Expert.Status.VERIFIED, fields__in=ids)
          .filter(Q(availability=Expert.Availability.AVAILABLE)
                  | Q(availability=Expert.Availability.BUSY, busy_until__lt=today))
          .distinct().select_related("organisation").prefetch_related("conflict_organisations").order_by("pk"))
    return list(qs)


def _names(organisations: list[Organisation]) -> dict[int, list[str]]:
    names = {o.pk: [o.name] for o in organisations}
    for organisation in organisations:
        names[organisation.pk] += [a.name for a in organisation.aliases.all() if a.name]
    return names


def conflicts(experts: list[Expert], organisation_ids: Iterable[int], exclude_years: int,
              today: datetime.date) -> list[Candidate]:
    """Each expert with the reasons (possibly none) they must stay out of a review of these parties."""
    parties = list(Organisation.objects.filter(pk__in=set(organisation_ids)).prefetch_related("aliases")
                   .order_by("name"))
    names = _names(parties)
    since = years_before(today, exclude_years)
    partners = {party.pk: contract_partners([party.pk], since) for party in parties} if exclude_years else {}
    out = []
    for expert in experts:
        candidate = Candidate(expert)
        declared = {o.pk for o in expert.conflict_organisations.all()}
        for party in parties:
            if expert.organisation_id == party.pk:
                candidate.reasons.append((SAME_ORGANISATION, f"与申报单位同属{party.name}"))
            if party.pk in declared or any(n and n in expert.conflict_notes for n in names[party.pk]):
                candidate.reasons.append((DECLARED, f"申报声明的利益关系：{party.name}"))
            if expert.organisation_id and expert.organisation_id in partners.get(party.pk, ()):
                candidate.reasons.append(
                    (CONTRACT, f"近{exclude_years}年与申报单位有技术合同：{expert.organisation.name}与{party.name}"))
        out.append(candidate)
    return out


def draw(pool_ids: list[int], count: int, seed: int) -> list[int]:
    """The draw itself, reproducible: the same pool and seed give the same experts in the same order."""
    return random.Random(seed).sample(sorted(pool_ids), count)


def assign(subject: Model, field_codes: Iterable[str], count: int, *, organisation_ids: Iterable[int] = (),
           exclude_years: int = 3, seed: int | None = None, assigned_by=None,
           today: datetime.date | None = None) -> Assignment:
    """Draw `count` reviewers for `subject` (any saved model instance) and record the draw (module docstring).
    `assigned_by` is the user drawing (a reviewer); None for a draw the system makes on a caller's behalf."""
    if assigned_by is not None:
        require(assigned_by, "experts.assign", message=NOT_ASSIGNER)
    if subject is None or subject.pk is None:
        raise ExpertInputError("评审对象不存在。")
    if not (1 <= count <= MAX_COUNT):
        raise ExpertInputError(f"抽取人数须在 1 到 {MAX_COUNT} 之间。")
    if not (0 <= exclude_years <= MAX_EXCLUDE_YEARS):
        raise ExpertInputError(f"合同回避年限须在 0 到 {MAX_EXCLUDE_YEARS} 年之间。")
    today = today or timezone.localdate()
    field_codes = [c for c in dict.fromkeys(field_codes) if c]
    organisation_ids = sorted({int(i) for i in organisation_ids})
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    with transaction.atomic():
        judged = conflicts(candidates(field_codes, today), organisation_ids, exclude_years, today)
        eligible = [c.expert.pk for c in judged if not c.reasons]
        excluded = [c for c in judged if c.reasons]
        if len(eligible) < count:
            raise NotEnoughExperts(
                f"符合条件的专家只有 {len(eligible)} 位（另有 {len(excluded)} 位因利益关系回避），"
                f"不足所需的 {count} 位。请减少抽取人数、放宽专业领域，或先补充专家库。")
        drawn = draw(eligible, count, seed)
        parties = dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name"))
        assignment = Assignment.objects.create(
            content_type=ContentType.objects.get_for_model(subject.__class__), object_id=subject.pk,
            subject_label=audit.label_of(subject)[:300], field_codes=field_codes, count=count,
            organisation_ids=organisation_ids, organisation_names=[parties.get(i, "") for i in organisation_ids],
            exclude_years=exclude_years, since=years_before(today, exclude_years), seed=seed,
            pool_ids=sorted(eligible), assigned_by=assigned_by)
        entries = [AssignmentEntry(assignment=assignment, expert_id=pk, outcome=AssignmentEntry.Outcome.DRAWN,
                                   position=i) for i, pk in enumerate(drawn, 1)]
        entries += [AssignmentEntry(assignment=assignment, expert=c.expert, outcome=AssignmentEntry.Outcome.EXCLUDED,
                                    reason_kinds=list(dict.fromkeys(k for k, _ in c.reasons)),
                                    reason="；".join(dict.fromkeys(t for _, t in c.reasons))[:1000])
                    for c in excluded]
        AssignmentEntry.objects.bulk_create(entries)
        audit.log_action(assignment, ASSIGN, assigned_by, actor_label="" if assigned_by else "system",
                         to_value=f"{count} 位专家", data={
                             "subject": assignment.subject_label, "fields": field_codes, "seed": seed,
                             "organisations": organisation_ids, "drawn": drawn,
                             "excluded": {str(c.expert.pk): [k for k, _ in c.reasons] for c in excluded}})
    return assignment


def reproduce(assignment: Assignment) -> list[int]:
    """The experts the recorded seed and pool give: equal to the assignment's drawn experts."""
    return draw(assignment.pool_ids, assignment.count, assignment.seed)


def for_subject(subject: Model):
    """The assignments recorded for a subject, newest first."""
    return Assignment.objects.filter(content_type=ContentType.objects.get_for_model(subject.__class__),
                                     object_id=subject.pk)
