from django.contrib import admin

from techmarket.common.admin import AuditedAdminMixin
from techmarket.directory.models import Organisation, OrganisationAlias, Person, Region


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
