from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from techmarket.common import audit
from techmarket.common.models import AuditEntry, Notice, Notification, NotificationPreference, Objection


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


class AuditEntryInline(GenericTabularInline):
    """An object's lines of the audit log, read-only, on its admin page (the history that page showed before)."""

    model = AuditEntry
    extra = 0
    can_delete = False
    fields = ["at", "action_label", "from_value", "to_value", "who", "reason", "data"]
    readonly_fields = fields
    ordering = ["at", "id"]
    verbose_name = verbose_name_plural = "操作记录"

    @admin.display(description="操作")
    def action_label(self, entry):
        return entry.action_label

    @admin.display(description="操作人")
    def who(self, entry):
        return entry.who

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """操作记录: the one audit log, read-only, for staff; filter by who, what kind of object and which action, or
    open one object's history with ?content_type__id__exact=…&object_id=…"""

    list_display = ["at", "content_type", "target_label", "action_label", "change", "who", "reason"]
    list_filter = [("actor", admin.RelatedOnlyFieldListFilter), ("content_type", admin.RelatedOnlyFieldListFilter),
                   "action", "actor_label"]
    search_fields = ["target_label", "actor__username", "reason", "action"]
    date_hierarchy = "at"
    list_select_related = ["actor", "content_type"]
    fields = ["at", "content_type", "object_id", "target_label", "action", "action_label", "from_value", "to_value",
              "actor", "actor_label", "reason", "data"]
    readonly_fields = fields

    @admin.display(description="操作", ordering="action")
    def action_label(self, entry):
        return entry.action_label

    @admin.display(description="变更")
    def change(self, entry):
        if not (entry.from_value or entry.to_value):
            return ""
        return f"{entry.from_label} → {entry.to_label}" if entry.from_value else entry.to_label

    @admin.display(description="操作人", ordering="actor")
    def who(self, entry):
        return entry.who

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _shown(value) -> str:
    if value is None:
        return ""
    return str(value)


class AuditedAdminMixin:
    """Edits made in the admin leave a line in the audit log: creation, every change (the fields and their old and
    new values, in `data`) and deletion, by the staff member. Signals set off while saving (group membership) are
    attributed to the same person (audit.acting). The page's 历史 (history) link opens the object's lines of the
    log."""

    def history_view(self, request, object_id, extra_context=None):
        if not str(object_id).isdigit():
            raise Http404
        content_type = ContentType.objects.get_for_model(self.model)
        return redirect(f"{reverse('admin:common_auditentry_changelist')}"
                        f"?content_type__id__exact={content_type.pk}&object_id={int(object_id)}")

    def save_model(self, request, obj, form, change):
        before = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk else None
        with audit.acting(request.user):
            super().save_model(request, obj, form, change)
        changes = {}
        for name in form.changed_data:
            try:
                field = obj._meta.get_field(name)
            except Exception:  # a form-only field
                continue
            if field.many_to_many or not field.concrete:
                continue
            old = getattr(before, name) if before is not None else None
            changes[name] = [_shown(old), _shown(getattr(obj, name))]
        if change and not changes:
            return
        labels = "、".join(str(obj._meta.get_field(name).verbose_name) for name in changes)
        audit.log_action(obj, "change" if change else "create", request.user,
                         reason=f"后台{'修改' if change else '新建'}{'：' + labels if labels else ''}",
                         data={"changes": changes} if changes else {})

    def save_related(self, request, form, formsets, change):
        with audit.acting(request.user):
            super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        audit.log_action(obj, "delete", request.user, reason="后台删除")
        with audit.acting(request.user):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.log_action(obj, "delete", request.user, reason="后台删除")
        with audit.acting(request.user):
            super().delete_queryset(request, queryset)
