from django import forms
from django.utils.translation import gettext_lazy as _

from techvalley.core.forms import BilingualErrors
from techvalley.registry.models import CERTIFICATIONS, Company


class ProfileForm(BilingualErrors, forms.ModelForm):
    """What a company's manager keeps up to date about the company."""

    certifications = forms.MultipleChoiceField(
        label=_("certifications"),
        choices=list(CERTIFICATIONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Company
        fields = [
            "representative",
            "brn",
            "corporate_no",
            "employees",
            "founded_on",
            "revenue_million_krw",
            "main_products",
            "status",
            "rd_centre",
            "certifications",
            "smart_factory_level",
        ]
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"})}


class IndustryForm(BilingualErrors, forms.Form):
    code = forms.CharField(label=_("KSIC code"), max_length=6)
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


class ImportForm(BilingualErrors, forms.Form):
    file = forms.FileField(label=_("registry file (CSV, JSON or Excel)"))
    dry_run = forms.BooleanField(label=_("dry run: show what would change"), required=False, initial=True)
    skip_invalid = forms.BooleanField(label=_("skip invalid rows"), required=False)
    partial = forms.BooleanField(
        label=_("partial file: companies missing from it are not marked as gone"), required=False
    )
    allow_removals = forms.BooleanField(
        label=_("I have checked the list: these companies really left the registry"), required=False
    )


class AddressRuleForm(BilingualErrors, forms.Form):
    """A rule of the current complex: which registry rows (by address) belong to it."""

    sido = forms.CharField(label=_("province or city (시도)"), max_length=20, required=False)
    sigungu = forms.CharField(label=_("district (시군구)"), max_length=50)
    legal_dong = forms.CharField(label=_("legal dong (법정동)"), max_length=50, required=False)
    address_contains = forms.CharField(label=_("address contains"), max_length=100, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class ContactForm(BilingualErrors, forms.Form):
    """A contact person (담당자) and the consent that allows keeping them: what is collected, for
    what, how long, and — when an officer records it for the company — how consent was obtained."""

    name = forms.CharField(label=_("name"), max_length=100)
    position = forms.CharField(label=_("position"), max_length=100, required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)
    retention_days = forms.TypedChoiceField(
        label=_("kept for"),
        coerce=int,
        choices=[(365, _("1 year")), (730, _("2 years")), (1095, _("3 years"))],
        initial=1095,
    )
    note = forms.CharField(
        label=_("how consent was obtained"),
        max_length=300,
        required=False,
        help_text=_("When, how and by whom (required when an officer records it for the company)."),
    )
    agreed = forms.BooleanField(
        label=_(
            "The person agreed that the complex's support bodies keep their name, position, phone and e-mail "
            "to contact the company about support, for the period above, and may withdraw at any time."
        ),
        required=True,
    )
