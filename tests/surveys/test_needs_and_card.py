"""Answer → candidate → plan sub-project → result through the spine (no app imports another),
the communication counts the plan card shows, and the API."""

import pytest
from django.apps import apps
from django.test import Client

from techvalley.core import links, spine
from techvalley.core.models import ApiToken
from techvalley.core.scoping import viewer_for
from techvalley.surveys import services
from tests.surveys.conftest import VALID

pytestmark = pytest.mark.django_db


def test_candidate_to_sub_project_and_back(demand, world):
    officer = viewer_for(world["users"]["officer"])
    r1 = services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    candidate = services.create_candidate(world["cx"], "에너지 비용 절감", survey=demand, response_ids=[r1.pk])
    # The plan app sees the candidate only as a registered linkable type …
    kind = spine.platform.linkable_types["surveys.candidate"]
    assert [c.pk for c in kind.candidates(world["cx"], "에너지")] == [candidate.pk]
    assert kind.is_public(candidate) is False and kind.url(candidate) == f"/surveys/candidates/{candidate.pk}/"
    # … makes its sub-project (here through the app registry, as any app would) and links it back.
    Project = apps.get_model("projects", "Project")
    sub = Project.objects.create(complex=world["cx"], title="에너지 비용 절감 지원사업", kind="subproject")
    links.link_record(officer, sub, "surveys.candidate", candidate.pk, note="수요조사 2023 후보에서")
    services.mark_promoted(candidate)
    c = Client()
    c.force_login(world["users"]["officer"])
    page = c.get(f"/surveys/candidates/{candidate.pk}/").content.decode()
    assert "연결한 기록" in page and f"#{sub.pk}" in page and "세부사업으로 전환" in page
    assert r1.company.name.replace("<", "&lt;").replace(">", "&gt;") in page  # the supporting answer, escaped
    board = c.get("/surveys/candidates/").content.decode()
    assert f"#{sub.pk}" in board
    # the other way: the candidate links to the sub-project with core record links
    links.link_record(officer, candidate, "projects.project", sub.pk)
    resolved = links.links_for_many([candidate])[candidate.pk]
    assert [r.target.pk for r in resolved] == [sub.pk]


def test_communication_figures_for_the_card(world):
    for kind, day in [
        ("briefing", "2023-06-20"),
        ("briefing", "2023-08-22"),
        ("expert", "2023-08-29"),
        ("press", "2024-04-12"),
    ]:
        services.save_communication(world["cx"], {"kind": kind, "held_on": day, "title": "기록"})
    services.save_communication(
        world["cx"], {"kind": "report", "held_on": "2023-11-23", "title": "내부", "public": False}
    )
    panel = next(p for p in spine.platform.panels if p.key == "resident-communication")
    anonymous = {f.key: f.value for f in panel.figures(viewer_for(None), world["cx"])}
    assert anonymous == {
        "communication-total": 4,
        "communication-briefing": 2,
        "communication-expert": 1,
        "communication-press": 1,
    }
    officer = {f.key: f.value for f in panel.figures(viewer_for(world["users"]["officer"]), world["cx"])}
    assert officer["communication-total"] == 5 and officer["communication-report"] == 1
    r = Client().get("/api/surveys/communication/counts", {"complex": world["cx"].slug, "year": 2023})
    assert r.status_code == 200 and r.json()["by_kind"] == {"briefing": {"2023": 2}, "expert": {"2023": 1}}


