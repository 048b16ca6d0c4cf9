from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from techmarket.accounts.models import User


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "organisation", "claimed_organisation_name", "is_verified", "is_staff"]
    list_filter = ["is_verified", "is_staff", "groups"]
    autocomplete_fields = ["organisation"]
    fieldsets = UserAdmin.fieldsets + (
        ("平台信息", {"fields": ("display_name", "phone", "organisation", "claimed_organisation_name", "is_verified")}),
    )
    actions = ["mark_verified"]

    @admin.action(description="标记为已核验")
    def mark_verified(self, request, queryset):
        queryset.update(is_verified=True)
