"""Who may do what with challenges (docs/challenges.md, "Permissions").

- The department (省科技厅审核员, and staff) writes, approves and runs challenges and sees everything.
- An enterprise's verified members draft challenges for their organisation and see them before publication.
- Verified members of any organisation answer a published challenge; a proposal is seen by its team (the lead
  organisation's verified members), the experts drawn for its challenge and the department only (404 otherwise).
- Experts see only the proposals of the challenges they were drawn for, under their anonymous codes; teams never
  see who scored them.
- Everyone sees a published challenge, its answered clarifications and, once the notice is out, the result.
"""

import rules

from techmarket.accounts.roles import REVIEWERS
from techmarket.common.permissions import has_role, is_active, is_staff, is_verified_member

is_department = is_active & (has_role(REVIEWERS) | is_staff)


def _member_of(user, organisation_id) -> bool:
    return bool(organisation_id is not None and is_verified_member(user) and user.organisation_id == organisation_id)


def _challenge(obj):
    return getattr(obj, "challenge", obj)


@rules.predicate
def is_public(user, obj) -> bool:
    return obj is not None and _challenge(obj).is_public


@rules.predicate
def is_challenger(user, obj) -> bool:
    return obj is not None and _member_of(user, _challenge(obj).challenger_id)


@rules.predicate
def is_draft_of_challenger(user, challenge) -> bool:
    return (challenge is not None and challenge.status in (challenge.Status.DRAFT, challenge.Status.REJECTED)
            and _member_of(user, challenge.challenger_id))


@rules.predicate
def is_team(user, proposal) -> bool:
    return proposal is not None and _member_of(user, proposal.organisation_id)


def expert_of(user):
    if not is_active(user):
        return None
    return getattr(user, "expert_profile", None)


@rules.predicate
def is_assigned_expert(user, obj) -> bool:
    """Drawn for the challenge (of a proposal)."""
    expert = expert_of(user)
    challenge = _challenge(obj) if obj is not None else None
    if expert is None or challenge is None or challenge.panel_id is None:
        return False
    return challenge.panel.entries.filter(expert=expert, outcome="drawn").exists()


@rules.predicate
def is_result_public(user, challenge) -> bool:
    return challenge is not None and challenge.notice_id is not None


@rules.predicate
def accepts_proposals(user, challenge) -> bool:
    return challenge is not None and challenge.status == challenge.Status.PUBLISHED


rules.add_perm("challenges.manage", is_department)
rules.add_perm("challenges.create", is_verified_member | is_department)
rules.add_perm("challenges.edit", is_draft_of_challenger | is_department)
rules.add_perm("challenges.view", is_public | is_challenger | is_department)
rules.add_perm("challenges.ask", is_verified_member & is_public)
rules.add_perm("challenges.propose", is_verified_member & accepts_proposals)
rules.add_perm("challenges.view_proposal", is_team | is_assigned_expert | is_department)
rules.add_perm("challenges.view_team", is_team | is_department)  # who the team is: not for experts (anonymous)
rules.add_perm("challenges.act_for_team", is_team)
rules.add_perm("challenges.score", is_assigned_expert)
rules.add_perm("challenges.view_result", is_result_public | is_department)
rules.add_perm("challenges.view_pipeline", is_department)
