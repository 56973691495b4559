"""Every app's page forms answer in Korean and English (core.forms.BilingualErrors), including
fields a form adds after Django built it (facilities' model-made fields)."""

import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

from techvalley.core.forms import BilingualErrors


def page_forms():
    """The forms of every app's forms and views modules (a few forms live beside their views);
    the admin's are Django's own pages."""
    import pkgutil

    import techvalley

    for info in pkgutil.walk_packages(techvalley.__path__, "techvalley."):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf not in ("forms", "views") and not leaf.endswith("_views"):
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield f"{info.name}.{name}", cls


@pytest.mark.parametrize(("name", "cls"), list(page_forms()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_page_form_gives_bilingual_errors(name, cls):
    assert issubclass(cls, BilingualErrors), f"{name} does not mix in core.forms.BilingualErrors"


@pytest.mark.django_db
def test_fields_made_after_the_form_was_built_get_the_messages_too():
    from techvalley.facilities.forms import CentreForm

    with translation.override("ko"):
        form = CentreForm(data={})
        assert not form.is_valid()
    made = set(CentreForm.field_names) & set(form.errors)
    assert made, "no model-made field was required: the test checks nothing"
    for field in made:
        assert form.errors[field] == ["필수 항목입니다. / This field is required."], (field, form.errors[field])
