"""Facilities endpoints: resources and free slots (public), bookings (book, cancel, mine, approve),
courses (public) and enrolments.

``POST /api/facilities/bookings`` answers 201 with the booking (``id``, ``status``: ``confirmed``
or ``pending``), 409 ``{"code": "slot_taken", …}`` when another booking holds the slot, 422 with
the broken rule's code (``outside_hours``, ``quota_day``, ``not_qualified`` …) otherwise. Times
are ISO 8601; without an offset they are read in Asia/Seoul.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from techvalley.core.api import BoundedPageNumberPagination, get_complex, viewer
from techvalley.core.validation import BadInput
from techvalley.facilities import permissions, selectors, services
from techvalley.facilities.models import Booking, Course, Enrolment

router = Router(tags=["facilities"])


def _signed_in(request):
    v = viewer(request)
    if not v.is_authenticated:
        raise HttpError(401, "인증이 필요합니다. / Authentication required.")
    return v


class ResourceOut(Schema):
    id: int
    name: str
    kind: str
    centre: str
    floor: int | None
    capacity: int | None
    approval_required: bool
    qualification_required: bool
    opens_at: dt.time
    closes_at: dt.time
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    fee_tenant: int
    fee_university: int
    fee_outside: int
    estimated: bool

    @staticmethod
    def resolve_centre(obj):
        return obj.centre.name


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    free: bool


class DaySlotOut(SlotOut):
    book_end: dt.datetime | None = Field(
        None, description="where a booking from this slot that the rules accept ends (the shortest allowed); null: none"
    )


class SlotsOut(Schema):
    resource: int
    date: dt.date
    closed: str
    blocked: str | None = Field(None, description="the rule that stops the caller booking at all (qualification …)")
    blocked_code: str | None = None
    slots: list[DaySlotOut]


class BookingIn(Schema):
    resource: int
    start: str
    end: str
    purpose: str
    weeks: int = 1
    override_reason: str = ""


class BookingOut(Schema):
    id: int
    resource: int
    organisation: int
    start: dt.datetime
    end: dt.datetime
    purpose: str
    status: str
    tier: str
    fee_krw: int
    late_cancel: bool
    no_show: bool

    @staticmethod
    def resolve_resource(obj):
        return obj.resource_id

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation_id


class DecisionIn(Schema):
    approve: bool
    note: str = ""


@router.get("/resources", response=list[ResourceOut])
def list_resources(request, complex: str | None = None, kind: str = "", q: str = ""):
    """Bookable rooms and equipment of the complex's centres, with their rules and fees."""
    return list(selectors.resources(get_complex(complex), kind, q[:100]))


@router.get("/resources/{resource_id}/slots", response=SlotsOut)
def resource_slots(request, resource_id: int, date: dt.date):
    """A day's slots on the resource's grid, free or taken (who booked is not shown); for a
    caller who may book, where a booking from each slot that the rules accept ends, or the
    rule that stops them booking at all."""
    res = selectors.resource(resource_id)
    if not 2000 <= date.year <= 2100:
        raise BadInput("date: 2000–2100", field="date", status=422)
    day = selectors.slots(viewer(request), res, date)
    return {
        "resource": res.pk,
        "date": date,
        "closed": day["closed"],
        "blocked": day["blocked"].message if day["blocked"] else None,
        "blocked_code": day["blocked"].code if day["blocked"] else None,
        "slots": [{"start": s.start, "end": s.end, "free": s.free, "book_end": s.book_end} for s in day["slots"]],
    }


@router.post("/bookings", response={201: BookingOut})
def create_booking(request, body: BookingIn):
    """Book for your organisation (or, with ``weeks`` > 1, the same time every week: all or none)."""
    _signed_in(request)
    kwargs = {"override_reason": body.override_reason}
    if body.weeks > 1:
        res = selectors.resource(body.resource)
        made = services.book_series(request.user, res, body.start, body.end, body.purpose, weeks=body.weeks, **kwargs)
        return Status(201, made[0])
    # The resource is read with the rules' facts, in one query (services.booking_facts).
    return Status(201, services.book(request.user, body.resource, body.start, body.end, body.purpose, **kwargs))


