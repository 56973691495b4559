"""The facilities app's transition record (events for its own people and officers; signals in bulk,
as of a day), its open datasets (aggregates, nothing personal) and its map layer of centres."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from techvalley.core import spine
from techvalley.core.scoping import viewer_for
from techvalley.facilities import portal_parts
from techvalley.facilities.models import Attendance, Booking, Course, CourseSession, Enrolment, Resource
from tests.facilities.conftest import XSS, at
from tests.factories import CompanyFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world, centre):
    """Company A: 3 h of training attended 20 days ago (a completed course) and 2 h of
    equipment used 10 days ago (plus a no-show and a cancellation that do not count)."""
    cx = world["cx"]
    org = world["a"].organisation
    today = timezone.localdate()
    cmm = Resource.objects.create(complex=cx, centre=centre, kind="equipment", name=f"CMM {XSS}")
    course = Course.objects.create(complex=cx, centre=centre, title=f"CMM 교육 {XSS}", instructors="홍길동 강사")
    day = today - dt.timedelta(days=20)
    session = CourseSession.objects.create(course=course, start=at(day, 14), end=at(day, 17))
    e = Enrolment.objects.create(
        complex=cx,
        course=course,
        organisation=org,
        trainee_name="김민준",
        trainee_email="minjun@example.com",
        state="completed",
        hours_attended=3,
        completed_on=day,
    )
    Attendance.objects.create(enrolment=e, session=session, present=True)
    used = today - dt.timedelta(days=10)
    common = {"complex": cx, "resource": cmm, "organisation": org, "purpose": "측정", "tier": "tenant"}
    Booking.objects.create(start=at(used, 10), end=at(used, 12), status="confirmed", **common)
    Booking.objects.create(start=at(used, 13), end=at(used, 14), status="confirmed", no_show=True, **common)
    Booking.objects.create(start=at(used, 15), end=at(used, 16), status="cancelled", **common)
    return {"course": course, "cmm": cmm, "trained_on": day, "used_on": used}


def test_events_for_the_company_and_officers_only(world, history):
    company = world["a"]
    mine = spine.platform.timeline(company, viewer_for(world["users"]["member_a"]))
    kinds = {e.kind: e for e in mine if e.kind.startswith("facilities.")}
    assert kinds["facilities.course_completed"].date == history["trained_on"]
    assert "1" in str(kinds["facilities.course_completed"].detail)
    assert kinds["facilities.equipment_used"].date == history["used_on"]
    assert "2.0" in str(kinds["facilities.equipment_used"].detail)  # the no-show does not count
    officer = [e for e in portal_parts.events(company, viewer_for(world["users"]["officer"]))]
    assert len(officer) == 2
    for other in ("manager_b", "other_officer", "visitor"):
        assert portal_parts.events(company, viewer_for(world["users"][other])) == []


def test_signals_in_bulk_as_of_a_day_without_a_query_per_company(world, history):
    companies = [world["a"], world["b"]]
    got = spine.platform.signals(companies)
    assert got[world["a"].pk]["training_hours"].value == 3.0
    assert got[world["a"].pk]["equipment_hours"].value == 2.0
    assert got[world["b"].pk]["training_hours"].value == 0
    before = portal_parts.signals(companies, as_of=history["trained_on"] - dt.timedelta(days=1))
    assert {s.key: s.value for s in before[world["a"].pk]} == {"training_hours": 0, "equipment_hours": 0}
    between = portal_parts.signals(companies, as_of=history["trained_on"])
    assert {s.key: s.value for s in between[world["a"].pk]} == {"training_hours": 3.0, "equipment_hours": 0}

    many = companies + [
        CompanyFactory(complex=world["cx"], organisation=OrganisationFactory(complex=world["cx"])) for _ in range(8)
    ]
    with CaptureQueriesContext(connection) as few:
        portal_parts.signals(companies)
    with CaptureQueriesContext(connection) as lots:
        portal_parts.signals(many)
    assert len(few) == len(lots) == 2
    assert all(k in spine.SIGNAL_KEYS for sigs in got.values() for k in sigs)


def test_courses_dataset_has_no_names_of_people(world, history):
    ds = spine.platform.datasets["facilities.courses"]
    rows = list(ds.rows(world["cx"]))
    assert len(rows) == 1
    row = dict(zip([c.name for c in ds.columns], rows[0], strict=True))
    assert row["title"].startswith("CMM 교육") and row["hours"] == 3.0 and row["completed"] == 1
    assert row["first_day"] == history["trained_on"]
    flat = repr(rows)
    for personal in ("김민준", "minjun@example.com", "홍길동"):
        assert personal not in flat
    assert ds.updated(world["cx"]) == timezone.localdate()
    unpublished = history["course"]
    unpublished.published = False
    unpublished.save()
    assert list(ds.rows(world["cx"])) == []


def test_utilisation_dataset_is_aggregates_by_resource_and_month(world, history):
    ds = spine.platform.datasets["facilities.utilisation"]
    names = [c.name for c in ds.columns]
    rows = [dict(zip(names, r, strict=True)) for r in ds.rows(world["cx"])]
    month = f"{history['used_on']:%Y-%m}"
    cmm = [r for r in rows if r["resource_id"] == history["cmm"].pk and r["month"] == month]
    assert len(cmm) == 1
    assert cmm[0]["bookings"] == 2 and cmm[0]["booked_hours"] == 3.0  # a no-show still held the slot
    assert cmm[0]["open_hours"] > 0 and 0 < cmm[0]["utilisation"] < 100
    assert len({r["month"] for r in rows}) == portal_parts.UTILISATION_MONTHS
    assert "organisation" not in " ".join(names) and world["a"].name not in repr(rows)


def test_map_layer_shows_centres_with_coordinates(world, centre):
    layer = next(la for la in spine.platform.layers_for(viewer_for(None)) if la.key == "facilities.centres")
    assert layer.points(viewer_for(None), world["cx"]) == []
    centre.latitude, centre.longitude, centre.location_estimated = 35.0795, 128.9655, True
    centre.save()
    (point,) = layer.points(viewer_for(None), world["cx"])
    assert (point.lat, point.lon, point.category) == (35.0795, 128.9655, "centre_estimated")
    assert point.url.endswith(f"#centre-{centre.pk}")
    assert {key for key, _label, _colour in layer.categories} >= {point.category}
