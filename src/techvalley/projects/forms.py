from django import forms
from django.utils.translation import gettext_lazy as _

from techvalley.core.forms import BilingualErrors
from techvalley.projects.models import BudgetLine, Project
from techvalley.projects.services import EDITABLE_FIELDS


class ProjectForm(BilingualErrors, forms.ModelForm):
    """What the department keeps up to date on the card between quarterly reports.

    Progress is not here: it changes through an approved report, or by hand with a reason.
    """

    reason = forms.CharField(label=_("reason for the change (kept in the history)"), max_length=300, required=False)

    class Meta:
        model = Project
        fields = list(EDITABLE_FIELDS)
        widgets = {"final_goal": forms.Textarea(attrs={"rows": 2}), "term_goal": forms.Textarea(attrs={"rows": 2})}


class OverrideForm(BilingualErrors, forms.Form):
    percent = forms.DecimalField(label=_("progress set by hand (%)"), min_value=0, max_value=100, required=False)
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


class BudgetLineForm(BilingualErrors, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["year", "source", "planned", "secured", "spent", "note"]


class SubprojectForm(BilingualErrors, forms.Form):
    title = forms.CharField(label=_("title (사업명)"), max_length=300)
    kind = forms.ChoiceField(label=_("kind"), choices=[c for c in Project.Kind.choices if c[0] != "pledge"])
    weight = forms.DecimalField(label=_("weight in the parent's progress"), min_value=0, initial=1)


class ReportForm(BilingualErrors, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("quarter"), coerce=int, choices=[(q, f"{q}/4") for q in (1, 2, 3, 4)])
    percent = forms.DecimalField(label=_("progress (%)"), min_value=0, max_value=100)
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AchievementForm(BilingualErrors, forms.Form):
    heading = forms.CharField(label=_("heading"), max_length=300, required=False)
    subheading = forms.CharField(label=_("sub-heading"), max_length=300, required=False)
    start = forms.CharField(label=_("from (YYYY-MM)"), required=False, widget=forms.DateInput(attrs={"type": "month"}))
    end = forms.CharField(label=_("to (YYYY-MM)"), required=False, widget=forms.DateInput(attrs={"type": "month"}))
    text = forms.CharField(label=_("achievement"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("text") and not data.get("start"):
            self.add_error("start", _("When did it happen (YYYY-MM)?"))
        return data


AchievementFormSet = forms.formset_factory(AchievementForm, extra=3)


class ReviewForm(BilingualErrors, forms.Form):
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class EvidenceForm(BilingualErrors, forms.Form):
    file = forms.FileField(label=_("evidence file"))
    name = forms.CharField(label=_("name"), max_length=200, required=False)


class CardUploadForm(BilingualErrors, forms.Form):
    file = forms.FileField(label=_("card (text layout; UTF-8 or CP949/EUC-KR)"))


class CommunicationSourceForm(BilingualErrors, forms.Form):
    """Where the card's 구민소통 counts come from."""

    source = forms.ChoiceField(
        label=_("resident communication shown"),
        choices=Project._meta.get_field("communication_source").choices,
    )
