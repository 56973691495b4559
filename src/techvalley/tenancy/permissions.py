"""Who may do what with centres, tenants and attraction: readable predicates over a ``Viewer``.

Public: centres' public facts and vacant units, the eligibility self-check, the inquiry form.
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


def can_edit_rules(viewer: Viewer) -> bool:
    """The eligibility rule data applies platform-wide: any district officer may propose and
    activate a version (each version is kept, with who made it)."""
    return viewer.is_officer


def can_open_attraction(viewer: Viewer) -> bool:
    """The officers' "Attraction" menu entry."""
    return viewer.is_officer
