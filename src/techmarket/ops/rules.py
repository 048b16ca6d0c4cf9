"""Who may export the audit log (操作记录): superusers and staff granted the right to view it."""

import rules

from techmarket.common.permissions import has_django_perm, is_staff, is_superuser

rules.add_perm("ops.export_audit", is_superuser | (is_staff & has_django_perm("common.view_auditentry")))
