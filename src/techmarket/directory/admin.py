from django.contrib import admin

from techmarket.common.admin import AuditedAdminMixin
from techmarket.directory.models import Organisation, OrganisationAlias, Person, Region, RegionReviewer


class AliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Edits leave a line in the audit log (操作记录); 历史 opens the organisation's."""

    list_display = ["name", "kind", "region", "credit_code"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "aliases__name", "credit_code"]
    inlines = [AliasInline]


@admin.register(Person)
class PersonAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Edits leave a line in the audit log (操作记录); 历史 opens the person's."""

    list_display = ["name", "phones", "emails"]
    search_fields = ["name"]
    filter_horizontal = ["organisations"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "aid_partner"]


@admin.register(RegionReviewer)
class RegionReviewerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Granting a prefecture's review (市州审核员) leaves a line in the audit log (操作记录)."""

    list_display = ["user", "region", "assigned_at"]
    list_filter = ["region"]
    autocomplete_fields = ["user"]
