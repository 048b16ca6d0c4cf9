"""Indicators: reviewers enter values with evidence and a second reviewer approves them; the contracts behind a
computed figure are shown to reviewers and registration administrators."""

import rules

from techmarket.common.permissions import has_django_perm

can_enter = has_django_perm("indicators.enter_value")
can_approve = has_django_perm("indicators.approve_value")

rules.add_perm("indicators.enter", can_enter)
rules.add_perm("indicators.approve", can_approve)
rules.add_perm("indicators.handle_values", can_enter | can_approve)
rules.add_perm("indicators.see_records", can_enter | has_django_perm("market.oversee_registrations"))
