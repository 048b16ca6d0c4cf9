"""Admin: registries and their staff are edited here; deals, contracts and registrations are shown read-mostly
(their changes go through the services, which keep the history)."""

from django.contrib import admin

from techmarket.common.admin import AuditedAdminMixin, AuditEntryInline
from techmarket.market.models import (
    Agreement,
    Attachment,
    Contract,
    ContractParty,
    ContractPayment,
    Inquiry,
    Message,
    Milestone,
    Registration,
    Registry,
    RegistryStaff,
)


@admin.register(Registry)
class RegistryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region_code", "number_code", "is_provincial", "active"]
    readonly_fields = ["code", "number_code"]


@admin.register(RegistryStaff)
class RegistryStaffAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "registry", "since"]
    list_filter = ["registry"]
    autocomplete_fields = ["user"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    readonly_fields = ["author", "organisation", "body", "created_at"]


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0
    fields = ["contract_type", "amount", "terms", "status", "proposed_by", "answered_by", "answered_at"]
    readonly_fields = fields


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ["id", "subject", "organisation", "counterpart", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["subject", "organisation__name", "counterpart__name", "listing__reference"]
    readonly_fields = ["listing", "organisation", "counterpart", "opened_by", "created_at", "updated_at"]
    inlines = [MessageInline, AgreementInline, AuditEntryInline]


class PartyInline(admin.TabularInline):
    model = ContractParty
    extra = 0
    autocomplete_fields = ["organisation"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class PaymentInline(admin.TabularInline):
    """Payments received, shown only: they are recorded and withdrawn (never deleted) on the contract page, which
    checks the bounds and keeps the history (services.payments)."""

    model = ContractPayment
    extra = 0
    fields = ["received_on", "amount", "evidence", "organisation", "recorded_by", "created_at", "withdrawn_at",
              "withdrawal_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "contract_type", "signed_on", "total_amount", "technology_amount",
                    "made_on_platform"]
    list_filter = ["contract_type", "made_on_platform"]
    search_fields = ["title", "parties__organisation__name"]
    readonly_fields = ["inquiry", "agreement", "made_on_platform", "created_by", "created_at", "updated_at"]
    filter_horizontal = ["listings"]
    inlines = [PartyInline, MilestoneInline, PaymentInline, AuditEntryInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "content_type", "size", "organisation", "created_at", "withdrawn_at"]
    list_filter = ["kind", "content_type", ("withdrawn_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["sha256", "size", "content_type", "extension", "uploaded_by", "organisation", "created_at",
                       "withdrawn_at", "withdrawn_by", "replaced_by"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Decisions are taken on the registry's pages (they keep the history and enforce the rules): the admin
    shows registrations without letting their status be edited."""

    list_display = ["id", "number", "contract", "registry", "status", "received_on", "due_on", "registered_on"]
    list_filter = ["status", "registry", "external"]
    search_fields = ["number", "external_number", "contract__title", "organisation__name"]
    inlines = [AuditEntryInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
