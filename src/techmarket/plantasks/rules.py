"""Task tracking: provincial reviewers run the dispatch (assign users to task units, read every report, make the
dispatch report); a user assigned to a task's unit reports for it and reads its reports."""

import rules

from techmarket.accounts.roles import REVIEWERS
from techmarket.common.permissions import has_role, is_active


@rules.predicate
def is_unit_member(user, unit) -> bool:
    return bool(unit is not None and is_active(user) and unit.memberships.filter(user=user).exists())


@rules.predicate
def is_report_unit_member(user, report) -> bool:
    return bool(report is not None and is_unit_member(user, report.unit))


@rules.predicate
def reports_for_a_unit(user) -> bool:
    return bool(is_active(user) and user.plan_task_memberships.exists())


is_dispatcher = has_role(REVIEWERS)

rules.add_perm("plantasks.manage", is_dispatcher)
rules.add_perm("plantasks.view", is_dispatcher | reports_for_a_unit)
rules.add_perm("plantasks.report", is_unit_member)
rules.add_perm("plantasks.view_report", is_dispatcher | is_report_unit_member)
