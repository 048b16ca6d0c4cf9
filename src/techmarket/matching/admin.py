from django.contrib import admin

from techmarket.common.admin import AuditEntryInline
from techmarket.matching.models import CooperationIntent

# --- Targeted publishing (定向发布): cooperation intents and their history --------------------------


@admin.register(CooperationIntent)
class CooperationIntentAdmin(admin.ModelAdmin):
    list_display = ["listing", "organisation", "status", "sent_at", "responded_at", "reminder_count"]
    list_filter = ["status"]
    search_fields = ["listing__reference", "listing__title", "organisation__name"]
    raw_id_fields = ["listing", "organisation", "sent_by", "responded_by"]
    readonly_fields = ["fit_score", "fit_reasons", "sent_at", "responded_at", "last_reminded_at", "reminder_count"]
    inlines = [AuditEntryInline]


# --- End of targeted publishing -------------------------------------------------------------------
