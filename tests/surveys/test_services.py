"""The builder, signed links, one response per company, edits until close, anonymity, candidates,
communication records — through the services."""

import datetime as dt

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from techvalley.core.validation import BadInput
from techvalley.surveys import selectors, services
from techvalley.surveys.models import Invitation, Question, Response, SurveyStatus
from tests.surveys.conftest import VALID

pytestmark = pytest.mark.django_db


def test_template_builds_sections_questions_and_conditions(demand):
    codes = list(demand.questions.values_list("code", flat=True))
    assert codes[:3] == ["main_business", "employees", "revenue_trend"]
    types = set(demand.questions.values_list("type", flat=True))
    assert types == {"single", "multiple", "scale", "number", "long_text", "matrix", "ranking", "file"}
    assert demand.sections.count() == 7
    assert demand.questions.get(code="training_topics").condition == {
        "question": "training_needed",
        "op": "equals",
        "value": "yes",
    }
    assert all(label for label in demand.questions.values_list("label_en", flat=True))


def test_builder_refuses_bad_questions(demand, world):
    survey = services.create_survey(world["cx"], "blank-one", template="blank")
    q1 = services.save_question(
        survey, {"code": "q1", "type": "single", "label_ko": "예?", "choices": [{"value": "y"}, {"value": "n"}]}
    )
    services.save_question(
        survey,
        {"code": "q2", "type": "short_text", "label_ko": "왜?", "condition": {"question": "q1", "value": "y"}},
    )
    with pytest.raises(BadInput, match="이미 있습니다"):
        services.save_question(survey, {"code": "q1", "type": "number", "label_ko": "x"})
    with pytest.raises(BadInput, match="앞선 문항"):
        services.save_question(
            survey, {"code": "q0", "type": "number", "label_ko": "x", "order": 1, "condition": {"question": "q2"}}
        )
    with pytest.raises(BadInput, match="label_ko"):
        services.save_question(survey, {"code": "q3", "type": "number", "label_ko": " "})
    with pytest.raises(BadInput, match="가리킵니다"):
        services.delete_question(q1)
    with pytest.raises(BadInput, match="slug"):
        services.create_survey(world["cx"], "blank-one")
    with pytest.raises(BadInput, match="template"):
        services.create_survey(world["cx"], "x", template="nope")


def test_questions_freeze_once_answered(demand, world):
    inv = demand.invitations.get(company=world["a"])
    services.submit_response(inv, VALID)
    q = demand.questions.get(code="main_business")
    services.save_question(demand, {"label_ko": "주력 업종은?"}, q)  # wording may change
    with pytest.raises(BadInput, match="choices"):
        services.save_question(demand, {"choices": [{"value": "x"}]}, q)
    with pytest.raises(BadInput):
        services.save_question(demand, {"code": "new", "type": "number", "label_ko": "새"})


def test_token_links_sign_expire_and_revoke(demand, world):
    inv = demand.invitations.get(company=world["a"])
    token = services.invitation_token(inv)
    assert services.invitation_from_token(token) == inv
    with pytest.raises(BadInput) as bad:
        services.invitation_from_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert bad.value.status == 403
    forged = signing.dumps({"i": inv.pk, "n": inv.nonce}, salt="another-salt")
    with pytest.raises(BadInput):
        services.invitation_from_token(forged)
    with pytest.raises(BadInput) as expired:
        services.invitation_from_token(token, max_age_days=-1)
    assert expired.value.status == 410
    services.revoke_link(inv)
    with pytest.raises(BadInput, match="revoked"):
        services.invitation_from_token(token)
    assert services.invitation_from_token(services.invitation_token(inv)) == inv


def test_one_response_per_company_editable_until_close(demand, world):
    inv = demand.invitations.get(company=world["a"])
    first = services.submit_response(inv, VALID)
    second = services.submit_response(inv, {**VALID, "main_business": "machinery"})
    assert first.pk == second.pk and Response.objects.filter(survey=demand).count() == 1
    assert Response.objects.get().answers["main_business"] == "machinery"
    assert Response.objects.get().segment == {
        "division": "25",
        "size_class": "small",
        "tech_intensity": world["a"].tech_intensity,
        "legal_dong": "장림동",
    }
    assert Invitation.objects.get(pk=inv.pk).answered_at is not None
    # the database refuses a second response of the same company
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=demand, complex=demand.complex, company=world["a"], answers={})
    services.set_status(demand, SurveyStatus.CLOSED)
    with pytest.raises(BadInput, match="마감") as closed:
        services.submit_response(inv, VALID)
    assert closed.value.status == 409


def test_closing_day_passed_closes(demand, world):
    demand.closes_on = timezone.localdate() - dt.timedelta(days=1)
    demand.save()
    with pytest.raises(BadInput, match="마감"):
        services.submit_response(demand.invitations.get(company=world["a"]), VALID)


def test_answers_validated_whole_with_messages(demand, world):
    inv = demand.invitations.get(company=world["a"])
    with pytest.raises(services.AnswersInvalid) as bad:
        services.submit_response(inv, {**VALID, "employees": "많음", "participation": "9", "main_business": ""})
    assert set(bad.value.errors) == {"employees", "participation", "main_business"}
    assert "숫자가 아닙니다" in bad.value.errors["employees"]
    assert "응답이 필요합니다" in bad.value.errors["main_business"]
    assert not Response.objects.exists()
    # a hidden question's answer is dropped: no training → no topics
    r = services.submit_response(inv, {**VALID, "training_needed": "no"})
    assert "training_topics" not in r.answers


