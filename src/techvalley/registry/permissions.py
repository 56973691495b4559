"""Who may do what in the registry: named predicates used by views, API, templates and selectors.

Each predicate takes the viewer (``core.scoping.Viewer``) and the object it is about. A page
shows a button or menu entry only if the predicate that guards its target holds, so no link
leads to a 403.
"""

from __future__ import annotations

from techvalley.core.scoping import Viewer


def can_view_directory(viewer: Viewer, cx=None) -> bool:
    """The directory, company pages and the structure: published registry data, for everyone."""
    return True


def can_view_private(viewer: Viewer, company) -> bool:
    """Revenue, full contacts, business number, change history: the company's own people and
    the district officers of its complex."""
    return viewer.can_see_private(company.organisation_id, company.complex_id)


def can_edit_profile(viewer: Viewer, company) -> bool:
    """The profile (employees, products, certifications …): the company's managers and officers.
    A company's ordinary members see it but do not edit it."""
    return viewer.can_manage(company.organisation_id, company.complex_id)


def can_edit_contacts(viewer: Viewer, company) -> bool:
    """Adding the company's contact persons (with their consent): its managers, and officers on
    the company's behalf (who note how consent was obtained)."""
    return viewer.can_manage(company.organisation_id, company.complex_id)


def can_withdraw_contact(viewer: Viewer, contact) -> bool:
    """Withdrawing a contact person's consent (erasing them): the person themself, the company's
    managers and the complex's officers."""
    if viewer.is_authenticated and contact.user_id is not None and viewer.user_id == contact.user_id:
        return True
    return viewer.can_manage(contact.company.organisation_id, contact.complex_id)


def can_place_industry(viewer: Viewer, company) -> bool:
    """Setting a company's KSIC code by hand (the review queue): district officers."""
    return viewer.is_officer_of(company.complex_id)


def can_review(viewer: Viewer, cx) -> bool:
    """The review queue of a complex: its district officers."""
    return viewer.is_officer_of(cx.pk)


def can_import(viewer: Viewer, cx) -> bool:
    """Registry imports into a complex (and their history): its district officers."""
    return viewer.is_officer_of(cx.pk)


def can_compare_imports(viewer: Viewer, cx) -> bool:
    """The change of the structure between two imports: its district officers."""
    return viewer.is_officer_of(cx.pk)


def officer_anywhere(viewer: Viewer) -> bool:
    """For menu entries whose page picks the complex itself: an officer of some complex."""
    return viewer.is_officer


def can_edit_rules(viewer: Viewer, cx) -> bool:
    """The address rules of a complex (which registry rows belong to it): its district officers."""
    return viewer.is_officer_of(cx.pk)
