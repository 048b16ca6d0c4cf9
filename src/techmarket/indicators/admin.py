from django.contrib import admin

from techmarket.indicators.models import Indicator, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "plan_name", "target_value", "target_year", "computed_by"]
    list_filter = ["plan_name", "computed_by"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period_key", "value", "source", "status", "entered_by", "approved_by"]
    list_filter = ["source", "status"]
    readonly_fields = ["evidence_sha256"]
