"""Personal data in bookings and training (개인정보): each booking and enrolment records a consent
(purpose, items, a period tied to the booking's or the course's end); the purge erases the
person and keeps the anonymous record; the person's own export lists them; the public
certificate check masks the trainee's name with core.privacy's masking."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techvalley.core import privacy
from techvalley.core.models import AuditEntry
from techvalley.facilities import selectors, services
from techvalley.facilities.models import Booking, Course, CourseSession, Enrolment, WaitlistEntry
from tests.facilities.conftest import XSS, at

pytestmark = pytest.mark.django_db


def consent_of(record):
    return privacy.consents_of(record).get()


@pytest.fixture
def course(world, centre, room, day):
    c = Course.objects.create(complex=world["cx"], centre=centre, title=f"CMM 교육 {XSS}", capacity=5)
    for i in range(2):
        d = day + dt.timedelta(days=i)
        CourseSession.objects.create(course=c, start=at(d, 14), end=at(d, 16), topic=f"{i}")
    return c


def test_a_booking_records_the_bookers_consent_until_a_year_after_it_ends(world, room, day):
    booker = world["users"]["member_a"]
    booking = services.book(booker, room, at(day, 10), at(day, 11), "회의")
    consent = consent_of(booking)
    assert consent.purpose_key == "facilities.booking" and consent.user == booker
    assert consent.items == ["booked_by"] and consent.complex_id == world["cx"].pk
    assert booking.end + dt.timedelta(days=365) <= consent.expires_at < booking.end + dt.timedelta(days=366, hours=1)


def test_the_purge_erases_the_booker_and_keeps_the_booking(world, room, day):
    booker = world["users"]["member_a"]
    booking = services.book(booker, room, at(day, 10), at(day, 11), "회의")
    assert privacy.purge_expired(timezone.now() + dt.timedelta(days=30)) == {}
    later = booking.end + dt.timedelta(days=367)
    assert privacy.purge_expired(later) == {"facilities.booking": 1}
    booking.refresh_from_db()
    assert booking.booked_by is None and booking.status == "confirmed" and booking.fee_krw == 10_000
    trail = AuditEntry.objects.filter(model="facilities.Booking", object_id=str(booking.pk))
    assert all(e.changes.get("booked_by", [None, None])[1] in (None, privacy.ERASED) for e in trail)
    assert str(booker.pk) not in json.dumps([e.changes.get("booked_by") for e in trail])
    assert consent_of(booking).user is None and consent_of(booking).erased_at == later


def test_a_series_and_a_waitlist_offer_record_consents_too(world, room, day):
    series = services.book_series(world["users"]["member_a"], room, at(day, 12), at(day, 13), "주간 회의", weeks=2)
    assert [consent_of(b).user for b in series] == [world["users"]["member_a"]] * 2
    entry = services.join_waitlist(world["users"]["manager_b"], room, at(day, 12), at(day, 13), "대기")
    assert consent_of(entry).user == world["users"]["manager_b"] and consent_of(entry).items == ["user", "purpose"]
    services.cancel(world["users"]["member_a"], series[0])
    offer = Booking.objects.get(status="offered")
    assert consent_of(offer).user == world["users"]["manager_b"]
    # a year after: the wait is erased, the bookings stay without their bookers
    counts = privacy.purge_expired(series[-1].end + dt.timedelta(days=367))
    assert counts == {"facilities.booking": 4}
    assert not WaitlistEntry.objects.filter(pk=entry.pk).exists()
    assert Booking.objects.filter(booked_by__isnull=True).count() == 3


def test_an_enrolment_records_the_trainees_consent_kept_three_years_after_the_course(world, course):
    e = services.enrol(world["users"]["manager_a"], course, "김민준", "kim@example.com")
    consent = consent_of(e)
    last_end = course.sessions.order_by("-end").first().end
    assert consent.purpose_key == "facilities.training" and consent.subject == "김민준"
    assert consent.subject_contact == "kim@example.com" and "trainee_name" in consent.items
    assert last_end + dt.timedelta(days=3 * 365) <= consent.expires_at < last_end + dt.timedelta(days=3 * 365 + 2)
    # the course closes later than planned: the trainees' records are kept from its real end
    closed_on = (last_end + dt.timedelta(days=40)).date()
    services.complete_course(world["users"]["centre_staff"], course, today=closed_on)
    assert consent_of(e).expires_at.date() >= closed_on + dt.timedelta(days=3 * 365)


def test_the_purge_erases_the_trainee_and_keeps_the_anonymous_figures(world, course):
    e = services.enrol(world["users"]["manager_a"], course, "김민준", "kim@example.com")
    session = course.sessions.first()
    services.record_attendance(world["users"]["centre_staff"], session, [e.pk])
    for s in course.sessions.all()[1:]:
        services.record_attendance(world["users"]["centre_staff"], s, [e.pk])
    services.complete_course(world["users"]["centre_staff"], course)
    e.refresh_from_db()
    code = e.certificate_code
    assert selectors.verify(code) is not None
    assert privacy.purge_expired(timezone.now() + dt.timedelta(days=4 * 365)) == {"facilities.training": 1}
    e.refresh_from_db()
    assert e.trainee_name == privacy.ERASED and e.trainee_email == "" and e.certificate_code is None
    assert e.state == "completed" and e.hours_attended == 4
    assert selectors.verify(code) is None
    text = json.dumps(
        list(AuditEntry.objects.filter(model="facilities.Enrolment").values_list("object_repr", "changes")),
        ensure_ascii=False,
    )
    assert "김민준" not in text and "kim@example.com" not in text and code not in text


def test_the_person_exports_their_bookings_and_training(world, room, course, day):
    person = world["users"]["member_a"]
    person.email = "kim@example.com"
    person.save()
    services.book(person, room, at(day, 10), at(day, 11), "회의")
    services.enrol(world["users"]["manager_a"], course, "김민준", "KIM@example.com")
    services.enrol(world["users"]["manager_b"], course, "이서연", "kim@example.com")  # another company's employee
    data = privacy.export_person(person)
    assert [b["purpose"] for b in data["facilities.booking"]["bookings"]] == ["회의"]
    assert [t["trainee_name"] for t in data["facilities.training"]] == ["김민준"]
    assert privacy.export_person(world["users"]["manager_b"])["facilities.booking"]["bookings"] == []


def test_the_certificate_check_masks_with_core_privacy(world, course):
    e = services.enrol(world["users"]["manager_a"], course, "남궁민수")
    Enrolment.objects.filter(pk=e.pk).update(state="completed", certificate_code="ABCDEF123456")
    page = Client().get(reverse("facilities:verify"), {"code": "abcdef123456"}).content.decode()
    assert "남**수" in page and "남궁민수" not in page
    assert privacy.mask_name("김") == "김*"  # one letter: masked too (the old copy showed it)


def test_records_made_before_consents_get_theirs_once(world, room, course, day):
    from typer.testing import CliRunner

    from techvalley.facilities.cli import facilities_app

    old = Booking.objects.create(
        complex=world["cx"],
        resource=room,
        organisation=world["a"].organisation,
        booked_by=world["users"]["member_a"],
        start=at(day, 9),
        end=at(day, 10),
        purpose="옛 예약",
        status="confirmed",
        tier="tenant",
    )
    trainee = Enrolment.objects.create(
        complex=world["cx"],
        course=course,
        organisation=world["a"].organisation,
        trainee_name="박옛날",
        trainee_email="old@example.com",
        state="enrolled",
    )
    runner = CliRunner()
    counted = runner.invoke(facilities_app, ["consents-backfill", "--dry-run"])
    assert counted.exit_code == 0 and "bookings: 1" in counted.output and "enrolments: 1" in counted.output
    assert not privacy.consents_of(old).exists()
    assert runner.invoke(facilities_app, ["consents-backfill"]).exit_code == 0
    assert consent_of(old).user == world["users"]["member_a"]
    assert consent_of(trainee).subject == "박옛날" and consent_of(trainee).subject_contact == "old@example.com"
    assert services.backfill_consents() == {"bookings": 0, "waitlist": 0, "enrolments": 0}
    privacy.purge_expired(timezone.now() + dt.timedelta(days=4 * 365))
    old.refresh_from_db()
    trainee.refresh_from_db()
    assert old.booked_by is None and trainee.trainee_name == privacy.ERASED


def test_the_outbox_keeps_sent_mail_ninety_days(world, room, day):
    from techvalley.facilities.models import OutboxMessage

    now = timezone.now()
    old = [services.notify(world["cx"].pk, f"p{i}@example.com", "제목", "김민준: 교육") for i in range(3)]
    OutboxMessage.objects.filter(pk=old[0].pk).update(sent_at=now - dt.timedelta(days=91))
    OutboxMessage.objects.filter(pk=old[1].pk).update(sent_at=now - dt.timedelta(days=10))
    OutboxMessage.objects.filter(pk=old[2].pk).update(attempts=5, created_at=now - dt.timedelta(days=100))
    waiting = services.notify(world["cx"].pk, "q@example.com", "제목", "본문")
    OutboxMessage.objects.filter(pk=waiting.pk).update(created_at=now - dt.timedelta(days=100))
    assert services.prune_outbox(now) == 2
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {old[1].pk, waiting.pk}
