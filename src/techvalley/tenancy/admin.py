from django.contrib import admin

from techvalley.tenancy.models import (
    Campaign,
    Centre,
    FollowUp,
    Lead,
    Lease,
    Owner,
    Roundtable,
    RoundtableIssue,
    RuleVersion,
    Tenant,
    Unit,
)


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ["number", "floor", "area_m2", "use", "status", "monthly_rent_won", "owner", "is_estimate"]


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name", "complex", "location", "gross_floor_area_m2", "floors_above", "published", "is_estimate"]
    list_filter = ["complex", "location", "published"]
    search_fields = ["name", "slug", "address"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["__str__", "floor", "area_m2", "use", "status"]
    list_filter = ["centre", "use", "status"]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "ksic", "ksic_revision", "venture", "company"]
    search_fields = ["name", "ksic"]
    raw_id_fields = ["company"]


@admin.register(Lease)
class LeaseAdmin(admin.ModelAdmin):
    list_display = ["tenant", "unit", "use", "start", "end"]
    list_filter = ["use"]
    raw_id_fields = ["unit", "tenant"]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["company_name", "stage", "ksic", "campaign", "owner", "created_at", "retain_until"]
    list_filter = ["stage", "campaign"]
    search_fields = ["company_name"]
    raw_id_fields = ["unit", "tenant", "centre"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "cost_won", "start", "end", "tracking_code"]


class IssueInline(admin.TabularInline):
    model = RoundtableIssue
    extra = 0


@admin.register(Roundtable)
class RoundtableAdmin(admin.ModelAdmin):
    list_display = ["title", "held_on", "campaign"]
    inlines = [IssueInline]


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "statute_as_of", "active", "created_by", "created_at"]
    readonly_fields = ["document"]


admin.site.register(Owner)
admin.site.register(FollowUp)