def test_anonymous_keeps_no_company(world):
    world["a"].ksic_code = "25911"
    world["a"].save()
    survey = services.create_survey(world["cx"], "anon", template="satisfaction", anonymous=True)
    services.set_status(survey, SurveyStatus.OPEN)
    services.invite_companies(survey)
    inv = survey.invitations.get(company=world["a"])
    r = services.submit_response(inv, {"overall": "5"})
    assert r.company is None and r.segment["division"] == "25"
    assert Response.objects.filter(company__isnull=False).count() == 0
    assert Invitation.objects.get(pk=inv.pk).answered_at is not None  # tracking still knows who answered
    with pytest.raises(BadInput, match="익명") as again:
        services.submit_response(inv, {"overall": "1"})
    assert again.value.status == 409 and Response.objects.count() == 1
    # and the company's members do not see it among their own responses
    from techvalley.core.scoping import viewer_for

    assert not selectors.own_responses(viewer_for(world["users"]["member_a"]), world["cx"]).exists()


def test_tracking_and_reminders(demand, world):
    services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    from techvalley.core.scoping import viewer_for

    officer = viewer_for(world["users"]["officer"])
    t = selectors.tracking(officer, demand)
    assert (t["invited"], t["answered"], t["rate"]) == (2, 1, 0.5)
    assert services.queue_reminders(demand, "http://testserver") == 1
    inv_b = demand.invitations.get(company=world["b"])
    assert inv_b.reminders == 1 and inv_b.messages.get().body.count("http://testserver/surveys/r/") == 1
    with pytest.raises(PermissionDenied):
        selectors.tracking(viewer_for(world["users"]["manager_a"]), demand)


def test_candidate_from_a_theme_and_communication_counts(demand, world):
    r1 = services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    r2 = services.submit_response(demand.invitations.get(company=world["b"]), VALID)
    c = services.create_candidate(
        world["cx"], "에너지 비용 절감 지원", survey=demand, keywords=["전기요금"], response_ids=[r1.pk, r2.pk]
    )
    assert c.estimated_companies == 2 and set(c.responses.all()) == {r1, r2}
    services.update_candidate(c, {"estimated_cost_million_krw": "1500", "status": "selected"})
    c.refresh_from_db()
    assert c.estimated_cost_million_krw == 1500 and c.status == "selected"
    with pytest.raises(BadInput):
        services.update_candidate(c, {"estimated_cost_million_krw": "-3"})
    for kind, day in [
        ("briefing", "2023-06-12"),
        ("briefing", "2024-03-02"),
        ("press", "2023-07-01"),
        ("expert", "2023-09-10"),
    ]:
        services.save_communication(world["cx"], {"kind": kind, "held_on": day, "title": "설명회"})
    counts = selectors.communication_counts(world["cx"])
    assert counts["by_kind"] == {"briefing": {2023: 1, 2024: 1}, "expert": {2023: 1}, "press": {2023: 1}}
    assert counts["by_year"] == {2023: 3, 2024: 1} and counts["total"] == 4
    assert selectors.communication_counts(world["cx"], years=[2024])["total"] == 1
    with pytest.raises(BadInput, match="held_on"):
        services.save_communication(world["cx"], {"kind": "press", "held_on": "2023-13-01", "title": "x"})
    with pytest.raises(BadInput, match="kind"):
        services.save_communication(world["cx"], {"kind": "party", "held_on": "2023-01-01", "title": "x"})


def test_question_model_spec_roundtrip(demand):
    q = Question.objects.get(survey=demand, code="infrastructure_rating")
    spec = q.spec()
    assert spec.type == "matrix" and spec.row_values == ["roads", "parking", "transit", "amenities"]


def test_outbox_sends_and_keeps_failures(demand, world, settings):
    from django.core import mail

    from techvalley.surveys.models import Message

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert demand.invitations.get(company=world["a"]).email == "a@example.com"  # the company's contact
    demand.invitations.filter(company=world["b"]).update(email="")
    assert services.queue_reminders(demand, "https://platform.example") == 2
    result = services.send_queued_messages(world["cx"])
    assert result == {"sent": 1, "failed": 0, "waiting": 0}  # company B has no address: skipped
    assert len(mail.outbox) == 1 and "https://platform.example/surveys/r/" in mail.outbox[0].body
    assert Message.objects.filter(sent_at__isnull=False).count() == 1
    services.queue_reminders(demand, "https://platform.example")
    settings.EMAIL_BACKEND = "tests.surveys.test_services.FailingBackend"
    assert services.send_queued_messages(world["cx"]) == {"sent": 0, "failed": 1, "waiting": 1}
    assert "SMTP down" in Message.objects.get(sent_at__isnull=True, to="a@example.com").error


def test_two_first_answers_at_once_keep_one_response(demand, world):
    inv = demand.invitations.get(company=world["a"])
    # another request created the response between our look-up and our insert
    Response.objects.create(survey=demand, complex=demand.complex, company=world["a"], answers={"x": 1})
    r = services.submit_response(inv, VALID)
    assert Response.objects.filter(survey=demand, company=world["a"]).count() == 1 and r.answers["employees"] == 25


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")
