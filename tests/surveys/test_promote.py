"""Answer → candidate → plan sub-project: the "Promote to plan sub-project" form on a candidate,
through plan tracking's spine action ``projects.subproject`` and core record links."""

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core import links, spine
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput
from techvalley.surveys import services
from techvalley.surveys.models import CandidateStatus
from tests.surveys.conftest import VALID

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledge(world):
    from techvalley.projects import services as plan
    from techvalley.projects.demo import data_file

    project, _, _ = plan.import_card_file(data_file("cards/saha-3-1.txt"), world["cx"], publish=True)
    return project


@pytest.fixture
def candidate(demand, world):
    r1 = services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    return services.create_candidate(
        world["cx"],
        "에너지 비용 절감",
        survey=demand,
        response_ids=[r1.pk],
        description="전기요금 부담",
        estimated_cost_million_krw=300,
    )


def login(world, role):
    c = Client()
    if world["users"][role] is not None:
        c.force_login(world["users"][role])
    return c


def test_promote_through_the_page_links_both_ways(world, pledge, candidate):
    c = login(world, "officer")
    page = c.get(reverse("surveys:candidate_detail", args=[candidate.pk])).content.decode()
    assert 'id="promote-form"' in page and "세부사업으로 승격" in page and f'value="{pledge.pk}"' in page
    assert page.count('id="id_title"') == 1 and page.count('id="promote_title"') == 1  # no id twice
    r = c.post(
        reverse("surveys:candidate_promote", args=[candidate.pk]),
        {
            "parent": pledge.pk,
            "title": "에너지 비용 절감 지원사업",
            "description": "설비 교체",
            "budget_million_krw": "300",
        },
    )
    assert r.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.PROMOTED
    sub = pledge.children.get()
    assert (
        sub.title == "에너지 비용 절감 지원사업"
        and sub.budget_amount_krw == 300_000_000
        and sub.overview == ["설비 교체"]
    )
    # candidate → sub-project and sub-project → candidate, each page showing the other
    assert [x.target.pk for x in links.links_for_many([candidate])[candidate.pk]] == [sub.pk]
    assert [x.target.pk for x in links.links_for_many([sub])[sub.pk]] == [candidate.pk]
    page = c.get(reverse("surveys:candidate_detail", args=[candidate.pk])).content.decode()
    assert 'id="promoted"' in page and reverse("projects:card_page", args=[sub.pk]) in page
    assert 'id="promote-form"' not in page  # promoted once
    card = c.get(reverse("projects:card_page", args=[sub.pk])).content.decode()
    assert reverse("surveys:candidate_detail", args=[candidate.pk]) in card and "에너지 비용 절감" in card
    board = c.get(reverse("surveys:candidate_list")).content.decode()
    assert f"#{sub.pk}" in board


def test_promoting_twice_is_refused(world, pledge, candidate):
    c = login(world, "officer")
    url = reverse("surveys:candidate_promote", args=[candidate.pk])
    assert c.post(url, {"parent": pledge.pk, "title": "첫 번째"}).status_code == 302
    again = c.post(url, {"parent": pledge.pk, "title": "두 번째"})
    assert again.status_code == 409 and "이미 세부사업으로 승격" in again.content.decode()
    assert pledge.children.count() == 1
    with pytest.raises(BadInput) as exc:
        services.promote_candidate(viewer_for(world["users"]["officer"]), candidate, parent=pledge.pk)
    assert exc.value.status == 409 and exc.value.code == "conflict"
    # nor can the status be set back (or to promoted) by hand
    with pytest.raises(BadInput):
        services.update_candidate(candidate, {"status": "proposed"})


def test_bad_input_leaves_nothing_behind(world, pledge, candidate):
    c = login(world, "officer")
    url = reverse("surveys:candidate_promote", args=[candidate.pk])
    for data in (
        {"parent": pledge.pk, "title": ""},
        {"parent": "x", "title": "사업"},
        {"parent": 10**9, "title": "사업"},
        {"parent": pledge.pk, "title": "사업", "budget_million_krw": "-5"},
    ):
        r = c.post(url, data)
        assert r.status_code == 400, data
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.PROPOSED and pledge.children.count() == 0
    assert links.links_for_many([candidate]) == {}


def test_who_may_promote(world, pledge, candidate):
    url = reverse("surveys:candidate_promote", args=[candidate.pk])
    for role in ("anonymous", "visitor", "member_a", "manager_a", "university", "other_officer"):
        r = login(world, role).post(url, {"parent": pledge.pk, "title": "사업"})
        assert r.status_code in (302, 403) and (r.status_code == 403 or "/login/" in r["Location"]), role
    assert pledge.children.count() == 0


def test_without_plan_tracking_there_is_no_form(world, pledge, candidate, monkeypatch):
    monkeypatch.delitem(spine.platform.actions, "projects.subproject")
    c = login(world, "officer")
    page = c.get(reverse("surveys:candidate_detail", args=[candidate.pk])).content.decode()
    assert 'id="promote-form"' not in page
    assert c.post(reverse("surveys:candidate_promote", args=[candidate.pk]), {"parent": pledge.pk}).status_code == 403
