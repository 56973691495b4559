from django import forms
from django.contrib import admin

from techvalley.registry.models import AddressRule, Company, Contact, ImportRun, Site


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


class AddressRuleForm(forms.ModelForm):
    """The same checks as ``techvalley registry rules add``: a real 시군구 and 법정동, and no rule
    of another complex claiming the same addresses."""

    class Meta:
        model = AddressRule
        fields = ["complex", "sido", "sigungu", "legal_dong", "address_contains", "note"]

    def clean(self):
        data = super().clean()
        from techvalley.core.validation import BadInput
        from techvalley.registry import services
        from techvalley.registry.rules import Rule

        try:
            clean = services._rule_values(data, "")
            if data.get("complex") is not None:
                mine = Rule(
                    data["complex"].pk, clean["sigungu"], clean["legal_dong"], clean["address_contains"], clean["sido"]
                )
                others = [r for r in services._stored_rules() if r.rule_id != self.instance.pk]
                services._check_conflicts([*others, mine])
        except BadInput as exc:
            raise forms.ValidationError(exc.message) from exc
        data.update(clean)
        return data


@admin.register(AddressRule)
class AddressRuleAdmin(admin.ModelAdmin):
    form = AddressRuleForm
    list_display = ("complex", "sido", "sigungu", "legal_dong", "address_contains", "note")
    list_filter = ("complex", "sigungu")
    search_fields = ("sigungu", "legal_dong", "address_contains", "note")
