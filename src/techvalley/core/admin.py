from django.contrib import admin

from techvalley.core.models import ApiToken, AuditEntry, Complex, Membership, Organisation


@admin.register(Complex)
class ComplexAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "sigungu", "area_km2")
    prepopulated_fields = {"slug": ("name_en",)}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "complex")
    list_filter = ("kind", "complex")
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created", "last_used")
    readonly_fields = ("key", "created", "last_used")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "model", "object_repr")
    list_filter = ("action", "model")
    search_fields = ("object_repr", "actor_label")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
