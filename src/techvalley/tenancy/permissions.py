"""Who may do what with centres, tenants and attraction: readable predicates over a ``Viewer``.

Public: centres' public facts and vacant units, the eligibility self-check, the inquiry form.
A tenant company's own members: its own leases (unit, term, area, rent), never another's.
District officers of the complex: everything else — units' owners and tenants, leases, the
tenant audit, leads (personal data), the funnel, campaigns, roundtables and the rule data.
"""

from __future__ import annotations

from techvalley.core.scoping import Viewer


def can_manage_tenancy(viewer: Viewer, complex) -> bool:
    """Centres, units, tenants, leases, leads, campaigns, roundtables of the complex."""
    return complex is not None and viewer.is_officer_of(complex.pk)


def can_view_centre_internals(viewer: Viewer, centre) -> bool:
    """Owners, tenants, leases and support areas of a centre."""
    return viewer.is_officer_of(centre.complex_id)


def can_view_centre(viewer: Viewer, centre) -> bool:
    """A centre's public page: published centres for everyone, the others for its officers."""
    return centre.published or can_view_centre_internals(viewer, centre)


def can_view_lead(viewer: Viewer, lead) -> bool:
    """A lead holds personal data given for the complex's attraction: its officers only."""
    return viewer.is_officer_of(lead.complex_id)


def can_edit_rules(viewer: Viewer, complex) -> bool:
    """The eligibility rule data applies platform-wide: a district officer may propose and
    activate a version (each version is kept, with who made it) — from their own complex's
    pages, like every officer page (an officer looking at another complex sees only its public
    pages)."""
    return can_manage_tenancy(viewer, complex)


def can_open_attraction(viewer: Viewer) -> bool:
    """The officers' "Attraction" menu entry: officers of the complex the page is about (an
    officer of another complex would only meet a 403)."""
    return viewer.is_officer_here


def can_view_company_leases(viewer: Viewer, company) -> bool:
    """A company's leases in knowledge-industry centres: its own members and managers, and the
    officers of its complex — never another company."""
    return company is not None and viewer.can_see_private(company.organisation_id, company.complex_id)


def has_company(viewer: Viewer) -> bool:
    """Whether the viewer belongs to a company (the company home's lease panel)."""
    return bool(viewer.company_org_ids)