@router.get("/bookings", response=list[BookingOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def my_bookings(request, complex: str | None = None, upcoming: bool = True):
    """Your organisations' bookings (upcoming by default)."""
    v = _signed_in(request)
    qs = selectors.my_bookings(v, get_complex(complex))
    if upcoming:
        from django.utils import timezone

        qs = qs.filter(end__gte=timezone.now())
    return qs


@router.get("/bookings/{booking_id}", response=BookingOut)
def get_booking(request, booking_id: int):
    return selectors.booking(_signed_in(request), booking_id)


@router.post("/bookings/{booking_id}/cancel", response=BookingOut)
def cancel_booking(request, booking_id: int):
    """Cancel (late inside the resource's cancellation deadline); the slot goes to the waitlist."""
    v = _signed_in(request)
    return services.cancel(request.user, selectors.booking(v, booking_id))


@router.post("/bookings/{booking_id}/decision", response=BookingOut)
def decide_booking(request, booking_id: int, body: DecisionIn):
    """Approve or reject a booking awaiting approval (the centre's operators)."""
    v = _signed_in(request)
    b = get_object_or_404(Booking.objects.select_related("resource__centre"), pk=booking_id)
    if not permissions.is_operator(v, b.resource.centre):
        raise HttpError(403, "운영자만 승인합니다. / Operators only.")
    return services.decide(request.user, b, body.approve, body.note)


class CourseOut(Schema):
    id: int
    title: str
    audience: str
    capacity: int
    fee_krw: int
    instructors: str
    partner: str
    enrolled: int
    waiting: int
    sessions: list[SlotOut]

    @staticmethod
    def resolve_sessions(obj):
        return [{"start": s.start, "end": s.end, "free": True} for s in obj.sessions.all()]


class EnrolmentIn(Schema):
    course: int
    trainee_name: str
    trainee_email: str = ""


class EnrolmentOut(Schema):
    id: int
    course: int
    organisation: int
    trainee_name: str
    state: str
    hours_attended: float
    certificate_code: str | None

    @staticmethod
    def resolve_course(obj):
        return obj.course_id

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation_id


@router.get("/courses", response=list[CourseOut])
def list_courses(request, complex: str | None = None):
    """Published training courses with their sessions and places taken."""
    return list(selectors.courses(viewer(request), get_complex(complex)).prefetch_related("sessions"))


@router.post("/enrolments", response={201: EnrolmentOut})
def create_enrolment(request, body: EnrolmentIn):
    """Enrol a named employee (your organisation's managers); beyond capacity: the waitlist."""
    v = _signed_in(request)
    course = get_object_or_404(Course, pk=body.course, published=True)
    if not permissions.can_enrol(v, permissions.booking_org_id(v), course.complex_id):
        raise HttpError(403, "기관의 관리자만 직원을 수강 신청합니다. / Managers enrol their employees.")
    return Status(201, services.enrol(request.user, course, body.trainee_name, body.trainee_email))


@router.post("/enrolments/{enrolment_id}/cancel", response=EnrolmentOut)
def cancel_enrolment(request, enrolment_id: int):
    """Cancel an enrolment; the first on the waitlist takes the place."""
    v = _signed_in(request)
    e = get_object_or_404(Enrolment.objects.select_related("course__centre"), pk=enrolment_id)
    if not (permissions.can_enrol(v, e.organisation_id, e.complex_id) or permissions.can_run_course(v, e.course)):
        raise HttpError(403, "신청한 기관의 관리자 또는 운영자만 취소합니다. / Managers and operators only.")
    return services.cancel_enrolment(request.user, e)
