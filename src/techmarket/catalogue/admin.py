from django.contrib import admin

from techmarket.catalogue.models import (
    CooperationMode,
    Field,
    ImportRun,
    Listing,
    ListingAttachment,
    ListingContact,
    ListingOrganisation,
    SourceDocument,
)
from techmarket.catalogue.services.listings import number_q
from techmarket.common.admin import AuditEntryInline


class ListingOrganisationInline(admin.TabularInline):
    model = ListingOrganisation
    extra = 0
    autocomplete_fields = ["organisation"]


class ListingContactInline(admin.TabularInline):
    model = ListingContact
    extra = 0
    autocomplete_fields = ["person"]


class ListingAttachmentInline(admin.TabularInline):
    """Files come in through the member's form (checked by common.uploads); staff may only remove one."""

    model = ListingAttachment
    extra = 0
    fields = readonly_fields = ["name", "content_type", "size", "uploaded_by", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["number", "reference", "title", "kind", "field", "grade", "status", "valid_until"]
    list_filter = ["kind", "status", "grade", "field__parent", "source_section"]
    search_fields = ["reference", "title", "description", "organisations_raw"]
    filter_horizontal = ["modes"]
    readonly_fields = ["number", "field_auto", "grade_basis", "created_at", "updated_at", "published_at"]
    inlines = [ListingOrganisationInline, ListingContactInline, ListingAttachmentInline, AuditEntryInline]

    @admin.display(description="编号（公开）", ordering="pk")
    def number(self, obj):
        return obj.number

    def get_search_results(self, request, queryset, search_term):
        """Also the listing whose number (XQ-2025-0012) was typed."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return results | queryset.filter(number_q(search_term)), may_have_duplicates


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "strategic"]
    list_filter = ["parent"]


admin.site.register(CooperationMode)
admin.site.register(SourceDocument)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["file_name", "file_format", "started_at", "actor_label"]
    readonly_fields = ["file_name", "file_format", "sha256", "report", "actor_label"]
