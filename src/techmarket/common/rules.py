"""Public notices (公示): any active user may object; staff and provincial reviewers resolve objections."""

import rules

from techmarket.accounts.roles import REVIEWERS
from techmarket.common.permissions import has_role, is_active, is_staff, is_superuser

rules.add_perm("common.object_to_notice", is_active)
rules.add_perm("common.resolve_objection", is_active & (is_staff | is_superuser | has_role(REVIEWERS)))
