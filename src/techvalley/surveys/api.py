"""Survey endpoints: the complex's surveys and their questions, the analysis, one response, and the
resident-communication counts the plan card shows. Who may do what: ``surveys.permissions``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from techvalley.core.api import get_complex, viewer
from techvalley.core.validation import year_param
from techvalley.surveys import permissions, selectors
from techvalley.surveys.models import Survey

router = Router(tags=["surveys"])


def _denied(exc: PermissionDenied):
    return HttpError(403, str(exc.args[0]) if exc.args else "권한이 없습니다. / Not allowed.")


def _officer(request, cx):
    v = viewer(request)
    if not v.is_authenticated:
        raise HttpError(401, "인증이 필요합니다. / Authentication required.")
    if not permissions.can_manage_surveys(v, cx):
        raise HttpError(403, selectors.OFFICERS_ONLY)
    return v


class SurveyOut(Schema):
    id: int
    slug: str
    title_ko: str
    title_en: str
    status: str
    anonymous: bool
    simulated: bool
    opens_on: str | None
    closes_on: str | None
    invited: int
    answered: int
    responses: int


@router.get("/", response=list[SurveyOut])
def list_surveys(request, complex: str | None = None):
    """The complex's surveys with invitation and response counts (officers)."""
    cx = get_complex(complex)
    v = _officer(request, cx)
    return [
        {
            "id": s.pk,
            "slug": s.slug,
            "title_ko": s.title_ko,
            "title_en": s.title_en,
            "status": s.status,
            "anonymous": s.anonymous,
            "simulated": s.simulated,
            "opens_on": s.opens_on.isoformat() if s.opens_on else None,
            "closes_on": s.closes_on.isoformat() if s.closes_on else None,
            "invited": s.n_invited,
            "answered": s.n_answered,
            "responses": s.n_responses,
        }
        for s in selectors.surveys_of(v, cx)
    ]


@router.get("/communication/counts")
def communication_counts(request, complex: str | None = None, year: int | None = None):
    """Resident communication (구민소통 실적) counted by kind and year — public figures."""
    cx = get_complex(complex)
    years = [year_param(year)] if year is not None else None
    return selectors.communication_counts(
        cx, years=years, public_only=not permissions.can_keep_communication(viewer(request), cx)
    )


@router.get("/responses/{response_id}")
def get_response(request, response_id: int):
    """One response: the complex's officers, or the answering company's own members."""
    v = viewer(request)
    if not v.is_authenticated:
        raise HttpError(401, "인증이 필요합니다. / Authentication required.")
    try:
        r = selectors.response_for(v, response_id)
    except PermissionDenied as exc:
        raise _denied(exc) from exc
    return {
        "id": r.pk,
        "survey": r.survey.slug,
        "ref": r.ref,
        "company_id": r.company_id,
        "source": r.source,
        "answers": r.answers,
        "submitted_at": r.submitted_at.isoformat(),
        "updated_at": r.updated_at.isoformat(),
    }


def _survey(request, survey_id: int) -> Survey:
    survey = get_object_or_404(Survey.objects.select_related("complex"), pk=survey_id)
    _officer(request, survey.complex)
    return survey


@router.get("/{survey_id}")
def get_survey(request, survey_id: int):
    """A survey and its questions (``code``, ``type``, Korean and English labels, choices, conditions)."""
    from techvalley.surveys.cli import survey_document

    return survey_document(_survey(request, survey_id))


@router.get("/{survey_id}/analysis")
def get_analysis(request, survey_id: int):
    """Frequencies of every question and the themes of long-text answers (as ``survey analyse --json``)."""
    survey = _survey(request, survey_id)
    return selectors.survey_analysis(viewer(request), survey)
