"""Achievements link to records of other modules through core's record links: the officer's UI on
the card page, the links on the card page, and on the public pledge page only public targets."""

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core import links, spine
from techvalley.core.models import AuditEntry, RecordLink
from techvalley.core.scoping import viewer_for
from techvalley.projects.models import Achievement
from tests.projects.factories import ProjectFactory


@pytest.fixture
def setup(world, pledge):
    cx = world["cx"]
    target_public = ProjectFactory(complex=cx, title="스마트그린산단 사업단 <b>운영</b>")
    target_internal = ProjectFactory(complex=cx, title="내부 검토 과제", internal=True)
    achievement = pledge.achievements.first()
    return {"pledge": pledge, "a": achievement, "public": target_public, "internal": target_internal}


def _officer(world):
    c = Client()
    c.force_login(world["users"]["officer"])
    return c


def test_the_string_link_fields_are_gone():
    names = {f.name for f in Achievement._meta.get_fields()}
    assert "link_model" not in names and "link_id" not in names


def test_projects_registers_its_linkable_type():
    kind = spine.platform.linkable_types["projects.project"]
    assert kind.model_class()._meta.label == "projects.Project"


@pytest.mark.django_db
def test_officer_links_an_achievement_from_the_card_page(world, setup):
    c = _officer(world)
    card_url = reverse("projects:card_page", args=[setup["pledge"].pk])
    html = c.get(card_url).content.decode()
    assert 'id="achievement-links"' in html and reverse("core:link_add") in html
    response = c.post(
        reverse("core:link_add"),
        {
            "source_type": "projects.Achievement",
            "source_id": setup["a"].pk,
            "type": "projects.project",
            "target": setup["public"].pk,
            "next": card_url,
        },
    )
    assert response.status_code == 302 and response["Location"] == card_url
    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id) == (setup["a"].pk, setup["public"].pk)
    assert AuditEntry.objects.filter(model="core.RecordLink", object_id=str(link.pk)).exists()
    html = c.get(card_url).content.decode()
    assert reverse("projects:pledge_public", args=[setup["public"].pk]) in html
    assert "&lt;b&gt;운영&lt;/b&gt;" in html  # the title is escaped


@pytest.mark.django_db
def test_public_page_shows_only_public_targets(world, setup):
    officer = viewer_for(world["users"]["officer"])
    links.link_record(officer, setup["a"], "projects.project", setup["public"].pk)
    links.link_record(officer, setup["a"], "projects.project", setup["internal"].pk)
    html = Client().get(reverse("projects:pledge_public", args=[setup["pledge"].pk])).content.decode()
    assert 'id="linked-records"' in html
    assert reverse("projects:pledge_public", args=[setup["public"].pk]) in html
    assert "내부 검토 과제" not in html
    card = _officer(world).get(reverse("projects:card_page", args=[setup["pledge"].pk])).content.decode()
    assert "내부 검토 과제" in card


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "member_a", "university", "other_officer"])
def test_only_officers_of_the_complex_link(world, setup, role):
    c = Client()
    if world["users"][role] is not None:
        c.force_login(world["users"][role])
    response = c.post(
        reverse("core:link_add"),
        {"source_type": "projects.Achievement", "source_id": setup["a"].pk, "type": "projects.project", "target": 1},
    )
    assert response.status_code in (302, 403) and not RecordLink.objects.exists()
    if response.status_code == 302:
        assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_card_page_links_take_a_fixed_number_of_queries(world, setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = viewer_for(world["users"]["officer"])
    c = _officer(world)
    url = reverse("projects:card_page", args=[setup["pledge"].pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx)

    before = count()
    for a in setup["pledge"].achievements.all()[:5]:
        links.link_record(officer, a, "projects.project", setup["public"].pk)
    assert count() == before + 1  # one more: the linked projects, fetched once
