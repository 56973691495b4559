"""Forms of the cooperation pages that change joint programmes, their budget, KPIs and partners,
expertise consent and the expertise import. The forms only shape the input; every rule is in
``collaboration.services`` (a ``BadInput`` there becomes a message on the form's field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from techvalley.collaboration.models import (
    BudgetSource,
    NeedKind,
    NeedUrgency,
    PartnerKind,
    ProgrammeStatus,
)
from techvalley.core.forms import BilingualErrors

DATE = {"type": "date"}


class ProgrammeForm(BilingualErrors, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    funder = forms.CharField(label=_("Funder"), max_length=200, required=False, help_text=_("e.g. 교육부, 부산광역시"))
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=forms.DateInput(attrs=DATE))
    status = forms.ChoiceField(label=_("Status"), choices=ProgrammeStatus.choices, initial=ProgrammeStatus.SELECTED)
    agreement = forms.TypedChoiceField(label=_("Agreement"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    source = forms.CharField(label=_("Source of the figures"), max_length=300, required=False)
    is_public = forms.BooleanField(label=_("Public"), required=False, initial=True)
    estimated = forms.BooleanField(label=_("Figures are estimates"), required=False)

    def __init__(self, *args, agreements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [("", "—")] + [(a.pk, str(a)) for a in agreements]


class BudgetLineForm(BilingualErrors, forms.Form):
    source = forms.ChoiceField(label=_("Source of funds"), choices=BudgetSource.choices)
    year = forms.CharField(label=_("Year"), max_length=4, required=False, widget=forms.TextInput(attrs={"size": 5}))
    amount_krw = forms.CharField(
        label=_("Amount (KRW)"), max_length=40, help_text=_("Digits or Korean units: 350000000, 3억 5천만")
    )
    executed_krw = forms.CharField(label=_("Spent so far (KRW)"), max_length=40, required=False)


class KpiForm(BilingualErrors, forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False, widget=forms.TextInput(attrs={"size": 6}))
    target = forms.CharField(label=_("Target"), max_length=20, widget=forms.TextInput(attrs={"size": 8}))
    result = forms.CharField(
        label=_("Actual"), max_length=20, required=False, widget=forms.TextInput(attrs={"size": 8})
    )


class ParticipantForm(BilingualErrors, forms.Form):
    name = forms.CharField(label=_("Partner"), max_length=200, help_text=_("An existing partner's name, or a new one"))
    kind = forms.ChoiceField(label=_("Kind of partner"), choices=PartnerKind.choices, initial=PartnerKind.UNIVERSITY)


class PartnerForm(BilingualErrors, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of partner"), choices=PartnerKind.choices)
    company = forms.CharField(
        label=_("Company in the registry"),
        max_length=200,
        required=False,
        help_text=_("For a company partner: its exact name in the company registry (its transition record shows it)"),
    )
    note = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NeedForm(BilingualErrors, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NeedKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Description"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In your own words: the problem, the process, the material, what you tried."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=NeedUrgency.choices, initial=NeedUrgency.NORMAL)
    needed_by = forms.DateField(label=_("Wanted by"), required=False, widget=forms.DateInput(attrs=DATE))
    budget_krw = forms.CharField(
        label=_("Budget the company can put in (KRW)"),
        max_length=40,
        required=False,
        help_text=_("Optional: digits or Korean units (5천만)"),
    )
