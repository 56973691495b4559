"""Plan-tracking endpoints: pledges with planned vs actual, cards as JSON, the report workflow."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from techvalley.core.api import get_complex, viewer
from techvalley.core.validation import check_size
from techvalley.projects import communication, permissions, selectors, services
from techvalley.projects.card import CardParseError, parse_card
from techvalley.projects.models import ProgressReport, Project

router = Router(tags=["plan"])


class PledgeOut(Schema):
    id: int
    management_no: str
    title: str
    status: str
    status_label: str
    public: bool
    department: str
    planned_percent: float | None
    actual_percent: float | None
    behind_plan: bool
    budget_planned: int
    budget_secured: int
    budget_spent: int
    overdue_next_steps: list[dict]


class CardText(Schema):
    text: str


class ReportIn(Schema):
    year: int
    quarter: int
    percent: Decimal
    summary: str = ""
    new_achievements: list[dict] = []


class ReportOut(Schema):
    id: int
    project_id: int
    year: int
    quarter: int
    state: str
    state_label: str
    percent: Decimal
    summary: str
    new_achievements: list[dict]
    review_comment: str


class ReviewIn(Schema):
    comment: str = ""


FORBIDDEN = "구청 담당자만 할 수 있습니다. / District officers of this complex only."


def _require(allowed: bool, message: str = FORBIDDEN) -> None:
    if not allowed:
        raise HttpError(403, message)


def _report_out(report: ProgressReport) -> dict:
    return {
        "id": report.pk,
        "project_id": report.project_id,
        "year": report.year,
        "quarter": report.quarter,
        "state": report.state,
        "state_label": str(report.get_state_display()),
        "percent": report.percent,
        "summary": report.summary,
        "new_achievements": report.new_achievements,
        "review_comment": report.review_comment,
    }


@router.get("/pledges", response=list[PledgeOut])
def pledges(request, complex: str | None = None):
    """Pledges with status and progress; the public sees public pledges only."""
    cx = get_complex(complex)
    rows = selectors.pledge_rows(viewer(request), cx)
    return [
        {
            "id": r.project.pk,
            "management_no": r.project.management_no,
            "title": r.project.title,
            "status": r.project.status,
            "status_label": str(r.project.get_status_display()),
            "public": r.project.public,
            "department": r.project.department_name,
            "planned_percent": r.planned,
            "actual_percent": r.actual,
            "behind_plan": r.behind,
            "budget_planned": r.budget.planned,
            "budget_secured": r.budget.secured,
            "budget_spent": r.budget.spent,
            "overdue_next_steps": [{"text": f.text, "due": f.due} for f in r.overdue],
        }
        for r in rows
    ]


@router.get("/pledges/{project_id}/card")
def card(request, project_id: int):
    """The card as JSON (docs/card-format.md); without internal contacts unless you are an officer.
    ``communication`` holds the counts shown (from the communication records, or as written on the
    card); ``communication_source`` says which, as of when, and the card's own figures."""
    project = get_object_or_404(Project, pk=project_id)
    v = viewer(request)
    if not permissions.can_view_pledge(v, project):
        raise HttpError(404, "공약을 찾을 수 없습니다. / No such pledge.")
    public = not permissions.can_view_internal_card(v, project)
    card, shown = communication.card_as_shown(project, public=public)
    return {**card, "communication_source": communication.describe(shown)}


@router.post("/cards/parse", auth=None)
def parse(request, payload: CardText):
    """Parse a card in the text layout; returns the structure and the lines it could not place."""
    check_size(len(payload.text.encode("utf-8")), services.CARD_MAX_BYTES, "관리카드 / card")
    try:
        return parse_card(payload.text).as_dict()
    except CardParseError as exc:
        raise HttpError(422, str(exc)) from exc


@router.post("/pledges/{project_id}/reports", response=ReportOut)
def draft(request, project_id: int, payload: ReportIn):
    """Draft (or revise) the quarterly report of a pledge. A report for the same quarter made by
    a concurrent request answers 409 ``conflict``."""
    project = get_object_or_404(Project, pk=project_id)
    _require(permissions.can_draft_report(viewer(request), project))
    try:
        report = services.draft_report(
            project,
            payload.year,
            payload.quarter,
            payload.percent,
            summary=payload.summary,
            new_achievements=payload.new_achievements,
            user=request.user,
        )
    except services.WorkflowError as exc:
        raise HttpError(409, str(exc)) from exc
    return _report_out(report)


@router.get("/reports", response=list[ReportOut])
def reports(request, complex: str | None = None, state: str = ""):
    """The complex's quarterly reports (officers of the complex), optionally in one state."""
    cx = get_complex(complex)
    v = viewer(request)
    _require(permissions.can_view_plan(v, cx))
    if state and state not in dict(ProgressReport.State.choices):
        raise HttpError(400, f"state: {', '.join(ProgressReport.State.values)}")
    return [_report_out(r) for r in selectors.reports(v, cx, state)]


@router.post("/reports/{report_id}/{action}", response=ReportOut)
def act(request, report_id: int, action: str, payload: ReviewIn):
    """``submit`` (the department), ``approve`` or ``return`` (the planning office)."""
    report = get_object_or_404(ProgressReport.objects.select_related("project"), pk=report_id)
    v = viewer(request)
    _require(permissions.can_view_report(v, report))
    if action not in ("submit", "approve", "return"):
        raise HttpError(404, "submit, approve or return")
    if action != "submit" and not permissions.can_approve_report(v, report):
        raise HttpError(403, "기획부서만 승인·반려할 수 있습니다. / Planning office only.")
    try:
        if action == "submit":
            services.submit_report(report, request.user)
        else:
            (services.approve_report if action == "approve" else services.return_report)(
                report, request.user, payload.comment
            )
    except services.WorkflowError as exc:
        raise HttpError(409, str(exc)) from exc
    return _report_out(report)
