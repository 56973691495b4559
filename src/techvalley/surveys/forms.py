"""Forms of the officers' pages (the answer form is built from the questions, see ``views.respond``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techvalley.core.forms import BilingualErrors
from techvalley.core.validation import BadInput
from techvalley.surveys import questions as q
from techvalley.surveys.models import CandidateStatus, CommunicationKind, QuestionType
from techvalley.surveys.survey_templates import TEMPLATES

TEMPLATE_CHOICES = [
    ("demand", _("Innovation-plan demand survey (혁신계획 수립 수요조사)")),
    ("satisfaction", _("Briefing satisfaction survey")),
    ("blank", _("Blank")),
]
assert {k for k, _label in TEMPLATE_CHOICES} == set(TEMPLATES)


class SurveyForm(BilingualErrors, forms.Form):
    slug = forms.SlugField(label=_("Short name (letters, digits, -)"), max_length=80)
    template = forms.ChoiceField(label=_("Start from"), choices=TEMPLATE_CHOICES)
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("Anonymous: store answers without the company"), required=False)
    opens_on = forms.DateField(label=_("Opens"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class SurveySettingsForm(BilingualErrors, forms.Form):
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description_ko = forms.CharField(
        label=_("Introduction (Korean)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_en = forms.CharField(
        label=_("Introduction (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    opens_on = forms.DateField(label=_("Opens"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    anonymous = forms.BooleanField(label=_("Anonymous: store answers without the company"), required=False)


def parse_items(text: str, field: str) -> list[dict]:
    """Choices or rows typed one a line as ``value = 한국어 = English`` (value alone is allowed)."""
    items = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("=")]
        value = parts[0]
        if not value:
            raise BadInput(f"{field}: {n}번째 줄에 코드가 없습니다. / line {n} has no value.", field=field)
        items.append(
            {"value": value, "ko": parts[1] if len(parts) > 1 else value, "en": parts[2] if len(parts) > 2 else ""}
        )
    return items


def items_text(items) -> str:
    return "\n".join(
        " = ".join(x for x in (i["value"], i.get("ko", ""), i.get("en", "")) if x is not None) for i in items or []
    )


class QuestionForm(BilingualErrors, forms.Form):
    code = forms.CharField(label=_("Code (column name)"), max_length=40)
    type = forms.ChoiceField(label=_("Type"), choices=QuestionType.choices)
    label_ko = forms.CharField(label=_("Question (Korean)"), max_length=300)
    label_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False)
    help_ko = forms.CharField(label=_("Help (Korean)"), max_length=300, required=False)
    help_en = forms.CharField(label=_("Help (English)"), max_length=300, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    section = forms.TypedChoiceField(label=_("Section"), coerce=int, required=False)
    choices = forms.CharField(
        label=_("Choices, one a line: code = 한국어 = English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    rows = forms.CharField(
        label=_("Matrix rows, one a line: code = 한국어 = English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minimum = forms.FloatField(label=_("Minimum (scale, number)"), required=False)
    maximum = forms.FloatField(label=_("Maximum (scale, number)"), required=False)
    max_choices = forms.IntegerField(label=_("At most this many choices"), required=False, min_value=1, max_value=50)
    rank_count = forms.IntegerField(label=_("Items to rank"), required=False, min_value=1, max_value=50)
    cond_question = forms.CharField(label=_("Show only if question (code)"), max_length=40, required=False)
    cond_op = forms.ChoiceField(
        label=_("Condition"),
        required=False,
        choices=[
            ("equals", _("equals")),
            ("not_equals", _("does not equal")),
            ("in", _("is one of")),
            ("not_in", _("is none of")),
            ("contains", _("includes")),
            ("gte", _("at least")),
            ("lte", _("at most")),
            ("answered", _("was answered")),
        ],
    )
    cond_value = forms.CharField(label=_("Value (several: separated by ;)"), max_length=200, required=False)

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.title_ko) for s in sections]

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        config = {}
        if d["type"] in (q.SCALE, q.NUMBER):
            if d.get("minimum") is not None:
                config["min"] = int(d["minimum"]) if d["type"] == q.SCALE else d["minimum"]
            if d.get("maximum") is not None:
                config["max"] = int(d["maximum"]) if d["type"] == q.SCALE else d["maximum"]
        if d.get("max_choices"):
            config["max_choices"] = d["max_choices"]
        if d.get("rank_count"):
            config["rank_count"] = d["rank_count"]
        condition = None
        if d.get("cond_question"):
            value = d.get("cond_value", "")
            op = d.get("cond_op") or "equals"
            if op in ("in", "not_in"):
                value = [v.strip() for v in value.split(";") if v.strip()]
            elif op in ("gte", "lte"):
                try:
                    value = float(value)
                except ValueError:
                    raise BadInput("cond_value: 숫자가 필요합니다. / a number is needed.", field="cond_value") from None
            condition = {"question": d["cond_question"].strip(), "op": op, "value": value}
        return {
            "code": d["code"],
            "type": d["type"],
            "label_ko": d["label_ko"],
            "label_en": d.get("label_en", ""),
            "help_ko": d.get("help_ko", ""),
            "help_en": d.get("help_en", ""),
            "required": d.get("required", False),
            "choices": parse_items(d.get("choices", ""), "choices"),
            "rows": parse_items(d.get("rows", ""), "rows"),
            "config": config,
            "condition": condition,
        }

    @classmethod
    def initial_for(cls, question) -> dict:
        cond = question.condition or {}
        value = cond.get("value", "")
        return {
            "code": question.code,
            "type": question.type,
            "label_ko": question.label_ko,
            "label_en": question.label_en,
            "help_ko": question.help_ko,
            "help_en": question.help_en,
            "required": question.required,
            "section": question.section_id,
            "choices": items_text(question.choices),
            "rows": items_text(question.rows),
            "minimum": question.config.get("min"),
            "maximum": question.config.get("max"),
            "max_choices": question.config.get("max_choices"),
            "rank_count": question.config.get("rank_count"),
            "cond_question": cond.get("question", ""),
            "cond_op": cond.get("op", "equals"),
            "cond_value": ";".join(map(str, value)) if isinstance(value, list) else value,
        }


class ImportForm(BilingualErrors, forms.Form):
    file = forms.FileField(label=_("CSV (UTF-8 or CP949) or Excel (.xlsx)"))
    dry_run = forms.BooleanField(label=_("Check only (change nothing)"), required=False)


class CandidateForm(BilingualErrors, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    estimated_companies = forms.IntegerField(label=_("Estimated demand (companies)"), min_value=0, max_value=10**6)
    estimated_cost_million_krw = forms.IntegerField(
        label=_("Estimated cost (million KRW)"), min_value=0, max_value=10**12, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=CandidateStatus.choices)


class PromoteForm(BilingualErrors, forms.Form):
    """Promote a candidate to a plan sub-project: the plan heading it goes under (a pledge or a
    sub-project, listed by plan tracking's linkable type), its title, description and budget."""

    parent = forms.TypedChoiceField(label=_("Under the plan heading"), coerce=int, choices=())
    title = forms.CharField(label=_("Sub-project title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    budget_million_krw = forms.IntegerField(
        label=_("Budget (million KRW)"), min_value=0, max_value=10**12, required=False
    )

    def __init__(self, *args, headings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = list(headings)


class CommunicationForm(BilingualErrors, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommunicationKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    attendees = forms.IntegerField(
        label=pgettext_lazy("number of people", "Attendees"), min_value=0, max_value=1_000_000, required=False
    )
    attendees_note = forms.CharField(label=_("Who attended"), max_length=300, required=False)
    materials = forms.CharField(
        label=_("Materials (one a line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=_("May be shown publicly"), required=False, initial=True)
