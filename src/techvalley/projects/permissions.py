"""Who may do what in plan tracking: named predicates, used by views, API, templates and selectors.

Plan records belong to a complex, not to a company: the district officers of the complex run
the plan (cards, reports, budget), the planning office (기획부서) approves reports and links
achievements to other records, and everyone sees the public pledges without internal contacts.
"""

from __future__ import annotations

from techvalley.core.scoping import Viewer
from techvalley.projects.models import Evidence, ProgressReport, Project


def _complex_id(obj) -> int | None:
    """A complex's id from a Complex, an id, or a record of a complex."""
    if obj is None or isinstance(obj, int):
        return obj
    return obj.complex_id if hasattr(obj, "complex_id") else obj.pk


def can_view_plan(viewer: Viewer, complex_or_id) -> bool:
    """The officers' side of the plan: dashboard, cards with contacts, reports, budget, imports."""
    return viewer.is_officer_of(_complex_id(complex_or_id))


def can_view_pledge(viewer: Viewer, project: Project) -> bool:
    """A pledge's page: public pledges for everyone, internal ones for the complex's officers."""
    return project.public or can_view_plan(viewer, project.complex_id)


def can_view_internal_card(viewer: Viewer, project: Project) -> bool:
    """The whole card, with the department's contacts and phone numbers."""
    return can_view_plan(viewer, project.complex_id)


def can_edit_project(viewer: Viewer, project: Project) -> bool:
    """Edit the card, set progress by hand with a reason, budget lines, sub-projects."""
    return can_view_plan(viewer, project.complex_id)


def can_publish_project(viewer: Viewer, project: Project) -> bool:
    return can_edit_project(viewer, project)


def can_import_card(viewer: Viewer, complex_or_id) -> bool:
    return can_view_plan(viewer, complex_or_id)


def can_draft_report(viewer: Viewer, project: Project) -> bool:
    """The department (an officer of the complex) drafts and submits quarterly reports."""
    return can_view_plan(viewer, project.complex_id)


def can_view_report(viewer: Viewer, report: ProgressReport) -> bool:
    return can_view_plan(viewer, report.project.complex_id)


def can_edit_report(viewer: Viewer, report: ProgressReport) -> bool:
    """Revise or submit: an officer of the complex, while the report is a draft or returned."""
    return can_view_report(viewer, report) and report.state in (
        ProgressReport.State.DRAFT,
        ProgressReport.State.RETURNED,
    )


def can_approve_report(viewer: Viewer, report: ProgressReport) -> bool:
    """Approve or return a report: the planning office of the complex (not the report's author,
    which the workflow checks with its own message)."""
    return viewer.is_planner_of(report.project.complex_id)


def can_upload_evidence(viewer: Viewer, report: ProgressReport) -> bool:
    return can_edit_report(viewer, report)


def can_view_evidence(viewer: Viewer, evidence: Evidence) -> bool:
    """Evidence files are as private as the report they belong to."""
    return can_view_report(viewer, evidence.report)


def can_link_records(viewer: Viewer, project: Project) -> bool:
    """Link an achievement of the card to a record of another module (an agreement, a course …):
    the district officers of the complex, the planning office among them — core's rule for
    record links (``core.links.can_link_records``), which its add/remove views apply."""
    from techvalley.core import links

    return links.can_link_records(viewer, project.complex_id)