def test_api_scoping(demand, world):
    ra = services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    rb = services.submit_response(demand.invitations.get(company=world["b"]), VALID)

    def get(user, url, **query):
        token = ApiToken.objects.create(user=world["users"][user], name="t").key
        return Client().get(url, query, HTTP_AUTHORIZATION=f"Bearer {token}")

    doc = get("officer", f"/api/surveys/{demand.pk}").json()
    assert doc["questions"][0]["code"] == "main_business" and doc["questions"][0]["label"]["en"]
    assert get("officer", "/api/surveys/", complex=world["cx"].slug).json()[0]["answered"] == 2
    analysis = get("officer", f"/api/surveys/{demand.pk}/analysis").json()
    assert {q["code"]: q["answered"] for q in analysis["questions"]}["main_business"] == 2
    assert get("manager_a", f"/api/surveys/responses/{ra.pk}").json()["answers"]["main_business"] == "metal"
    assert get("manager_a", f"/api/surveys/responses/{rb.pk}").status_code == 403
    assert get("manager_a", f"/api/surveys/{demand.pk}/analysis").status_code == 403
    assert get("other_officer", f"/api/surveys/{demand.pk}").status_code == 403
    assert Client().get(f"/api/surveys/responses/{ra.pk}").status_code == 401


def test_import_into_an_anonymous_survey_keeps_no_company(world):
    world["a"].brn = "1234567891"
    world["a"].save()
    survey = services.create_survey(world["cx"], "anon", template="satisfaction", anonymous=True)
    data = "ref,company,overall,comments\nA1,1234567891,5,좋았습니다\n".encode("cp949")
    result = services.import_responses(survey, data, "paper.csv")
    assert result.ok and result.created == 1
    response = survey.responses.get()
    assert response.company is None and response.ref == "A1"
    assert survey.invitations.get(company=world["a"]).answered_at is not None
    again = services.import_responses(survey, b"ref,company,overall\nA2,1234567891,3\n", "more.csv")
    assert not again.ok and "이미 응답" in again.errors[0]["message"] and survey.responses.count() == 1
    # an export can be imported again without duplicating (responses without ref are known as #id)
    from techvalley.surveys import exports

    text = exports.responses_csv(survey)
    assert services.import_responses(survey, text.encode(), "export.csv").unchanged == 1


def test_search_and_panels_are_scoped(demand, world):
    services.create_candidate(world["cx"], "주차장 확보 사업", survey=demand)
    provider = next(p for p in spine.platform.search_providers if p.key == "surveys")
    officer = viewer_for(world["users"]["officer"])
    assert [h.title for h in provider.search(officer, world["cx"], "주차장", 10)] == ["주차장 확보 사업"]
    member = viewer_for(world["users"]["member_a"])
    assert provider.search(member, world["cx"], "주차장", 10) == []
    assert provider.search(member, world["cx"], "수요조사", 10) == []  # not published
    services.publish_results(demand)
    assert [h.url for h in provider.search(member, world["cx"], "수요조사", 10)] == [f"/surveys/{demand.pk}/published/"]
    panels = {p.key: p for p in spine.platform.panels}
    assert panels["surveys-officer"].visible(officer, world["cx"]) and not panels["surveys-officer"].visible(
        member, world["cx"]
    )
    figures = {f.key: f for f in panels["surveys-officer"].figures(officer, world["cx"])}
    assert figures["surveys-open"].value == 1 and figures[f"surveys-rate-{demand.pk}"].value == 0
    company = {f.key: f for f in panels["surveys-company"].figures(member, world["cx"])}
    assert list(company) == ["surveys-to-answer", f"surveys-answer-{demand.pk}-{world['a'].pk}"]
    assert company["surveys-to-answer"].value == 1
    each = company[f"surveys-answer-{demand.pk}-{world['a'].pk}"]
    assert each.label == demand.title_ko and each.url == f"/surveys/{demand.pk}/answer/"
    assert panels["surveys-company"].audiences == frozenset({"company"})
    assert not panels["surveys-company"].visible(officer, world["cx"]) and panels["surveys-company"].visible(
        member, world["cx"]
    )
    # the link leads the member to the company's own answer form
    c = Client()
    c.force_login(world["users"]["member_a"])
    assert "/surveys/r/" in c.get(each.url)["Location"]
    services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    assert {f.key: f.value for f in panels["surveys-company"].figures(member, world["cx"])} == {"surveys-to-answer": 0}
    assert {f.key: f.value for f in panels["surveys-officer"].figures(officer, world["cx"])}[
        f"surveys-rate-{demand.pk}"
    ] == 50
