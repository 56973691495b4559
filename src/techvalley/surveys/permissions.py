"""Who may do what with surveys: named predicates used by views, API, templates and selectors.

Officers of the complex build surveys, invite companies, see every answer, analyse, export,
import, run the candidate board and keep the communication records. A company's answers are
its private data: its own members and the complex's officers see them, nobody else. Anyone
holding a company's signed link may answer for it without signing in (the link is the
credential). Published results carry no identifying data and are public.
"""

from __future__ import annotations

from techvalley.core.scoping import Viewer


def can_manage_surveys(viewer: Viewer, complex) -> bool:
    """Build, open and close surveys, invite, remind, analyse, export, import: the complex's officers."""
    return viewer.is_officer_of(complex.pk)


def can_view_response(viewer: Viewer, response) -> bool:
    """One response: the complex's officers, and the answering company's own members (never for an
    anonymous response, which belongs to no company)."""
    if viewer.is_officer_of(response.complex_id):
        return True
    company = response.company
    return company is not None and company.organisation_id is not None and company.organisation_id in viewer.org_ids


def can_answer_for(viewer: Viewer, company) -> bool:
    """Answer (signed in) on behalf of the company: its own members and managers."""
    return company.organisation_id is not None and company.organisation_id in viewer.company_org_ids


def own_companies(viewer: Viewer, complex=None):
    """The companies whose answers the viewer may give (their organisations' companies)."""
    from techvalley.registry.models import Company

    if not viewer.company_org_ids:
        return Company.objects.none()
    qs = Company.objects.filter(organisation_id__in=viewer.company_org_ids)
    return qs.filter(complex=complex) if complex is not None else qs


def can_open_surveys(viewer: Viewer) -> bool:
    """The "Surveys" menu entry: officers (the surveys they run) and company users (theirs to answer)."""
    return viewer.is_officer_here or own_companies(viewer).exists()


def can_view_public_results(survey) -> bool:
    return survey.results_published


def can_keep_communication(viewer: Viewer, complex) -> bool:
    """Resident communication records: kept by the complex's officers."""
    return viewer.is_officer_of(complex.pk)


def can_open_officer_pages(viewer: Viewer) -> bool:
    """Officers of the complex the page is about (of any complex when it is not known)."""
    return viewer.is_officer_here
