"""Admin of the expert pool: profiles (edits audited) and the assignments, read only, with their exclusions."""

from django.contrib import admin

from techmarket.common.admin import AuditedAdminMixin
from techmarket.experts.models import Assignment, AssignmentEntry, Expert


@admin.register(Expert)
class ExpertAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "title", "organisation", "region", "availability", "status")
    list_filter = ("status", "availability", "region")
    search_fields = ("name", "specialities", "organisation__name")
    autocomplete_fields = ("organisation", "conflict_organisations")
    filter_horizontal = ("fields",)
    raw_id_fields = ("user",)
    readonly_fields = ("verified_by", "verified_at", "created_at", "updated_at")


class EntryInline(admin.TabularInline):
    model = AssignmentEntry
    fields = ("expert", "outcome", "position", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("subject_label", "count", "seed", "assigned_by", "created_at")
    readonly_fields = ("content_type", "object_id", "subject_label", "field_codes", "count", "organisation_ids",
                       "organisation_names", "exclude_years", "since", "seed", "pool_ids", "assigned_by", "created_at")
    inlines = [EntryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
