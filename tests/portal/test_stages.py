"""The stage rule on hand-made companies, and the complex's counts from every app's signals."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from techvalley.core import spine
from techvalley.core.models import AuditEntry
from techvalley.portal import stages
from techvalley.registry import services
from techvalley.registry.models import Company
from tests.factories import CompanyFactory
from tests.portal.conftest import registered


def sig(**values):
    return {k: spine.CompanySignal(k, k, v) for k, v in values.items()}


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        ({}, "traditional"),
        ({"tech_level": "high"}, "traditional"),  # a high-tech industry alone is not a transition
        ({"tech_level": "low", "smart_factory_level": 1}, "digitalising"),
        ({"tech_level": "low", "training_hours": 12.5}, "digitalising"),
        ({"tech_level": "low", "equipment_hours": 3}, "digitalising"),
        ({"tech_level": "low", "collaborations": 1}, "digitalising"),
        ({"tech_level": "low", "smart_factory_level": 3}, "innovating"),
        ({"tech_level": "low", "rnd_centre": True}, "innovating"),
        ({"tech_level": "medium_low", "certifications": 2}, "innovating"),
        ({"tech_level": "low", "collaboration_outcomes": 1}, "innovating"),
        ({"tech_level": "medium_high", "rnd_centre": True}, "high_tech"),
        ({"tech_level": "knowledge_services", "certifications": 1}, "high_tech"),
        ({"tech_level": "knowledge", "collaboration_outcomes": 2}, "high_tech"),
        ({"tech_level": "high", "smart_factory_level": 4}, "innovating"),  # no research of its own
        ({"tech_level": "high", "rnd_centre": False, "certifications": 0}, "traditional"),
        ({"tech_level": "low", "training_hours": None, "smart_factory_level": "?"}, "traditional"),
    ],
)
def test_stage_rule(signals, expected):
    assert stages.stage_of(sig(**signals)).key == expected


def test_every_stage_states_its_rule():
    assert [s.key for s in stages.STAGES] == ["high_tech", "innovating", "digitalising", "traditional"]
    assert all(len(str(s.rule)) > 20 for s in stages.STAGES)


@pytest.mark.django_db
def test_counts_read_the_registry_and_another_apps_signals_in_bulk(world):
    cx = world["cx"]
    # world: A and B, medium-low plating, nothing else: traditional
    assert stages.count_stages(cx, cached=False) == {
        "high_tech": 0,
        "innovating": 0,
        "digitalising": 0,
        "traditional": 2,
    }
    c = CompanyFactory(complex=cx, ksic_code="26110", tech_intensity="high")
    services.update_company_profile(c, rd_centre=True)
    d = CompanyFactory(complex=cx)
    services.update_company_profile(d, smart_factory_level="basic")
    assert stages.count_stages(cx, cached=False) == {
        "high_tech": 1,
        "innovating": 0,
        "digitalising": 1,
        "traditional": 2,
    }

    calls = []

    def training(companies, as_of=None):
        calls.append(len(companies))
        return {world["a"].pk: [spine.CompanySignal("training_hours", "training", 16)]}

    part = spine.Transition("test.training", "training", lambda company, viewer: [], training)
    with registered(transitions=[part]):
        with CaptureQueriesContext(connection) as few:
            counts = stages.count_stages(cx, cached=False)
        assert counts == {"high_tech": 1, "innovating": 0, "digitalising": 2, "traditional": 1}
        for _ in range(6):
            CompanyFactory(complex=cx)
        with CaptureQueriesContext(connection) as many:
            assert stages.count_stages(cx, cached=False)["traditional"] == 7
    assert calls == [4, 10]  # one call for all the companies
    assert len(many) == len(few)  # every app's signals in bulk: no query per company


@pytest.mark.django_db
def test_counts_as_of_a_past_day_undo_later_changes(world):
    cx = world["cx"]
    services.update_company_profile(world["a"], rd_centre=True, certifications=["venture"])
    assert stages.count_stages(cx, cached=False)["innovating"] == 1
    # the change was made ten days ago; a new company arrived five days ago
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    AuditEntry.objects.filter(model="registry.Company").update(at=ten_days_ago)
    Company.objects.filter(complex=cx).update(created_at=timezone.now() - dt.timedelta(days=30))
    late = CompanyFactory(complex=cx)
    Company.objects.filter(pk=late.pk).update(created_at=timezone.now() - dt.timedelta(days=5))
    today = timezone.localdate()
    assert stages.count_stages(cx, today - dt.timedelta(days=7), cached=False) == {
        "high_tech": 0,
        "innovating": 1,
        "digitalising": 0,
        "traditional": 1,
    }
    AuditEntry.objects.filter(model="registry.Company", changes__has_key="rd_centre").update(at=timezone.now())
    before = stages.count_stages(cx, today - dt.timedelta(days=7), cached=False)
    assert before["innovating"] == 0 and before["traditional"] == 2  # the R&D centre came later


@pytest.mark.django_db
def test_transition_page_states_the_rule_and_counts(world):
    html = Client().get(reverse("portal:transition")).content.decode()
    for s in stages.STAGES:
        assert f'data-stage="{s.key}"' in html
    assert "연구소" in html  # the rule, in Korean
    assert 'data-stage="traditional"><span>' in html


@pytest.mark.django_db
def test_the_stage_panel_gives_provenance(world):
    from techvalley.core.scoping import ANONYMOUS

    panel = next(p for p in spine.platform.panels if p.key == "transition-stages")
    figures = panel.figures(ANONYMOUS, world["cx"])
    assert [f.value for f in figures] == [0, 0, 0, 2]
    assert all(f.source and f.as_of and f.url == reverse("portal:transition") for f in figures)
