from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from techmarket.accounts.models import User, VerificationRequest
from techmarket.common import audit
from techmarket.common.admin import AuditedAdminMixin


@admin.register(User)
class PlatformUserAdmin(AuditedAdminMixin, UserAdmin):
    """Every edit, verification and role grant made here is in the audit log (操作记录); 历史 opens the user's."""

    list_display = ["username", "display_name", "email", "email_confirmed", "organisation",
                    "claimed_organisation_name", "is_verified", "is_staff"]
    list_filter = ["is_verified", "is_staff", "groups"]
    readonly_fields = ["email_confirmed_at"]
    autocomplete_fields = ["organisation"]
    fieldsets = UserAdmin.fieldsets + (
        ("平台信息", {"fields": ("display_name", "phone", "email_confirmed_at", "organisation",
                                 "claimed_organisation_name", "is_verified")}),
    )
    actions = ["mark_verified"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "is_verified" in form.changed_data:
            audit.log_action(obj, "verify" if obj.is_verified else "unverify", request.user,
                             from_value="是" if not obj.is_verified else "否",
                             to_value="是" if obj.is_verified else "否")

    @admin.display(description="邮箱已确认", boolean=True)
    def email_confirmed(self, obj):
        return obj.email_confirmed

    @admin.action(description="标记为已核验")
    def mark_verified(self, request, queryset):
        """One update, and one line in the audit log per user it verifies."""
        with transaction.atomic():
            users = list(queryset.select_for_update().filter(is_verified=False))
            User.objects.filter(pk__in=[user.pk for user in users]).update(is_verified=True)
            for user in users:
                audit.log_action(user, "verify", request.user, from_value="否", to_value="是", reason="后台批量核验")


@admin.register(VerificationRequest)
class VerificationRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are made by members (单位与核验) and decided in the verification queue (用户核验),
    which writes the audit log and notifies the member."""

    list_display = ["user", "kind", "name", "credit_code", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", "kind"]
    search_fields = ["user__username", "user__display_name", "name", "credit_code"]
    readonly_fields = [field.name for field in VerificationRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
