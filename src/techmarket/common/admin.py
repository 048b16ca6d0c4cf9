from django.contrib import admin

from techmarket.common.models import Notice, Notification, NotificationPreference, Objection


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "topic", "created_at", "read_at"]
    list_filter = ["topic"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "topic", "email"]
    list_filter = ["topic", "email"]
    raw_id_fields = ["user"]


class ObjectionInline(admin.TabularInline):
    model = Objection
    extra = 0
    fields = ["filed_by", "filed_at", "text", "status", "resolution", "resolved_by", "resolved_at"]
    readonly_fields = fields  # resolved on the notice's page, through the service, on the record
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "opens_on", "closes_on", "period_days"]
    list_filter = ["kind"]
    search_fields = ["title"]
    readonly_fields = ["content_type", "object_id", "opens_on", "period_days", "closes_on", "published_by",
                       "published_at"]
    inlines = [ObjectionInline]

    def has_add_permission(self, request):
        return False  # published by the services that own the object
