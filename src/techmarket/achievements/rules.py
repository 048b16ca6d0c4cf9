"""Who may do what with achievements (docs/achievements.md, "Permissions").

- Everyone sees an achievement's public part: title, type, IP number and status, owner, TRL, field, summary, the
  completed evaluation's result and the agreed-price notices.
- The confidential part (保密内容, completers' shares, evaluators' comments, the report PDF, the suggested price)
  is seen by the owning unit's verified members, the experts drawn for (or the institution asked to do) one of
  its evaluations, and the department's reviewers.
- The owner's verified members edit the record, publish an offer, request evaluations, publish price notices and
  link contracts; the department draws panels; the drawn experts (or the institution's members) score.
- A reporting unit's verified members submit its annual report; the supervisor's verified members review and
  forward it; the department sees every report.
"""

import rules

from techmarket.accounts.roles import REVIEWERS
from techmarket.common.permissions import has_role, is_active, is_staff, is_verified_member

is_department = is_active & (has_role(REVIEWERS) | is_staff)


def _member_of(user, organisation_id) -> bool:
    return bool(organisation_id is not None and is_verified_member(user) and user.organisation_id == organisation_id)


def _achievement(obj):
    return getattr(obj, "achievement", obj)


@rules.predicate
def is_owner(user, obj) -> bool:
    return obj is not None and _member_of(user, _achievement(obj).owner_id)


def expert_of(user):
    if not is_active(user):
        return None
    return getattr(user, "expert_profile", None)


def is_evaluator_of(user, evaluation) -> bool:
    """Drawn for the evaluation's panel, or a verified member of the institution asked to evaluate."""
    if evaluation.mode == evaluation.Mode.INSTITUTION:
        return _member_of(user, evaluation.institution_id)
    expert = expert_of(user)
    if expert is None or evaluation.panel_id is None:
        return False
    return evaluation.panel.entries.filter(expert=expert, outcome="drawn").exists()


@rules.predicate
def is_evaluator(user, obj) -> bool:
    if obj is None:
        return False
    if hasattr(obj, "evaluations"):  # an achievement: an evaluator of any of its evaluations
        return any(is_evaluator_of(user, e) for e in obj.evaluations.select_related("panel"))
    return is_evaluator_of(user, obj)


@rules.predicate
def is_scoring(user, evaluation) -> bool:
    return evaluation is not None and evaluation.status == evaluation.Status.SCORING


rules.add_perm("achievements.create", is_verified_member)
rules.add_perm("achievements.edit", is_owner)
rules.add_perm("achievements.view_confidential", is_owner | is_evaluator | is_department)
rules.add_perm("achievements.manage", is_department)
rules.add_perm("achievements.score", is_evaluator & is_scoring)
