"""Forms of the operators' pages: support centres, rooms and equipment with their rules,
closures, qualifications, courses and sessions.

The forms check the types (a number, a date, a choice); the services check the rules and the
permissions (``services.save_centre`` …) and answer ``BadInput``, which the view puts on the
field it names. Labels come from the models' verbose names (Korean in the catalogue).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from techvalley.core.forms import BilingualErrors
from techvalley.facilities.models import Centre, Closure, Course, CourseSession, Resource

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "step": 300}, format="%Y-%m-%dT%H:%M")
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})


class ModelFieldsForm(BilingualErrors, forms.Form):
    """A plain form with fields made from a model's (its labels, lengths and choices); it does not
    save: the view hands ``cleaned_data`` to the service."""

    model = None
    field_names: tuple[str, ...] = ()
    widgets: dict = {}

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(instance)
        super().__init__(*args, **kwargs)
        made = fields_for_model(self.model, fields=self.field_names, widgets=self.widgets)
        self.fields = {**made, **self.fields}
        self.order_fields([*self.field_names, *self.declared_fields])
        self.use_bilingual_errors()

    def initial_for(self, instance) -> dict:
        return model_to_dict(instance, fields=self.field_names)


class CentreForm(ModelFieldsForm):
    model = Centre
    field_names = (
        "name",
        "operator",
        "address",
        "floors",
        "area_m2",
        "office_rooms",
        "email",
        "description",
        "source_note",
        "latitude",
        "longitude",
        "location_estimated",
    )
    widgets = {"description": TEXT, "source_note": TEXT}

    def __init__(self, *args, organisations=None, may_choose_operator=True, **kwargs):
        super().__init__(*args, **kwargs)
        if may_choose_operator and organisations is not None:
            self.fields["operator"].queryset = organisations
        else:
            del self.fields["operator"]
        self.fields["latitude"].help_text = _("WGS84 decimal degrees, e.g. 35.0830")
        self.fields["longitude"].help_text = _("WGS84 decimal degrees, e.g. 128.9720")


class ResourceForm(ModelFieldsForm):
    model = Resource
    field_names = (
        "kind",
        "name",
        "floor",
        "capacity",
        "area_m2",
        "description",
        "consumables",
        "operator_required",
        "active",
        "estimated",
        "open_weekends",
        "open_holidays",
        "slot_minutes",
        "min_minutes",
        "max_minutes",
        "horizon_days",
        "lead_hours",
        "max_per_day",
        "max_per_month",
        "max_future",
        "approval_required",
        "qualification_required",
        "fee_tenant",
        "fee_university",
        "fee_outside",
        "cancel_hours",
        "strike_limit",
        "offer_hours",
    )
    widgets = {"description": TEXT}
    opens_at = forms.TimeField(label=_("Opens at"), widget=TIME, initial=dt.time(9))
    closes_at = forms.TimeField(
        label=_("Closes at"),
        widget=TIME,
        initial=dt.time(18),
        help_text=_("00:00 means midnight (open until the end of the day)."),
    )
    specs_text = forms.CharField(
        label=_("Specifications"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: name: value (e.g. 측정 범위: 700×1000×600 mm)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        order = list(self.field_names)
        order[order.index("open_weekends") : order.index("open_weekends")] = ["opens_at", "closes_at"]
        order.insert(order.index("operator_required"), "specs_text")
        self.order_fields(order)

    def initial_for(self, instance) -> dict:
        data = super().initial_for(instance)
        data["opens_at"] = instance.opens_at
        data["closes_at"] = dt.time() if instance.closes_minute >= 1440 else instance.closes_at
        specs = instance.specs if isinstance(instance.specs, dict) else {}
        data["specs_text"] = "\n".join(f"{k}: {v}" for k, v in specs.items())
        return data

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens is not None:
            data["opens_minute"] = opens.hour * 60 + opens.minute
        if closes is not None:
            data["closes_minute"] = closes.hour * 60 + closes.minute or 1440
        specs = {}
        for n, line in enumerate((data.get("specs_text") or "").splitlines(), 1):
            if not line.strip():
                continue
            key, sep, value = line.partition(":")
            if not sep or not key.strip():
                self.add_error("specs_text", _("Line %(n)d: write name: value.") % {"n": n})
                continue
            specs[key.strip()] = value.strip()
        data["specs"] = specs
        return data


class ClosureForm(ModelFieldsForm):
    model = Closure
    field_names = ("resource", "first_day", "last_day", "reason")
    widgets = {"first_day": DATE, "last_day": DATE}

    def __init__(self, *args, centre=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(centre=centre)
        self.fields["resource"].empty_label = _("the whole centre")


class QualificationForm(BilingualErrors, forms.Form):
    person = forms.CharField(
        label=_("Person (user name or e-mail)"), max_length=254, help_text=_("They must have an account.")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CourseForm(ModelFieldsForm):
    model = Course
    field_names = (
        "title",
        "centre",
        "description",
        "audience",
        "capacity",
        "fee_krw",
        "instructors",
        "partner",
        "qualifies_for",
        "pass_share",
        "published",
        "estimated",
    )
    widgets = {"description": TEXT}

    def __init__(self, *args, centres=None, equipment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres if centres is not None else Centre.objects.none()
        self.fields["qualifies_for"].queryset = equipment if equipment is not None else Resource.objects.none()
        self.fields["pass_share"].help_text = _("Share of the course's hours to attend, 0.1–1 (0.8 = 80%).")


class SessionForm(ModelFieldsForm):
    model = CourseSession
    field_names = ("start", "end", "topic", "room")
    widgets = {"start": DATETIME, "end": DATETIME}

    def __init__(self, *args, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms if rooms is not None else Resource.objects.none()
        for name in ("start", "end"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]

    def initial_for(self, instance) -> dict:
        from django.utils import timezone

        data = super().initial_for(instance)
        for name in ("start", "end"):
            data[name] = timezone.localtime(getattr(instance, name)).replace(tzinfo=None)
        return data
