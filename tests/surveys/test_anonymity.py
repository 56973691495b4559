"""Anonymous surveys: nothing links an answer back to its company — not the audit trail, not the
tracking page, not results of one or two responses. Also: no question codes on published results,
exports in the site's time zone."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from techvalley.core.models import AuditEntry
from techvalley.surveys import selectors, services
from techvalley.surveys.models import Invitation, Response, SurveyStatus
from tests.factories import CompanyFactory
from tests.surveys.conftest import VALID

pytestmark = pytest.mark.django_db


def client_for(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def anon(world):
    world["a"].ksic_code = "25911"
    world["a"].size_class = "micro"
    world["a"].legal_dong = "장림동"
    world["a"].save()
    survey = services.create_survey(world["cx"], "anon-review", template="satisfaction", anonymous=True)
    services.set_status(survey, SurveyStatus.OPEN)
    services.invite_companies(survey)
    return survey


def answer_as(user, survey, data):
    """A signed-in member answers from "Surveys" (/surveys/<id>/answer/ → the company's link)."""
    c = client_for(user)
    go = c.get(f"/surveys/{survey.pk}/answer/")
    assert go.status_code == 302
    r = c.post(go["Location"], data)
    assert r.status_code == 302, r.content.decode()[:500]
    return c


def test_anonymous_answer_leaves_no_actor_values_or_record_in_the_audit(anon, world):
    answer_as(world["users"]["manager_a"], anon, {"overall": "5", "useful": "yes", "comments": "주차장이 부족"})
    assert Response.objects.filter(survey=anon).count() == 1
    entries = list(AuditEntry.objects.filter(model="surveys.Response"))
    assert len(entries) == 1
    e = entries[0]
    assert e.actor is None and "manager_a" not in e.actor_label
    assert e.changes == {} and e.object_id == "" and e.action == "create"
    assert "anonymous" in e.object_repr and e.complex_id == world["cx"].pk
    # nothing anywhere in the trail carries the answers or the segment
    for other in AuditEntry.objects.filter(model__startswith="surveys."):
        text = repr(other.changes) + other.object_repr
        assert "주차장이 부족" not in text and "장림동" not in text
    page = client_for(world["users"]["officer"]).get("/audit/?model=surveys.Response").content.decode()
    assert "주차장이 부족" not in page and "장림동" not in page and "micro" not in page
    assert "manager_a" not in page.split("<tbody>", 1)[1]


def test_anonymous_times_are_kept_to_the_day(anon, world):
    inv = anon.invitations.get(company=world["a"])
    r = services.submit_response(inv, {"overall": "4"})
    local = timezone.localtime(r.submitted_at)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    inv.refresh_from_db()
    assert timezone.localtime(inv.answered_at).time() == dt.time(0, 0)
    with pytest.raises(services.BadInput):  # still once per company
        services.submit_response(inv, {"overall": "3"})


def test_anonymous_import_leaves_no_values_in_the_audit(anon, world):
    world["a"].brn = "1234567891"
    world["a"].save()
    data = "company,overall,comments\n1234567891,2,소음 문제\n".encode()
    result = services.import_responses(anon, data, "a.csv")
    assert result.ok and result.created == 1
    r = Response.objects.get(survey=anon)
    assert r.company_id is None and r.segment["legal_dong"] == "장림동"
    entries = AuditEntry.objects.filter(model="surveys.Response")
    assert [(e.changes, e.object_id) for e in entries] == [({}, "")]
    # changed by its reference: again no values in the trail
    again = services.import_responses(anon, f"ref,overall\n#{r.pk},3\n".encode(), "b.csv")
    assert again.ok and again.updated == 1
    r.refresh_from_db()
    assert r.answers["overall"] == 3
    assert selectors.survey_analysis(None, anon)["responses"] == 1
    again = services.import_responses(anon, f"ref,overall\n#{r.pk},1\n".encode(), "c.csv")
    assert again.ok and again.updated == 1
    from techvalley.surveys import analysis

    rows = selectors.response_rows(anon)
    assert analysis.frequencies(anon.questions.get(code="overall").spec(), rows)["counts"]["1"] == 1
    assert all(e.changes == {} and e.object_id == "" for e in AuditEntry.objects.filter(model="surveys.Response"))


def test_named_survey_audit_still_records_the_answers(world):
    survey = services.create_survey(world["cx"], "named", template="satisfaction")
    services.set_status(survey, SurveyStatus.OPEN)
    answer_as(world["users"]["manager_a"], survey, {"overall": "5"})
    e = AuditEntry.objects.get(model="surveys.Response")
    assert e.actor == world["users"]["manager_a"] and e.changes["answers"][1] == {"overall": 5}


def test_anonymous_tracking_shows_counts_not_companies(anon, world):
    answer_as(world["users"]["manager_a"], anon, {"overall": "5"})
    officer = client_for(world["users"]["officer"])
    html = officer.get(f"/surveys/{anon.pk}/tracking/").content.decode()
    assert world["a"].name not in html and "에이금속" not in html and "비정밀" not in html
    assert "/surveys/r/" not in html and "/surveys/responses/" not in html
    track = selectors.tracking(selectors_viewer(world), anon)
    assert (track["invited"], track["answered"], track["responses"], track["invitations"]) == (2, 1, 1, [])
    # reminders still reach the company that has not answered, and only it
    assert services.queue_reminders(anon, "http://testserver/") == 1
    assert anon.invitations.get(company=world["b"]).reminders == 1
    # a named survey keeps its per-company list
    named = services.create_survey(world["cx"], "named", template="satisfaction")
    services.set_status(named, SurveyStatus.OPEN)
    services.invite_companies(named)
    assert "에이금속" in officer.get(f"/surveys/{named.pk}/tracking/").content.decode()


def selectors_viewer(world):
    from techvalley.core.scoping import viewer_for

    return viewer_for(world["users"]["officer"])


def test_anonymous_results_withheld_below_three_responses(anon, world):
    services.submit_response(anon.invitations.get(company=world["a"]), {"overall": "5", "comments": "주차장이 부족"})
    officer = client_for(world["users"]["officer"])
    page = officer.get(f"/surveys/{anon.pk}/results/?by=legal_dong")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" not in html and "주차장이 부족" not in html and "장림동" not in html
    assert "3" in html and ("익명 설문" in html or "Anonymous survey" in html)
    doc = officer.get(f"/api/surveys/{anon.pk}/analysis").json()
    assert doc["responses"] == 1 and doc["suppressed"]
    assert all(set(item) == {"code", "type", "label"} for item in doc["questions"])
    assert selectors.survey_crosstabs(None, anon, "legal_dong") == {}


def test_anonymous_crosstabs_merge_small_groups_from_three_responses(anon, world):
    c = CompanyFactory(complex=world["cx"], name="씨산업", legal_dong="신평동")
    services.invite_companies(anon)
    for company, score in ((world["a"], "5"), (world["b"], "4"), (c, "2")):
        services.submit_response(anon.invitations.get(company=company), {"overall": score})
    html = client_for(world["users"]["officer"]).get(f"/surveys/{anon.pk}/results/?by=legal_dong").content.decode()
    assert "<svg" in html
    assert "장림동" not in html and "신평동" not in html  # one company each: merged into "other"
    tables = selectors.survey_crosstabs(None, anon, "legal_dong")
    assert set(tables["overall"]["rows"]) == {"other"} and tables["overall"]["answered"]["other"] == 3


def test_published_results_show_question_text_not_codes(world):
    from tests.surveys.conftest import VALID as answers

    survey = services.create_survey(world["cx"], "pub", template="demand")
    services.set_status(survey, SurveyStatus.OPEN)
    services.invite_companies(survey)
    services.submit_response(survey.invitations.get(company=world["a"]), answers)
    services.publish_results(survey)
    html = client_for().get(f"/surveys/{survey.pk}/published/").content.decode()
    assert "주력 사업 분야는 무엇입니까?" in html
    for code in ("main_business", "training_needed", "employees"):
        assert f"<code>{code}</code>" not in html and f">{code}<" not in html
    officer_html = client_for(world["users"]["officer"]).get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "<code>main_business</code>" in officer_html  # officers build imports with the codes


def test_exports_give_submitted_in_site_time_with_offset(demand, world):
    r = services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    Response.objects.filter(pk=r.pk).update(submitted_at=dt.datetime(2026, 11, 25, 21, 22, tzinfo=dt.UTC))
    officer = client_for(world["users"]["officer"])
    text = officer.get(f"/surveys/{demand.pk}/export.csv").content.decode("utf-8-sig")
    assert "2026-11-26T06:22+09:00" in text and "2026-11-25 21:22" not in text
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(officer.get(f"/surveys/{demand.pk}/export.xlsx").content))
    ws = wb["응답"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("submitted") + 1).value == "2026-11-26T06:22+09:00"
    # the export imports again: the submitted column is read past
    assert services.import_responses(demand, text.encode(), "again.csv").ok
    assert Invitation.objects.filter(survey=demand, answered_at__isnull=False).count() == 1


