"""Rules, programmes and budgets are data (data/policy) and the ledger is append only: the admin shows them
read only. Applications are decided in the reviewer pages, where every decision is recorded."""

from django.contrib import admin

from techmarket.common.admin import AuditEntryInline
from techmarket.policy.models import Application, Budget, LedgerEntry, Programme, Rule


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BudgetInline(admin.TabularInline):
    model = Budget
    fields = ("year", "amount", "source")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "payer")
    inlines = [BudgetInline]


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin):
    list_display = ("rule_id", "title", "document_number", "article", "valid_from", "valid_until", "programme",
                    "version", "short_hash", "active")
    list_filter = ("active", "document_number", "programme")
    search_fields = ("rule_id", "title", "excerpt", "document_title")

    @admin.display(description="内容哈希")
    def short_hash(self, obj):
        return obj.content_hash[:12]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "organisation", "title", "status", "computed_total", "decided_total", "submitted_at")
    list_filter = ("status",)
    search_fields = ("title", "organisation__name")
    inlines = [AuditEntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("year", "programme", "rule", "beneficiary_name", "amount", "kind", "application", "created_at")
    list_filter = ("kind", "year", "programme")
    search_fields = ("beneficiary_name", "rule__rule_id")
