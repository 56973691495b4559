from django.contrib import admin

from techvalley.facilities.models import (
    Booking,
    Centre,
    Closure,
    Course,
    CourseSession,
    Enrolment,
    Invoice,
    OutboxMessage,
    Qualification,
    Resource,
    WaitlistEntry,
)


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ("name", "operator", "floors", "area_m2", "office_rooms")
    list_filter = ("complex",)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "centre", "kind", "floor", "approval_required", "qualification_required", "active")
    list_filter = ("centre", "kind", "active", "estimated")
    search_fields = ("name",)
    readonly_fields = ("ical_token",)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change through the services (rules, the no-overlap guarantee, audit)."""

    list_display = ("resource", "start", "end", "organisation", "status", "fee_krw", "late_cancel", "no_show")
    list_filter = ("status", "resource__centre", "no_show", "late_cancel")
    date_hierarchy = "start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "centre", "audience", "capacity", "published", "estimated")
    list_filter = ("published", "audience")


@admin.register(OutboxMessage)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("to", "subject", "created_at", "sent_at", "attempts", "error")
    list_filter = ("sent_at",)


admin.site.register(Closure)
admin.site.register(Qualification, raw_id_fields=("user",))
admin.site.register(Invoice)
admin.site.register(WaitlistEntry)
admin.site.register(CourseSession)
admin.site.register(Enrolment)
