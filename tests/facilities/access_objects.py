"""Facilities objects of company A and company B for the access-table test (tests/access.py).

The centre is operated by the world's support-centre organisation (the "centre" role)."""

import datetime as dt

from django.utils import timezone

from techvalley.facilities import services
from techvalley.facilities.models import (
    Booking,
    Centre,
    Closure,
    Course,
    CourseSession,
    Enrolment,
    Invoice,
    Qualification,
    Resource,
)

XSS = "<script>alert(1)</script>"


def build(world) -> dict:
    cx = world["cx"]
    centre = Centre.objects.create(complex=cx, operator=world["orgs"]["support_centre"], name=f"센터 {XSS}")
    room = Resource.objects.create(
        complex=cx, centre=centre, kind="meeting", name=f"회의실 {XSS}", description=XSS, fee_tenant=10000
    )
    course = Course.objects.create(complex=cx, centre=centre, title=f"교육 {XSS}", description=XSS, capacity=5)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    session = CourseSession.objects.create(course=course, start=start, end=start + dt.timedelta(hours=2), topic=XSS)
    out = {
        k: {}
        for k in (
            "fac_resource",
            "fac_resource_feed",
            "fac_org_feed",
            "fac_booking",
            "fac_invoice",
            "fac_course",
            "fac_session",
            "fac_enrolment",
            "fac_centre",
            "fac_closure",
            "fac_qualification",
        )
    }
    for i, side in enumerate(("a", "b")):
        org = world[f"org_{side}"]
        b_start = start + dt.timedelta(days=i, hours=1)
        booking = Booking.objects.create(
            complex=cx,
            resource=room,
            organisation=org,
            start=b_start,
            end=b_start + dt.timedelta(hours=1),
            purpose=f"예약 {side} {XSS}",
            status="confirmed",
            tier="tenant",
            fee_krw=10000,
        )
        invoice = Invoice.objects.create(
            complex=cx, centre=centre, organisation=org, number=f"T-{side}", month=dt.date(2026, 1, 1), total_krw=10000
        )
        booking.invoice = invoice
        booking.save()
        enrolment = Enrolment.objects.create(
            complex=cx,
            course=course,
            organisation=org,
            trainee_name=f"수강생 {side} {XSS}",
            state="completed",
            hours_attended=2,
            certificate_code=f"ACCESS{side.upper()}23456",
            completed_on=dt.date(2026, 1, 1),
        )
        out["fac_resource"][side] = {"pk": room.pk, "resource_id": room.pk}
        out["fac_resource_feed"][side] = {"token": room.ical_token}
        out["fac_org_feed"][side] = {"token": services.feed_token(org.pk).token}
        out["fac_booking"][side] = {"pk": booking.pk, "booking_id": booking.pk}
        out["fac_invoice"][side] = {"pk": invoice.pk}
        out["fac_course"][side] = {"pk": course.pk}
        out["fac_session"][side] = {"pk": session.pk}
        out["fac_enrolment"][side] = {"pk": enrolment.pk, "enrolment_id": enrolment.pk}
        out["fac_centre"][side] = {"pk": centre.pk}
        closure = Closure.objects.create(
            centre=centre, first_day=dt.date(2030, 1, 1 + i), last_day=dt.date(2030, 1, 1 + i), reason=f"점검 {XSS}"
        )
        out["fac_closure"][side] = {"pk": closure.pk}
        person = world["users"]["member" if side == "a" else "university"]
        out["fac_qualification"][side] = {"pk": Qualification.objects.create(resource=room, user=person).pk}
    return out
