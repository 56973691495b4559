from django.contrib import admin

from techvalley.green.models import IngestLog, Measure, Meter, ReductionTarget


@admin.register(Meter)
class MeterAdmin(admin.ModelAdmin):
    list_display = ("meter_id", "company", "kind", "unit", "resolution")
    list_filter = ("complex", "kind", "resolution")
    search_fields = ("meter_id", "company__name")
    raw_id_fields = ("company", "site")


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("company", "kind", "status", "cost_krw", "expected_kwh_per_year", "live_from")
    list_filter = ("kind", "status")
    raw_id_fields = ("company",)


admin.site.register(ReductionTarget)
admin.site.register(IngestLog)
