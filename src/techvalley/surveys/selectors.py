"""Read queries of the surveys app, scoped to the viewer.

Officers of a complex read its surveys, invitations, responses and analyses; a company's members
read their own company's invitations and responses; published results and the communication
counts are public. Anything else is a ``PermissionDenied`` (or a 404 for what does not exist).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone

from techvalley.core.scoping import Viewer
from techvalley.surveys import analysis, permissions
from techvalley.surveys.models import (
    Candidate,
    CommunicationKind,
    CommunicationRecord,
    Invitation,
    Response,
    Survey,
    SurveyStatus,
)

OFFICERS_ONLY = "구청 담당자만 볼 수 있습니다. / District officers only."


def managed_survey(viewer: Viewer, pk: int) -> Survey:
    """A survey an officer works on (404 if it does not exist, 403 for anyone else)."""
    survey = get_object_or_404(Survey.objects.select_related("complex"), pk=pk)
    if not permissions.can_manage_surveys(viewer, survey.complex):
        raise PermissionDenied(OFFICERS_ONLY)
    return survey


def surveys_of(viewer: Viewer, cx):
    if not permissions.can_manage_surveys(viewer, cx):
        raise PermissionDenied(OFFICERS_ONLY)
    return (
        Survey.objects.filter(complex=cx)
        .annotate(
            n_invited=Count("invitations", distinct=True),
            n_answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True),
            n_responses=Count("responses", distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def to_answer(viewer: Viewer, cx) -> list[dict]:
    """Open surveys for the viewer's companies, with whether each company has answered."""
    companies = list(permissions.own_companies(viewer, cx))
    if not companies:
        return []
    surveys = [s for s in Survey.objects.filter(complex=cx, status=SurveyStatus.OPEN) if s.accepting]
    answered = set(
        Invitation.objects.filter(survey__in=surveys, company__in=companies, answered_at__isnull=False).values_list(
            "survey_id", "company_id"
        )
    )
    return [{"survey": s, "company": c, "answered": (s.pk, c.pk) in answered} for s in surveys for c in companies]


def own_responses(viewer: Viewer, cx):
    """The responses of the viewer's own companies (never anonymous ones)."""
    return Response.objects.filter(complex=cx, company__in=permissions.own_companies(viewer, cx)).select_related(
        "survey", "company"
    )


def response_for(viewer: Viewer, pk: int) -> Response:
    response = get_object_or_404(Response.objects.select_related("survey", "company"), pk=pk)
    if not permissions.can_view_response(viewer, response):
        raise PermissionDenied("이 응답을 볼 수 없습니다. / You may not see this response.")
    return response


def tracking(viewer: Viewer, survey: Survey) -> dict:
    """Per company: invited, sent, reminded, answered — and the response rate."""
    if not permissions.can_manage_surveys(viewer, survey.complex):
        raise PermissionDenied(OFFICERS_ONLY)
    if survey.anonymous:
        # Counts only: which companies answered (or have not yet) would, with the responses' days and
        # segments, point at who gave which answers. Reminders still reach those who have not answered
        # (services.queue_reminders reads the invitations; no page lists them).
        counts = survey.invitations.aggregate(
            invited=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False))
        )
        invited, answered = counts["invited"], counts["answered"]
        invitations = []
    else:
        invitations = list(survey.invitations.select_related("company").order_by("company__name", "id"))
        invited, answered = len(invitations), sum(1 for i in invitations if i.answered_at)
    return {
        "invitations": invitations,
        "anonymous": survey.anonymous,
        "invited": invited,
        "answered": answered,
        "rate": round(answered / invited, 4) if invited else 0.0,
        "responses": survey.responses.count(),
    }


#: Anonymous surveys show no results (to officers either) until this many responses came in, and
#: their cross-tab rows of fewer answers are merged, as published results are: a small group's
#: answers, with its segment, describe a company one can name.
MIN_ANONYMOUS = analysis.MIN_PUBLIC_CELL


def suppression(survey: Survey, n_responses: int) -> str:
    """Why a survey's results are withheld ("" when they are not)."""
    if survey.anonymous and n_responses < MIN_ANONYMOUS:
        return (
            f"익명 설문은 응답이 {MIN_ANONYMOUS}건 이상일 때 결과를 보여 줍니다 (지금 {n_responses}건): 응답이 적으면 "
            f"누가 답했는지 알 수 있기 때문입니다. / Anonymous surveys show results from {MIN_ANONYMOUS} responses on "
            f"(now {n_responses}): fewer would tell who answered."
        )
    return ""


def response_rows(survey: Survey) -> list[dict]:
    """The responses as analysis reads them (ids, refs, answers, segments): no company names."""
    return [
        {"id": pk, "ref": ref, "answers": answers, "segment": segment}
        for pk, ref, answers, segment in survey.responses.order_by("id").values_list("id", "ref", "answers", "segment")
    ]


