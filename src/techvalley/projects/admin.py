from django.contrib import admin

from techvalley.projects.models import (
    Achievement,
    BudgetLine,
    CardVersion,
    Field,
    FuturePlan,
    ProgressReport,
    Project,
    YearTarget,
)


class YearTargetInline(admin.TabularInline):
    model = YearTarget
    extra = 0


class AchievementInline(admin.TabularInline):
    model = Achievement
    extra = 0
    fields = ("heading", "subheading", "start", "end", "text", "order")


class FuturePlanInline(admin.TabularInline):
    model = FuturePlan
    extra = 0


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("management_no", "title", "kind", "status", "actual_percent", "department_name")
    list_filter = ("complex", "kind", "status")
    search_fields = ("management_no", "title")
    raw_id_fields = ("parent",)
    # Progress changes through approved reports or ``set_progress_override`` (with a reason and a
    # card version); publication through the card page — never by editing the row here.
    readonly_fields = ("actual_percent", "progress_override", "override_reason", "public")
    inlines = [YearTargetInline, AchievementInline, FuturePlanInline, BudgetLineInline]


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ("project", "year", "quarter", "state", "percent")
    list_filter = ("state", "year")


admin.site.register(Field)
admin.site.register(CardVersion)
