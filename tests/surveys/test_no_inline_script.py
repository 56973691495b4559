"""The surveys' pages carry no inline script, no on*= handler and no javascript: URL (a
Content-Security-Policy without 'unsafe-inline' is coming): their behaviour is in
static/surveys/surveys.js, which the pages load from the site itself."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from techvalley.surveys import services
from tests.surveys.conftest import VALID

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_pages_load_their_script_from_a_static_file(demand, world):
    inv = demand.invitations.get(company=world["a"])
    response = services.submit_response(inv, VALID)
    record = services.save_communication(world["cx"], {"kind": "briefing", "held_on": "2024-05-02", "title": "설명회"})
    candidate = services.create_candidate(world["cx"], "주차장 확보", survey=demand, response_ids=[response.pk])
    officer = Client()
    officer.force_login(world["users"]["officer"])
    question = demand.questions.first()
    pages = {
        reverse("surveys:respond", args=[services.invitation_token(inv)]): Client(),
        reverse("surveys:survey_detail", args=[demand.pk]): officer,
        reverse("surveys:tracking", args=[demand.pk]): officer,
        reverse("surveys:question_edit", args=[question.pk]): officer,
        reverse("surveys:communication_edit", args=[record.pk]): officer,
        reverse("surveys:candidate_detail", args=[candidate.pk]): officer,
        reverse("surveys:results", args=[demand.pk]): officer,
    }
    for url, client in pages.items():
        r = client.get(url)
        assert r.status_code == 200, url
        html = main(r.content.decode())
        assert not INLINE_SCRIPT.search(html), url
        assert not HANDLER.search(html) and "javascript:" not in html, url
    respond = Client().get(reverse("surveys:respond", args=[services.invitation_token(inv)]))
    client_html = respond.content.decode()
    assert 'src="/static/surveys/surveys.js"' in client_html and 'id="survey-conditions"' in client_html
    script = open(finders.find("surveys/surveys.js"), encoding="utf-8").read()
    assert "survey-conditions" in script and "data-confirm" in script and "data-select-on-click" in script
