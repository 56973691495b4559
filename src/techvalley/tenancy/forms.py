"""Forms of the tenancy pages: the public self-check and inquiry, and the officers' forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from techvalley.core.forms import BilingualErrors
from techvalley.core.validation import BadInput, phone_number
from techvalley.tenancy import services
from techvalley.tenancy.models import Campaign, Centre, Channel, Lease, Roundtable, Stage, Unit


class SelfCheckForm(BilingualErrors, forms.Form):
    ksic = forms.CharField(label=_("Industry code (KSIC)"), max_length=10, help_text=_("e.g. 62010, 29171, 56221"))
    revision = forms.TypedChoiceField(
        label=_("KSIC revision"), choices=[(11, _("11th (2024)")), (10, _("10th (2017)"))], coerce=int, initial=11
    )
    venture = forms.BooleanField(label=_("Venture company (벤처기업확인)"), required=False)
    use = forms.ChoiceField(label=_("Use"), choices=Lease.Use.choices, initial="tenant")
    area_m2 = forms.DecimalField(label=_("Area (m²)"), min_value=1, max_value=1_000_000, decimal_places=2)
    centre = forms.ChoiceField(label=_("Centre"))

    def __init__(self, *args, centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [(c.slug, c.name) for c in centres]

    def clean(self):
        data = super().clean()
        code = (data.get("ksic") or "").strip().upper()
        if code and data.get("revision") in (10, 11):
            data["ksic"] = code
            if problem := services.ksic_problem(code, data["revision"]):
                self.add_error("ksic", problem)
        return data


class InquiryForm(BilingualErrors, forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=200)
    contact_name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    ksic = forms.CharField(label=_("Industry code (KSIC)"), max_length=10, required=False)
    venture = forms.BooleanField(label=_("Venture company"), required=False)
    use = forms.ChoiceField(label=_("Use"), choices=Lease.Use.choices, initial="tenant")
    area_min_m2 = forms.DecimalField(label=_("Area from (m²)"), required=False, min_value=1, max_value=1_000_000)
    area_max_m2 = forms.DecimalField(label=_("Area up to (m²)"), required=False, min_value=1, max_value=1_000_000)
    budget_monthly_won = forms.IntegerField(label=_("Monthly budget (KRW)"), required=False, min_value=0)
    centre = forms.ChoiceField(label=_("Centre of interest"), required=False)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    c = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    consent = forms.BooleanField(label=_("I agree to the collection and use of my personal data as described above."))

    def __init__(self, *args, centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [("", "—")] + [(c.slug, c.name) for c in centres]

    def clean_phone(self):
        try:
            return phone_number(self.cleaned_data.get("phone"), "phone")
        except BadInput as exc:
            raise forms.ValidationError(exc.message, code="invalid") from None

    def clean(self):
        """Every check at once, so that the person sees all that is wrong in one go."""
        data = super().clean()
        if (
            not data.get("phone")
            and not data.get("email")
            and not self.has_error("phone")
            and not self.has_error("email")
        ):
            self.add_error(
                "phone",
                "전화번호나 이메일 중 하나는 적어 주세요. / Give a phone number or an email address.",
            )
        code = (data.get("ksic") or "").strip().upper()
        if code:
            data["ksic"] = code
            if problem := services.ksic_problem(code, 11):
                self.add_error("ksic", problem)
        low, high = data.get("area_min_m2"), data.get("area_max_m2")
        if low is not None and high is not None and low > high:
            self.add_error("area_min_m2", services.AREA_ORDER_MESSAGE)
        return data


class StageForm(BilingualErrors, forms.Form):
    stage = forms.ChoiceField(label=_("Next stage"), choices=Stage.choices)
    lost_reason = forms.CharField(label=_("Why lost"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FollowUpForm(BilingualErrors, forms.Form):
    title = forms.CharField(label=_("What to do"), max_length=300)
    due = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CampaignForm(BilingualErrors, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "channel", "cost_won", "start", "end", "tracking_code", "description", "public"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
            "channel": forms.Select(choices=Channel.choices),
        }


class RoundtableForm(BilingualErrors, forms.ModelForm):
    class Meta:
        model = Roundtable
        fields = ["title", "held_on", "place", "campaign", "attendees", "summary", "public"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, complex=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(complex=complex)


class IssueForm(BilingualErrors, forms.Form):
    text = forms.CharField(label=_("Issue raised"), max_length=500)
    raised_by = forms.CharField(label=_("Raised by"), max_length=200, required=False)
    follow_up = forms.CharField(label=_("Follow-up action"), max_length=300, required=False)
    due = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RuleVersionForm(BilingualErrors, forms.Form):
    version = forms.CharField(label=_("Version"), max_length=40)
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)
    document = forms.CharField(label=_("Rule data (JSON)"), widget=forms.Textarea(attrs={"rows": 24, "class": "mono"}))
    activate = forms.BooleanField(label=_("Make it the version in force"), required=False)


class CentreForm(BilingualErrors, forms.ModelForm):
    class Meta:
        model = Centre
        fields = [
            "slug",
            "name",
            "address",
            "location",
            "industrial_zoning",
            "gross_floor_area_m2",
            "building_area_m2",
            "floors_above",
            "floors_below",
            "completed_year",
            "developer",
            "management_body",
            "daycare_capacity",
            "daycare_public",
            "description",
            "source_note",
            "is_estimate",
            "published",
            "lat",
            "lon",
            "location_is_estimate",
        ]


class UnitForm(BilingualErrors, forms.ModelForm):
    class Meta:
        model = Unit
        fields = [
            "number",
            "floor",
            "area_m2",
            "use",
            "status",
            "sale_price_won",
            "monthly_rent_won",
            "deposit_won",
            "vacant_since",
            "is_estimate",
        ]
        widgets = {"vacant_since": forms.DateInput(attrs={"type": "date"})}


class MoveInForm(BilingualErrors, forms.Form):
    tenant_name = forms.CharField(label=_("Tenant"), max_length=200)
    company = forms.CharField(
        label=_("Company in the registry"),
        max_length=200,
        required=False,
        help_text=_("Its number or exact name: the company's members then see this lease on their pages."),
    )
    ksic = forms.CharField(label=_("Industry code (KSIC)"), max_length=10)
    ksic_revision = forms.TypedChoiceField(
        label=_("KSIC revision"), choices=[(11, _("11th (2024)")), (10, _("10th (2017)"))], coerce=int, initial=11
    )
    venture = forms.BooleanField(label=_("Venture company"), required=False)
    use = forms.ChoiceField(label=_("Use"), choices=Lease.Use.choices, initial="tenant")
    kind = forms.ChoiceField(label=_("Kind"), choices=Lease.Kind.choices, initial="rent")
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    monthly_rent_won = forms.IntegerField(label=_("Monthly rent (KRW)"), required=False, min_value=0)


class MoveOutForm(BilingualErrors, forms.Form):
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Why it ended"), max_length=200, required=False)