def survey_analysis(viewer: Viewer | None, survey: Survey, *, public: bool = False, kiwi=None) -> dict:
    """The analysis document of ``techvalley survey analyse --json``. ``public``: published results,
    without response references, quotes or small cross-tab cells."""
    if public:
        if not permissions.can_view_public_results(survey):
            raise PermissionDenied("결과가 공개되지 않았습니다. / The results are not published.")
    elif viewer is not None and not permissions.can_manage_surveys(viewer, survey.complex):
        raise PermissionDenied(OFFICERS_ONLY)
    doc = _cached_analysis(survey, kiwi)
    doc["survey"] = {"slug": survey.slug, "title": survey.title_ko, "status": survey.status}
    withheld = suppression(survey, doc["responses"])
    if withheld:
        doc["suppressed"] = withheld
        doc["questions"] = [{k: item[k] for k in ("code", "type", "label")} for item in doc["questions"]]
    if public:
        for item in doc["questions"]:
            for theme in item.get("themes", []):
                theme["responses"] = []
                theme["quotes"] = []
    return doc


def _cached_analysis(survey: Survey, kiwi=None) -> dict:
    """The analysis of the survey's current answers and questions (Korean text analysis takes
    seconds): cached until a response or question changes."""
    import copy

    from django.core.cache import cache
    from django.db.models import Max

    state = survey.responses.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    shape = survey.questions.aggregate(n=Count("id"), top=Max("id"))
    import hashlib

    parts = (survey.pk, state["n"], state["last"], state["top"], shape["n"], shape["top"], survey.updated_at)
    key = "surveys-analysis-" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    doc = cache.get(key)
    if doc is None:
        specs = [q.spec() for q in survey.questions.all()]
        doc = analysis.analyse(specs, response_rows(survey), kiwi=kiwi)
        cache.set(key, doc, 3600)
    return copy.deepcopy(doc)


def survey_crosstabs(viewer: Viewer | None, survey: Survey, dimension: str, *, public: bool = False) -> dict:
    """Cross-tabs of every choice question by ``dimension``. Published results and anonymous surveys
    merge rows of fewer than three answers into "other"; an anonymous survey with fewer than three
    responses has none. ``viewer`` None: the command line."""
    if public:
        if not permissions.can_view_public_results(survey):
            raise PermissionDenied("결과가 공개되지 않았습니다. / The results are not published.")
    elif viewer is not None and not permissions.can_manage_surveys(viewer, survey.complex):
        raise PermissionDenied(OFFICERS_ONLY)
    rows = response_rows(survey)
    if suppression(survey, len(rows)):
        return {}
    specs = [q.spec() for q in survey.questions.all()]
    tables = analysis.crosstabs(specs, rows, [dimension])
    out = {code: t[dimension] for code, t in tables.items()}
    if public or survey.anonymous:
        out = {code: analysis.suppress_small(t) for code, t in out.items()}
    return out


def candidates_of(viewer: Viewer, cx):
    if not permissions.can_manage_surveys(viewer, cx):
        raise PermissionDenied(OFFICERS_ONLY)
    return Candidate.objects.filter(complex=cx).select_related("survey").annotate(n_responses=Count("responses"))


def candidate_for(viewer: Viewer, pk: int) -> Candidate:
    candidate = get_object_or_404(Candidate.objects.select_related("survey", "complex"), pk=pk)
    if not permissions.can_manage_surveys(viewer, candidate.complex):
        raise PermissionDenied(OFFICERS_ONLY)
    return candidate


def communication_of(viewer: Viewer, cx):
    if not permissions.can_keep_communication(viewer, cx):
        raise PermissionDenied(OFFICERS_ONLY)
    return CommunicationRecord.objects.filter(complex=cx).select_related("survey")


def communication_record(viewer: Viewer, pk: int) -> CommunicationRecord:
    record = get_object_or_404(CommunicationRecord.objects.select_related("complex"), pk=pk)
    if not permissions.can_keep_communication(viewer, record.complex):
        raise PermissionDenied(OFFICERS_ONLY)
    return record


def communication_counts(complex, *, years: range | list[int] | None = None, public_only: bool = False) -> dict:
    """Resident communication (구민소통 실적) counted by kind and year, for the plan card.

    ``{"by_kind": {kind: {year: n}}, "by_year": {year: n}, "total": n, "kinds": {kind: label},
    "as_of": "YYYY-MM-DD" (the day counted), "latest": "YYYY-MM-DD" | None (the last record's date),
    "records": n}``. ``kind`` is a ``CommunicationKind`` value (briefing, report, satisfaction,
    resident_survey, expert, press, other). ``years``: only records held in these years (None: all);
    ``public_only``: only records marked public. Not private (a count reveals no one)."""
    qs = CommunicationRecord.objects.filter(complex=complex)
    if public_only:
        qs = qs.filter(public=True)
    if years is not None:
        years = [int(y) for y in years]
        qs = qs.filter(held_on__year__in=years)
    by_kind: dict[str, Counter] = defaultdict(Counter)
    by_year: Counter = Counter()
    latest = None
    # counted in the database: one row per kind and year, whatever the number of records
    grouped = qs.annotate(year=ExtractYear("held_on")).values("kind", "year")
    for row in grouped.annotate(n=Count("id"), last=Max("held_on")).order_by():
        by_kind[row["kind"]][row["year"]] += row["n"]
        by_year[row["year"]] += row["n"]
        latest = row["last"] if latest is None or row["last"] > latest else latest
    total = sum(by_year.values())
    return {
        "by_kind": {k: dict(sorted(by_kind[k].items())) for k in CommunicationKind.values if k in by_kind},
        "by_year": dict(sorted(by_year.items())),
        "total": total,
        "kinds": {k: str(label) for k, label in CommunicationKind.choices},
        "as_of": timezone.localdate().isoformat(),
        "latest": latest.isoformat() if latest else None,
    }
