from django.contrib import admin

from techvalley.registry.models import Company, Contact, ImportRun, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "legal_dong", "ksic_code", "tech_intensity", "employees", "in_registry")
    list_filter = ("complex", "tech_intensity", "ksic_status", "in_registry", "legal_dong")
    search_fields = ("name", "industry_name", "address", "brn")
    raw_id_fields = ("organisation",)
    inlines = [SiteInline, ContactInline]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "filename", "fmt", "complex", "actor_label")
    readonly_fields = [f.name for f in ImportRun._meta.fields]