def test_response_audit_values_in_words(demand, world):
    """The audit reader (core's ``describe_entries``, through ``Response.describe_audit``): answers
    under their questions' text with choice labels, the segment in words — not "metal · 25 · …"
    nor "25 · small · …"."""
    from django.utils import translation

    from techvalley.core.selectors import describe_entries

    r = services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    services.submit_response(demand.invitations.get(company=world["a"]), {**VALID, "training_needed": "no"})
    entries = list(AuditEntry.objects.filter(model="surveys.Response", object_id=str(r.pk)).order_by("id"))
    assert [e.action for e in entries] == ["create", "update"]
    with translation.override("ko"):
        readable = describe_entries(entries)
    created = {c.field: c for c in readable[0].changes}
    answers = created["answers"].new
    assert "주력 사업 분야는 무엇입니까?" in answers and "training_needed" not in answers
    assert "예" in answers and ": yes" not in answers
    assert created["segment"].new.startswith("KSIC 25 · ") and "장림동" in created["segment"].new
    assert "small" not in created["segment"].new
    updated = {c.field: c for c in readable[1].changes}
    assert "아니" in updated["answers"].new and "예" in updated["answers"].old


def test_uninvited_member_of_anonymous_survey_leaves_no_named_trace(anon, world):
    anon.invitations.filter(company=world["a"]).delete()
    AuditEntry.objects.filter(model__startswith="surveys.").delete()
    answer_as(world["users"]["manager_a"], anon, {"overall": "3"})
    assert anon.invitations.get(company=world["a"]).answered_at is not None
    trail = AuditEntry.objects.filter(model__startswith="surveys.")
    assert [(e.model, e.actor_id, e.changes) for e in trail] == [("surveys.Response", None, {})]
    html = client_for(world["users"]["manager_a"]).get(f"/surveys/{anon.pk}/answer/", follow=True).content.decode()
    assert "고칠 수 없습니다" in html  # already answered, once per company


def test_deleting_an_anonymous_response_records_no_answers(anon, world):
    """Deleted by an officer (or with its survey), an anonymous response leaves a deletion entry
    without its answers or segment; a named survey's deletion keeps the values."""
    answer_as(world["users"]["manager_a"], anon, {"overall": "3"})
    response = Response.objects.get(survey=anon)
    AuditEntry.objects.filter(model="surveys.Response").delete()
    response.delete()
    (gone,) = AuditEntry.objects.filter(model="surveys.Response", action="delete")
    assert gone.changes == {}
