"""Plan-tracking endpoints: pledges with planned vs actual, cards as JSON, the report workflow."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from techvalley.core.api import get_complex, require_officer, viewer
from techvalley.projects import selectors, services
from techvalley.projects.card import CardParseError, parse_card
from techvalley.projects.models import ProgressReport, Project

router = Router(tags=["plan"])


class PledgeOut(Schema):
    id: int
    management_no: str
    title: str
    status: str
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
    percent: Decimal
    summary: str
    new_achievements: list[dict]
    review_comment: str


class ReviewIn(Schema):
    comment: str = ""


@router.get("/pledges", response=list[PledgeOut])
def pledges(request, complex: str | None = None):
    """Pledges with status and progress; the public sees public pledges only."""
    cx = get_complex(complex)
    rows = selectors.pledge_rows(cx, public_only=not viewer(request).is_officer_of(cx.pk))
    return [
        {
            "id": r.project.pk,
            "management_no": r.project.management_no,
            "title": r.project.title,
            "status": r.project.status,
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
    """The card as JSON (docs/card-format.md); without internal contacts unless you are an officer."""
    project = get_object_or_404(Project, pk=project_id)
    internal = viewer(request).is_officer_of(project.complex_id)
    if not internal and not project.public:
        raise HttpError(404, "공약을 찾을 수 없습니다. / No such pledge.")
    return services.card_of(project, public=not internal)


@router.post("/cards/parse", auth=None)
def parse(request, payload: CardText):
    """Parse a card in the text layout; returns the structure and the lines it could not place."""
    try:
        return parse_card(payload.text).as_dict()
    except CardParseError as exc:
        raise HttpError(422, str(exc)) from exc


def _officer_project(request, project_id: int) -> Project:
    project = get_object_or_404(Project, pk=project_id)
    require_officer(request, project.complex)
    return project


@router.post("/pledges/{project_id}/reports", response=ReportOut)
def draft(request, project_id: int, payload: ReportIn):
    project = _officer_project(request, project_id)
    try:
        return services.draft_report(
            project,
            payload.year,
            payload.quarter,
            payload.percent,
            summary=payload.summary,
            new_achievements=payload.new_achievements,
            user=request.user,
        )
    except services.WorkflowError as exc:
        raise HttpError(422, str(exc)) from exc


@router.get("/reports", response=list[ReportOut])
def reports(request, complex: str | None = None, state: str = ""):
    cx = get_complex(complex)
    return selectors.reports(require_officer(request, cx), cx, state)


@router.post("/reports/{report_id}/{action}", response=ReportOut)
def act(request, report_id: int, action: str, payload: ReviewIn):
    """``submit`` (the department), ``approve`` or ``return`` (the planning office)."""
    report = get_object_or_404(ProgressReport.objects.select_related("project"), pk=report_id)
    v = require_officer(request, report.project.complex)
    try:
        if action == "submit":
            services.submit_report(report, request.user)
        elif action in ("approve", "return"):
            if not v.is_planner_of(report.project.complex_id):
                raise HttpError(403, "기획부서만 승인·반려할 수 있습니다. / Planning office only.")
            (services.approve_report if action == "approve" else services.return_report)(
                report, request.user, payload.comment
            )
        else:
            raise HttpError(404, "submit, approve or return")
    except services.WorkflowError as exc:
        raise HttpError(409, str(exc)) from exc
    return report
