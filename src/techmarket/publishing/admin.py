"""Admin of information publishing and events: categories are edited here; articles, events and their records are
shown (edits audited), while their flow (review, withdrawal, sign-up decisions) goes through the services' pages,
which keep the audit log's who/when/why."""

from django.contrib import admin

from techmarket.common.admin import AuditedAdminMixin
from techmarket.publishing.models import Article, Attachment, Category, Event, Meeting, Outcome, SignUp


@admin.register(Category)
class CategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "position")
    search_fields = ("name", "code")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = ("name", "content_type", "size", "sha256", "uploaded_by", "created_at")


@admin.register(Article)
class ArticleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "category", "status", "publish_at", "author")
    list_filter = ("kind", "status", "category")
    search_fields = ("title", "summary")
    readonly_fields = ("status", "author", "submitted_at", "reviewed_by", "reviewed_at", "review_note", "publish_at",
                       "withdrawn_by", "withdrawn_at", "withdrawal_reason", "created_at", "updated_at")
    inlines = [AttachmentInline]


class SignUpInline(ReadOnlyInline):
    model = SignUp
    fields = readonly_fields = ("user", "organisation", "status", "decided_by", "decided_at", "checked_in_at")


class OutcomeInline(ReadOnlyInline):
    model = Outcome
    fields = readonly_fields = ("kind", "listing", "organisation", "intent", "inquiry", "agreement", "recorded_by")


@admin.register(Event)
class EventAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "organiser", "starts_at", "capacity", "status")
    list_filter = ("kind", "status")
    search_fields = ("title", "organiser__name")
    autocomplete_fields = ("organiser",)
    raw_id_fields = ("listings",)
    readonly_fields = ("status", "cancel_reason", "created_by", "created_at", "updated_at")
    inlines = [SignUpInline, OutcomeInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("event", "starts_at", "requester", "invitee", "status")
    list_filter = ("status",)
    readonly_fields = ("event", "requester", "invitee", "starts_at", "topic", "listing", "status", "created_at",
                       "ended_at")

    def has_add_permission(self, request):
        return False
