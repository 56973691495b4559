"""Surveys in a real browser: the officer's list, results with charts and themes, the candidate
board; a company answering on a phone from its link without logging in (display conditions
shown and hidden as it answers); the published results page."""

import re

import pytest

from tests.browser.conftest import shot
from tests.browser.test_smoke import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_reads_results_and_the_candidate_board(page, live_server, demo):
    login(page, live_server.url, "officer")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(live_server.url + "/surveys/")
    assert "혁신계획 수립을 위한 기업체 수요조사" in page.content() and "모의" in page.content()
    shot(page, "surveys-list")
    page.click("text=혁신계획 수립을 위한 기업체 수요조사")
    page.wait_for_url(re.compile(r"/surveys/\d+/$"))
    assert page.locator("code", has_text="training_topics").count() == 1
    shot(page, "surveys-builder")
    page.click("text=결과")
    page.wait_for_url(re.compile(r"/results/"))
    assert page.locator("svg.chart rect").count() > 20
    assert page.locator("text=응답의 주제").count() >= 1
    page.select_option("select[name=by]", "legal_dong")
    page.wait_for_url(re.compile(r"by=legal_dong"))
    page.locator("details summary").first.click()
    assert "장림동" in page.content()
    shot(page, "surveys-results")
    page.goto(live_server.url + "/surveys/candidates/")
    assert "에너지 비용 절감" in page.content()
    shot(page, "surveys-candidates")
    page.goto(live_server.url + "/surveys/communication/")
    assert "착수보고회" in page.content()
    shot(page, "surveys-communication")
    assert page.external_requests == []


def test_company_answers_on_a_phone_without_logging_in(browser, live_server, demo):
    from techvalley.core.models import Complex
    from techvalley.registry.models import Company
    from techvalley.surveys import services
    from techvalley.surveys.models import Response, SurveyStatus

    cx = Complex.objects.get(slug=demo["complex"])
    survey = services.create_survey(cx, "demand-followup", template="demand")
    services.set_status(survey, SurveyStatus.OPEN)
    company = Company.objects.filter(complex=cx, organisation__isnull=False).order_by("registry_key").first()
    token = services.invitation_token(services.invitation_for(survey, company))

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{live_server.url}/surveys/r/{token}/")
    assert company.name in page.content()
    topics = page.locator("#q-training_topics")
    assert topics.is_hidden()
    page.check("input[name=main_business][value=metal]")
    page.fill("input[name=employees]", "32")
    page.check("input[name=difficulties][value=energy_cost]")
    page.check("input[name=difficulties][value=workforce]")
    page.check("input[name=training_needed][value=yes]")
    assert topics.is_visible()  # the condition (training_needed = yes) shows it at once
    page.check("input[name=training_topics][value=automation]")
    page.check("input[name=participation][value='4']")
    assert page.locator("#q-cost_share").is_visible()
    page.fill("textarea[name=difficulty_detail]", "전기요금 부담이 큽니다")
    shot(page, "surveys-phone-form")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"saved=1"))
    assert "감사합니다" in page.content()
    shot(page, "surveys-phone-saved")
    saved = Response.objects.get(survey=survey, company=company)
    assert saved.answers["training_topics"] == ["automation"] and saved.answers["employees"] == 32
    # the page fits the phone: nothing wider than the screen
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    # answering again changes the same response
    page.check("input[name=training_needed][value=no]")
    assert topics.is_hidden()
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"saved=1"))
    saved.refresh_from_db()
    assert "training_topics" not in saved.answers and Response.objects.filter(survey=survey).count() == 1
    phone.close()


def test_published_results_for_anyone(page, live_server, demo):
    from techvalley.surveys.models import Survey

    survey = Survey.objects.get(slug="demand-2023")
    page.goto(f"{live_server.url}/surveys/{survey.pk}/published/")
    assert page.locator("svg.chart").count() > 5
    html = page.content()
    assert "SIM-2023" not in html and "식별 정보 없이 공개" in html
    shot(page, "surveys-published")


def test_officer_promotes_a_candidate_to_a_plan_sub_project(page, live_server, demo):
    """Answer → candidate → plan sub-project, in the browser: the promote form on the candidate,
    the link on both pages, and a second promotion refused."""
    from django.apps import apps

    from techvalley.surveys.models import Candidate

    pledge = apps.get_model("projects", "Project").objects.get(management_no="3-1")
    candidate = Candidate.objects.filter(title__contains="에너지 비용 절감").first()
    assert candidate is not None and candidate.status != "promoted"
    login(page, live_server.url, "officer")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(f"{live_server.url}/surveys/candidates/{candidate.pk}/")
    page.click("#promote summary")
    page.select_option("#promote-form select[name=parent]", value=str(pledge.pk))
    page.fill("#promote-form input[name=title]", "에너지 비용 절감 지원사업")
    page.fill("#promote-form input[name=budget_million_krw]", "120")
    shot(page, "surveys-promote-form")
    # sent as a person on a keyboard does (Enter in the form)
    with page.expect_navigation():
        page.press("#promote-form input[name=title]", "Enter")
    shot(page, "surveys-promoted")
    page.wait_for_selector("#promoted")
    assert page.locator("#promote-form").count() == 0
    page.click(".record-links a >> text=에너지 비용 절감 지원사업")
    page.wait_for_url(re.compile(r"/plan/\d+/card/"))
    assert "120백만원" in page.content()
    links = page.locator("#project-links .record-links a")
    assert links.count() == 1 and candidate.title in links.first.inner_text()
    shot(page, "plan-subproject-from-candidate")
    # the card of the pledge shows 구민소통 counted from the records, with its source
    page.goto(live_server.url + "/plan/")
    page.click("text=3-1 신평·장림산업단지")
    assert "구민소통 기록" in page.locator("#communication-source").inner_text()
    assert page.external_requests == []
