"""The slot page offers only bookings the booking service accepts: the shortest length the rules
allow, free all along, and no links (but the qualification needed and its course) to a viewer
the rules refuse. Its query count does not grow with the slots or the bookings."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from techvalley.core.scoping import viewer_for
from techvalley.facilities import selectors, services
from techvalley.facilities.models import Booking, Course, Qualification, Resource
from tests.facilities.conftest import at

pytestmark = pytest.mark.django_db

LINK = re.compile(r"\?date=(\d{4}-\d\d-\d\d)&amp;start=(\d\d:\d\d)&amp;end=(\d\d:\d\d)")


@pytest.fixture
def printer(world, centre):
    return Resource.objects.create(
        complex=world["cx"],
        centre=centre,
        kind="equipment",
        name="3D 프린터 (금속 적층)",
        qualification_required=True,
        approval_required=True,
        min_minutes=120,
        max_minutes=480,
        slot_minutes=60,
        fee_tenant=50_000,
        fee_university=60_000,
        fee_outside=100_000,
    )


def page(world, who, res, day):
    c = Client()
    c.force_login(world["users"][who])
    r = c.get(reverse("facilities:resource_detail", args=[res.pk]), {"date": str(day)})
    assert r.status_code == 200
    return c, r.content.decode()


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def test_unqualified_viewer_gets_no_links_but_the_course(world, printer, day):
    _, html = page(world, "manager_a", printer, day)
    assert not LINK.search(html)
    assert "자격이 필요합니다" in html and "센터 운영자에게" in html  # no course yet: ask the operator
    assert reverse("facilities:booking_new", args=[printer.pk]) not in html
    course = Course.objects.create(complex=world["cx"], centre=printer.centre, title="금속 3D 프린터 안전 교육")
    course.qualifies_for = printer
    course.save()
    _, html = page(world, "manager_a", printer, day)
    assert reverse("facilities:course_detail", args=[course.pk]) in html and not LINK.search(html)


def test_offered_links_have_the_minimum_length_and_are_accepted(world, printer, day):
    user = world["users"]["manager_a"]
    Qualification.objects.create(resource=printer, user=user)
    services.grant_qualification(world["users"]["centre_staff"], printer, world["users"]["manager_b"])
    services.book(world["users"]["manager_b"], printer, at(day, 12), at(day, 14), "시제품")
    c, html = page(world, "manager_a", printer, day)
    links = LINK.findall(html)
    starts = [s for _, s, _ in links]
    assert links and all(minutes(e) - minutes(s) == 120 for _, s, e in links)
    # free all along: not 11:00 (its two hours reach the 12:00 booking); not 17:00 (closes at 18:00)
    assert starts == ["09:00", "10:00", "14:00", "15:00", "16:00"]
    # each one passes the booking service's own rules
    facts = services.booking_facts(printer.pk, world["a"].organisation_id, user, at(day, 0), services.timezone.now())
    for _d, s, e in links:
        services.check_rules(
            facts,
            world["a"].organisation_id,
            user,
            at(day, 0) + dt.timedelta(minutes=minutes(s)),
            at(day, 0) + dt.timedelta(minutes=minutes(e)),
        )
    url = reverse("facilities:booking_new", args=[printer.pk])
    form = c.get(url, {"date": links[0][0], "start": links[0][1], "end": links[0][2]})
    assert 'value="11:00"' in form.content.decode()
    r = c.post(url, {"date": links[0][0], "start": links[0][1], "end": links[0][2], "purpose": "시제품 출력"})
    assert r.status_code == 302, r.content.decode()[:2000]


def test_booking_form_defaults_to_a_valid_length(world, printer, day):
    Qualification.objects.create(resource=printer, user=world["users"]["manager_a"])
    c = Client()
    c.force_login(world["users"]["manager_a"])
    html = c.get(reverse("facilities:booking_new", args=[printer.pk]), {"date": str(day)}).content.decode()
    assert 'value="10:00"' in html and 'value="12:00"' in html


def test_quota_reached_shows_the_rule_and_no_links(world, room, day):
    room.max_per_day = 1
    room.save()
    services.book(world["users"]["member_a"], room, at(day, 10), at(day, 11), "회의")
    _, html = page(world, "manager_a", room, day)
    assert not LINK.search(html) and "하루 1건까지입니다" in html
    _, html = page(world, "manager_b", room, day)  # another company: its own quota is untouched
    assert LINK.search(html)


def test_operator_keeps_links_and_anonymous_sees_none(world, printer, day):
    _, html = page(world, "centre_staff", printer, day)
    assert LINK.search(html)
    html = Client().get(reverse("facilities:resource_detail", args=[printer.pk]), {"date": str(day)}).content
    assert not LINK.search(html.decode())


def test_slots_of_a_viewer_match_the_rules(world, room, day):
    room.min_minutes, room.max_minutes = 90, 90
    room.save()
    info = selectors.slots(viewer_for(world["users"]["manager_a"]), room, day)
    offered = [s for s in info["slots"] if s.book_end]
    assert offered and all(s.book_end - s.start == dt.timedelta(minutes=90) for s in offered)
    room.min_minutes, room.max_minutes, room.slot_minutes = 50, 55, 30  # no length on the grid fits
    room.save()
    info = selectors.slots(viewer_for(world["users"]["manager_a"]), room, day)
    assert info["length"] is None and not any(s.book_end for s in info["slots"])


def test_slot_page_query_count_is_flat(world, printer, day):
    Qualification.objects.create(resource=printer, user=world["users"]["manager_a"])
    c = Client()
    c.force_login(world["users"]["manager_a"])
    url = reverse("facilities:resource_detail", args=[printer.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url, {"date": str(day)}).status_code == 200
        return len(ctx)

    few = count()
    for h in (9, 11, 13, 15):
        Booking.objects.create(
            complex=printer.complex,
            resource=printer,
            organisation_id=world["b"].organisation_id,
            start=at(day, h),
            end=at(day, h + 2),
            purpose="x",
            status="confirmed",
        )
    printer.slot_minutes = 30
    printer.save()
    assert count() == few


def test_api_slots_say_where_a_valid_booking_ends_and_what_blocks(world, printer, day):
    from techvalley.core.models import ApiToken

    token = ApiToken.objects.create(user=world["users"]["manager_a"], name="t").key
    c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/facilities/resources/{printer.pk}/slots"
    data = c.get(url, {"date": str(day)}).json()
    assert data["blocked_code"] == "not_qualified" and not any(s["book_end"] for s in data["slots"])
    Qualification.objects.create(resource=printer, user=world["users"]["manager_a"])
    data = c.get(url, {"date": str(day)}).json()
    assert data["blocked"] is None
    offered = [s for s in data["slots"] if s["book_end"]]
    assert offered and all(
        dt.datetime.fromisoformat(s["book_end"]) - dt.datetime.fromisoformat(s["start"]) == dt.timedelta(hours=2)
        for s in offered
    )
    anonymous = Client().get(url, {"date": str(day)}).json()
    assert anonymous["blocked"] is None and not any(s["book_end"] for s in anonymous["slots"])
