"""Staff views of the ecosystem's registers; edits are audited (common.admin.AuditedAdminMixin). Decisions
(approval, sanctions) are taken on the site's pages, where the services check the rules."""

from django.contrib import admin

from techmarket.common.admin import AuditedAdminMixin
from techmarket.ecosystem.models import Broker, Complaint, Institution, Sanction


@admin.register(Institution)
class InstitutionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "status", "filed_on", "days_late", "approved_on"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "organisation__name"]
    readonly_fields = ["status", "unmet", "days_late", "filed_on", "approved_on", "closed_on"]
    raw_id_fields = ["organisation", "created_by"]


@admin.register(Broker)
class BrokerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "institution"]
    search_fields = ["name", "organisation__name"]
    raw_id_fields = ["organisation", "institution", "created_by"]


@admin.register(Complaint)
class ComplaintAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "target", "target_label", "behaviour", "status", "created_at"]
    list_filter = ["status", "target"]
    readonly_fields = ["status", "outcome", "decided_by", "decided_at", "reporter"]


@admin.register(Sanction)
class SanctionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["target_label", "kind", "starts_on", "ends_on", "article"]
    list_filter = ["kind", "target"]
    readonly_fields = ["decided_by", "complaint"]
