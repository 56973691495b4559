"""Each company's transition record: the registry's events from the audit trail, other apps'
events, and private parts only for the company's own people and the officers."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core import spine
from techvalley.core.scoping import viewer_for
from techvalley.registry import portal_parts, services
from tests.portal.conftest import registered


@pytest.mark.django_db
def test_registry_events_public_and_private(world):
    a = world["a"]
    services.set_industry(a, "26110", reason="현장 확인")
    a.refresh_from_db()
    services.update_company_profile(
        a, rd_centre=True, certifications=["venture", "iso9001"], smart_factory_level="basic"
    )

    def kinds(role):
        return [e.kind for e in portal_parts.events(a, viewer_for(world["users"][role]))]

    public = kinds("anonymous")
    assert public.count("registry.entered") == 1 and "registry.ksic" in public and "registry.tech_level" in public
    assert not {"registry.rnd_centre", "registry.certification", "registry.smart_factory"} & set(public)
    for role in ("member_a", "manager_a", "officer"):
        own = kinds(role)
        assert {"registry.rnd_centre", "registry.certification", "registry.smart_factory"} <= set(own), role
        assert own.count("registry.certification") == 2
    assert kinds("manager_b") == public  # another company sees what the public sees
    detail = {e.kind: e.detail for e in portal_parts.events(a, viewer_for(world["users"]["officer"]))}
    assert detail["registry.ksic"] == "25922 → 26110"


@pytest.mark.django_db
def test_registry_signals_in_two_queries(world, django_assert_num_queries):
    a = world["a"]
    services.update_company_profile(
        a, rd_centre=True, certifications=["venture", "innobiz", "iso9001"], smart_factory_level="intermediate2"
    )
    with django_assert_num_queries(1):
        now = portal_parts.signals([world["a"], world["b"]])
    got = {s.key: s.value for s in now[a.pk]}
    assert got == {"tech_level": "medium_low", "rnd_centre": True, "certifications": 2, "smart_factory_level": 3}
    with django_assert_num_queries(2):
        portal_parts.signals([world["a"], world["b"]], dt.date(2020, 1, 1))


@pytest.mark.django_db
def test_record_page_shows_private_parts_only_to_its_people(world):
    a = world["a"]
    services.update_company_profile(a, rd_centre=True)
    secret = spine.TimelineEvent(dt.date(2025, 3, 1), "test.energy", "energy audit", "secret-detail-42")

    def events(company, viewer):
        return [secret] if viewer.can_see_private(company.organisation_id, company.complex_id) else []

    part = spine.Transition("test.energy", "energy", events)
    url = reverse("portal:company_transition", args=[a.pk])
    with registered(transitions=[part]):
        pages = {}
        for role in ("anonymous", "manager_b", "member_a", "officer"):
            c = Client()
            if world["users"][role]:
                c.force_login(world["users"][role])
            pages[role] = c.get(url).content.decode()
    for role in ("anonymous", "manager_b"):
        assert "secret-detail-42" not in pages[role] and 'id="stage"' not in pages[role]
        assert 'data-kind="registry.entered"' in pages[role]
        assert 'data-kind="registry.rnd_centre"' not in pages[role]
    for role in ("member_a", "officer"):
        assert "secret-detail-42" in pages[role] and 'id="stage"' in pages[role]
        assert 'data-kind="registry.rnd_centre"' in pages[role]
        assert 'data-signal="rnd_centre"' in pages[role] and 'data-stage="innovating"' in pages[role]
        assert "중저위기술" in pages[role] and ">medium_low<" not in pages[role]  # the level by its name
    assert "&lt;script&gt;" in pages["anonymous"] and "<script>alert" not in pages["anonymous"]


@pytest.mark.django_db
def test_company_page_links_to_its_record(world):
    html = Client().get(reverse("registry:company_detail", args=[world["a"].pk])).content.decode()
    assert reverse("portal:company_transition", args=[world["a"].pk]) in html


@pytest.mark.django_db
def test_unknown_company_is_a_404(world):
    assert Client().get("/transition/companies/999999/").status_code == 404
