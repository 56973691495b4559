"""Courses: enrolment by managers, the waitlist and its promotion, attendance, completion,
certificates (PDF) and their public verification, qualification from a course, satisfaction."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from techvalley.core.validation import BadInput
from techvalley.facilities import selectors, services
from techvalley.facilities.documents import certificate_pdf
from techvalley.facilities.models import Course, CourseSession, Enrolment, Qualification
from tests.facilities.conftest import XSS, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world, centre, room, day):
    c = Course.objects.create(
        complex=world["cx"], centre=centre, title=f"CMM 교육 {XSS}", capacity=2, qualifies_for=room
    )
    for i in range(3):
        d = day + dt.timedelta(days=i)
        CourseSession.objects.create(course=c, start=at(d, 14), end=at(d, 16), topic=f"{i}")
    return c


def test_managers_enrol_members_do_not(world, course):
    e = services.enrol(world["users"]["manager_a"], course, "김민준", "kim@example.com")
    assert e.state == "enrolled" and e.organisation_id == world["a"].organisation_id
    with pytest.raises(PermissionDenied):
        services.enrol(world["users"]["member_a"], course, "이서연")
    with pytest.raises(BadInput):
        services.enrol(world["users"]["manager_a"], course, "김민준")  # twice


def test_waitlist_and_promotion(world, course):
    a = services.enrol(world["users"]["manager_a"], course, "가")
    services.enrol(world["users"]["manager_b"], course, "나")
    c = services.enrol(world["users"]["manager_b"], course, "다", "da@example.com")
    assert c.state == "waitlisted"
    with pytest.raises(PermissionDenied):
        services.cancel_enrolment(world["users"]["manager_b"], a)
    services.cancel_enrolment(world["users"]["manager_a"], a)
    c.refresh_from_db()
    assert c.state == "enrolled"


def test_attendance_completion_certificate_and_verification(world, course, centre):
    trainee = world["users"]["member_a"]
    e1 = services.enrol(world["users"]["manager_a"], course, "김민준")
    e1.user = trainee
    e1.save()
    e2 = services.enrol(world["users"]["manager_b"], course, "이서연")
    sessions = list(course.sessions.all())
    with pytest.raises(PermissionDenied):
        services.record_attendance(world["users"]["manager_a"], sessions[0], [e1.pk])
    services.record_attendance(world["users"]["centre_staff"], sessions[0], [e1.pk, e2.pk])
    services.record_attendance(world["users"]["centre_staff"], sessions[1], [e1.pk])
    services.record_attendance(world["users"]["centre_staff"], sessions[2], [e1.pk])
    result = services.complete_course(world["users"]["centre_staff"], course)
    assert result == {"completed": 1, "not_completed": 1, "hours": 6.0}
    e1.refresh_from_db()
    e2.refresh_from_db()
    assert e1.state == "completed" and e1.hours_attended == 6 and len(e1.certificate_code) == 12
    assert e2.state == "not_completed" and e2.certificate_code is None
    assert Qualification.objects.filter(resource=course.qualifies_for, user=trainee).exists()
    assert certificate_pdf(e1, "http://x/verify").startswith(b"%PDF")
    # The public check: genuine with a masked name; unknown codes are not.
    page = Client().get(reverse("facilities:verify"), {"code": e1.certificate_code.lower()})
    assert page.status_code == 200 and "김*준" in page.content.decode() and "김민준" not in page.content.decode()
    assert selectors.verify("NOPE") is None


def test_certificate_download_is_private(world, course):
    e = Enrolment.objects.create(
        complex=world["cx"],
        course=course,
        organisation_id=world["a"].organisation_id,
        trainee_name="김민준",
        state="completed",
        certificate_code="ABCDEFGHJKMN",
        completed_on=dt.date(2026, 1, 2),
        hours_attended=6,
    )
    url = reverse("facilities:certificate_pdf", args=[e.pk])
    own, other = Client(), Client()
    own.force_login(world["users"]["member_a"])
    other.force_login(world["users"]["manager_b"])
    response = own.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert other.get(url).status_code == 403


def test_satisfaction_answers_are_checked(world, course):
    e = services.enrol(world["users"]["manager_a"], course, "김민준")
    with pytest.raises(BadInput):
        services.answer_satisfaction(world["users"]["member_a"], e, {"content": 9})
    services.answer_satisfaction(world["users"]["member_a"], e, dict.fromkeys(services.QUESTIONS, "4"))
    e.refresh_from_db()
    assert e.satisfaction["overall"] == 4


def test_training_hours_scoped(world, course):
    Enrolment.objects.create(
        complex=world["cx"],
        course=course,
        organisation_id=world["a"].organisation_id,
        trainee_name="가",
        state="completed",
        hours_attended=6,
    )
    Enrolment.objects.create(
        complex=world["cx"],
        course=course,
        organisation_id=world["b"].organisation_id,
        trainee_name="나",
        state="completed",
        hours_attended=4,
    )
    from techvalley.core.scoping import viewer_for

    officer = selectors.training_hours(viewer_for(world["users"]["officer"]), world["cx"])
    own = selectors.training_hours(viewer_for(world["users"]["member_a"]), world["cx"])
    assert sum(r["h"] for r in officer["by_org"]) == 10
    assert [r["h"] for r in own["by_org"]] == [6]
