"""Survey objects for the access-table test (tests/access.py): an open survey with the answers of
company A and company B, their signed links, a candidate project and a communication record."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from techvalley.surveys import services
from techvalley.surveys.models import SurveyStatus

XSS = "<script>alert(1)</script>"


def build(world) -> dict:
    cx = world["cx"]
    survey = services.create_survey(cx, "access-survey", template="satisfaction", title_ko=f"접근 시험 {XSS}")
    services.save_question(survey, {"code": "attachment", "type": "file", "label_ko": "자료"})
    services.set_status(survey, SurveyStatus.OPEN)
    services.publish_results(survey)
    out = {"token": {}, "response": {}}
    for side in ("a", "b"):
        inv = services.invitation_for(survey, world[side])
        path = default_storage.save(f"surveys/access/{side}.pdf", ContentFile(b"%PDF-1.4 access"))
        file = {"name": f"{side}.pdf", "size": 15, "path": path}
        response = services.submit_response(
            inv, {"overall": "4", "comments": f"주차장이 부족합니다 {XSS}", "attachment": file}
        )
        out["token"][side] = {"token": services.invitation_token(inv)}
        out["response"][side] = {"pk": response.pk, "response_id": response.pk}
    question = survey.questions.get(code="useful")
    candidate = services.create_candidate(cx, f"주차장 확보 {XSS}", survey=survey)
    record = services.save_communication(cx, {"kind": "briefing", "held_on": "2024-05-02", "title": f"설명회 {XSS}"})
    same = lambda params: {"a": params, "b": params}  # noqa: E731 — belongs to no company
    out["survey"] = same({"pk": survey.pk, "survey_id": survey.pk})
    out["published_survey"] = same({"pk": survey.pk})
    out["question"] = same({"pk": question.pk})
    out["candidate"] = same({"pk": candidate.pk})
    out["communication"] = same({"pk": record.pk})
    from django.apps import apps

    if apps.is_installed("techvalley.projects"):  # a plan heading to promote the candidate under
        heading = apps.get_model("projects", "Project").objects.create(complex=cx, title=f"접근 시험 공약 {XSS}")
        out["plan_heading"] = same({"pk": heading.pk})
    return out
