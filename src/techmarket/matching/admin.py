from django.contrib import admin

from techmarket.matching.models import CooperationIntent, IntentEvent

# --- Targeted publishing (定向发布): cooperation intents and their history --------------------------


class IntentEventInline(admin.TabularInline):
    model = IntentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["type", "from_status", "to_status", "actor", "actor_label", "note", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CooperationIntent)
class CooperationIntentAdmin(admin.ModelAdmin):
    list_display = ["listing", "organisation", "status", "sent_at", "responded_at", "reminder_count"]
    list_filter = ["status"]
    search_fields = ["listing__reference", "listing__title", "organisation__name"]
    raw_id_fields = ["listing", "organisation", "sent_by", "responded_by"]
    readonly_fields = ["fit_score", "fit_reasons", "sent_at", "responded_at", "last_reminded_at", "reminder_count"]
    inlines = [IntentEventInline]


@admin.register(IntentEvent)
class IntentEventAdmin(admin.ModelAdmin):
    list_display = ["intent", "type", "from_status", "to_status", "actor", "actor_label", "at"]
    list_filter = ["type"]
    raw_id_fields = ["intent", "actor"]

# --- End of targeted publishing -------------------------------------------------------------------
