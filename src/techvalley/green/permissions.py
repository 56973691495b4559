"""Who may do what with energy data: named predicates used by views, API, templates and selectors.

A company's meter readings, energy figures and reduction measures are its private data: its own
members (manager or member) and the district officers of its complex see them; nobody else —
not another company, not a university, agency or support centre. Officers see the whole
complex. Company managers and officers record reduction measures; members only read them.
"""

from __future__ import annotations

from techvalley.core.scoping import Viewer


def can_view_energy(viewer: Viewer, company) -> bool:
    """The company's own energy page, exports and report."""
    return viewer.can_see_private(company.organisation_id, company.complex_id)


def can_view_complex_energy(viewer: Viewer, complex) -> bool:
    """The complex's energy: every company's figures, the reduction path, anomalies to look at."""
    return viewer.is_officer_of(complex.pk)


def can_send_readings(viewer: Viewer, company) -> bool:
    """Readings for the company's meters (a FEMS or gateway posting with a member's token)."""
    return viewer.is_authenticated and can_view_energy(viewer, company)


def can_manage_measures(viewer: Viewer, company) -> bool:
    """Record, change or remove the company's reduction measures: officers and its managers."""
    return viewer.can_manage(company.organisation_id, company.complex_id)


def own_energy_company(viewer: Viewer, complex=None):
    """The company whose energy a company user sees (its organisation's company), or None."""
    if not viewer.company_org_ids:
        return None
    from techvalley.registry.models import Company

    qs = Company.objects.filter(organisation_id__in=viewer.company_org_ids)
    if complex is not None:
        qs = qs.filter(complex=complex)
    return qs.order_by("id").first()


def can_open_energy(viewer: Viewer) -> bool:
    """Whether the "Energy" menu entry leads somewhere: officers to the complex, company users
    whose organisation has a company in the registry to their own page. Nobody else sees it."""
    return viewer.is_officer_here or own_energy_company(viewer) is not None
