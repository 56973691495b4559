"""Who may do what with centres, bookings and courses: named predicates used by views, API,
templates and selectors.

- Resources, their free slots and calendars (without who booked) and published courses are
  public: anyone may look.
- Anyone signed in with an organisation books for that organisation (a company's members and
  managers, universities, agencies, centres, officers).
- A booking, an invoice, an enrolment are the organisation's private data: its own members and
  the operators see them. Operators are the centre's operating organisation (e.g. 부산경제진흥원)
  and the district officers of the complex: they approve, reject, mark no-shows, override rules
  with a reason, run courses and take attendance.
- A company's manager enrols its employees on courses; members only look.
"""

from __future__ import annotations

from techvalley.core.scoping import Viewer


def is_operator(viewer: Viewer, centre) -> bool:
    return viewer.is_officer_of(centre.complex_id) or (
        centre.operator_id is not None and centre.operator_id in viewer.org_ids
    )


def operates_any(viewer: Viewer, complex=None) -> bool:
    """Whether the viewer operates some centre (of the complex): the approvals menu entry."""
    if viewer.is_superuser or (viewer.officer_complex_ids if complex is None else viewer.is_officer_of(complex.pk)):
        return True
    if not viewer.org_ids:
        return False
    from techvalley.facilities.models import Centre

    qs = Centre.objects.filter(operator_id__in=viewer.org_ids)
    if complex is not None:
        qs = qs.filter(complex=complex)
    return qs.exists()


def operates_here(viewer: Viewer) -> bool:
    """The operators' menu entry: operating a centre of the complex the page is about (an officer
    of another complex is not shown it), or of any complex when the page names none."""
    if viewer.here is None:
        return operates_any(viewer)
    from techvalley.core.models import Complex

    return operates_any(viewer, Complex(pk=viewer.here))


def booking_org_id(viewer: Viewer) -> int | None:
    """The organisation a viewer books for: their company first, else their first organisation."""
    if viewer.company_org_ids:
        return min(viewer.company_org_ids)
    if viewer.org_ids:
        return min(viewer.org_ids)
    return None


def books_as_outside_officer(viewer: Viewer, complex_id: int | None) -> bool:
    """Whether the viewer would book for a district office of another complex: district offices
    book in their own complex only (another district's officer is a visitor here)."""
    org = booking_org_id(viewer)
    return (
        complex_id is not None
        and org in viewer.orgs_of_kind("district")
        and not viewer.is_officer_of(complex_id)
        and not viewer.is_superuser
    )


def can_book(viewer: Viewer, resource=None) -> bool:
    """Anyone signed in with an organisation (companies, universities, agencies of any complex pay
    their tier's fee), except a district office of another complex."""
    if not viewer.is_authenticated or (booking_org_id(viewer) is None and not viewer.is_superuser):
        return False
    return not books_as_outside_officer(viewer, getattr(resource, "complex_id", None))


def can_see_booking(viewer: Viewer, booking) -> bool:
    return booking.organisation_id in viewer.org_ids or is_operator(viewer, booking.resource.centre)


def can_cancel(viewer: Viewer, booking) -> bool:
    return can_see_booking(viewer, booking)


def can_override(viewer: Viewer, resource) -> bool:
    return is_operator(viewer, resource.centre)


def can_see_who(viewer: Viewer, centre) -> bool:
    """Whether calendars show who booked (operators); others see their own bookings only."""
    return is_operator(viewer, centre)


def can_open_my_bookings(viewer: Viewer, complex=None) -> bool:
    return (
        viewer.is_authenticated
        and bool(viewer.org_ids)
        and not books_as_outside_officer(viewer, getattr(complex, "pk", None))
    )


def can_enrol(viewer: Viewer, organisation_id: int | None, complex_id: int) -> bool:
    """Enrol employees: the organisation's managers, and the complex's officers."""
    return viewer.can_manage(organisation_id, complex_id)


def can_run_course(viewer: Viewer, course) -> bool:
    """Take attendance, complete the course, see every enrolment: the course's operators."""
    if course.centre_id is not None:
        return is_operator(viewer, course.centre)
    return viewer.is_officer_of(course.complex_id)


def can_see_enrolment(viewer: Viewer, enrolment) -> bool:
    return enrolment.organisation_id in viewer.org_ids or can_run_course(viewer, enrolment.course)


# --- managing centres, resources and courses ---------------------------------------------------
#
# The district officers of the complex add support centres and choose who operates them; a
# centre's operators (its operating organisation and the officers) edit the centre, its rooms and
# equipment, closures and qualifications. Courses: whoever runs them (their centre's operators, or
# the officers for a course without a centre).


def can_add_centre(viewer: Viewer, complex) -> bool:
    return complex is not None and viewer.is_officer_of(complex.pk)


def can_edit_centre(viewer: Viewer, centre) -> bool:
    return is_operator(viewer, centre)


def can_choose_operator(viewer: Viewer, centre_or_complex_id) -> bool:
    """Who operates a centre is the district's choice."""
    complex_id = getattr(centre_or_complex_id, "complex_id", centre_or_complex_id)
    return viewer.is_officer_of(complex_id)


def can_add_course(viewer: Viewer, complex) -> bool:
    return complex is not None and operates_any(viewer, complex)


def can_open_invoices(viewer: Viewer, complex) -> bool:
    """The invoice list: the complex's officers (all), its centres' operators (theirs) and the
    members of its organisations (their own)."""
    if complex is None or not viewer.is_authenticated:
        return False
    return viewer.is_officer_of(complex.pk) or can_open_my_bookings(viewer, complex)
